'use strict';
// Photo-like JPEGs for the benchmark, made at run time (no binaries in git): smooth gradients and
// soft blobs (low frequencies, like a scene) plus seeded noise (high frequencies, like sensor
// grain), encoded at the quality that lands nearest the wanted file size.
const fs = require('node:fs');
const path = require('node:path');
const sharp = require('sharp');

/** Deterministic PRNG (mulberry32), so every run uploads the same bytes. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function rawPixels(width, height, noise, seed) {
  const rand = prng(seed);
  const blobs = Array.from({ length: 7 }, () => ({
    x: rand() * width, y: rand() * height, r: (0.1 + rand() * 0.35) * Math.max(width, height),
    c: [rand() * 255, rand() * 255, rand() * 255], k: 0.3 + rand() * 0.5,
  }));
  const data = Buffer.alloc(width * height * 3);
  let i = 0;
  for (let y = 0; y < height; y++) {
    const v = y / height;
    for (let x = 0; x < width; x++) {
      const u = x / width;
      // A sky-to-ground gradient with some texture.
      let r = 70 + 120 * v + 25 * Math.sin(u * 9 + v * 3);
      let g = 110 + 60 * (1 - v) + 20 * Math.sin(u * 5 - v * 7);
      let b = 200 - 130 * v + 15 * Math.cos(u * 13);
      for (const blob of blobs) {
        const dx = x - blob.x, dy = y - blob.y;
        const w = blob.k * Math.exp(-(dx * dx + dy * dy) / (blob.r * blob.r));
        r += (blob.c[0] - r) * w; g += (blob.c[1] - g) * w; b += (blob.c[2] - b) * w;
      }
      const n = (rand() + rand() - 1) * noise;
      data[i++] = clamp(r + n + (rand() - 0.5) * noise * 0.5);
      data[i++] = clamp(g + n + (rand() - 0.5) * noise * 0.5);
      data[i++] = clamp(b + n + (rand() - 0.5) * noise * 0.5);
    }
  }
  return data;
}

const clamp = (value) => (value < 0 ? 0 : value > 255 ? 255 : value | 0);

async function encode(raw, width, height, quality) {
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality, chromaSubsampling: quality >= 90 ? '4:4:4' : '4:2:0', mozjpeg: false })
    .toBuffer();
}

/** A JPEG of the given dimensions whose size is as near `targetBytes` as a whole quality step allows. */
async function makeJpeg({ width, height, targetBytes, noise, seed }) {
  const raw = rawPixels(width, height, noise, seed);
  let lo = 30, hi = 100, best;
  while (lo <= hi) {
    const quality = (lo + hi) >> 1;
    const jpeg = await encode(raw, width, height, quality);
    if (!best || Math.abs(jpeg.length - targetBytes) < Math.abs(best.length - targetBytes)) best = jpeg;
    if (jpeg.length < targetBytes) lo = quality + 1;
    else hi = quality - 1;
  }
  return best;
}

const SPECS = {
  small: { width: 800, height: 600, targetBytes: 110_000, noise: 18, seed: 1 },
  large: { width: 2400, height: 1800, targetBytes: 4_700_000, noise: 55, seed: 2 },
  huge: { width: 4000, height: 3000, targetBytes: 3_500_000, noise: 18, seed: 3 },
  photo2k: { width: 2048, height: 1536, targetBytes: 700_000, noise: 18, seed: 4 },
};

/** Makes (or reuses, from `dir`) the benchmark's images; returns { name: { path, bytes, width, height } }. */
async function prepareImages(dir, names = Object.keys(SPECS)) {
  fs.mkdirSync(dir, { recursive: true });
  const out = {};
  for (const name of names) {
    const spec = SPECS[name];
    const file = path.join(dir, `${name}-${spec.width}x${spec.height}-${spec.targetBytes}-s${spec.seed}.jpg`);
    if (!fs.existsSync(file)) {
      const jpeg = await makeJpeg(spec);
      fs.writeFileSync(`${file}.tmp`, jpeg);
      fs.renameSync(`${file}.tmp`, file);
    }
    const bytes = fs.readFileSync(file);
    out[name] = { path: file, bytes, width: spec.width, height: spec.height };
  }
  return out;
}

module.exports = { prepareImages, makeJpeg, SPECS };

if (require.main === module) {
  const dir = process.argv[2] || path.join(require('node:os').tmpdir(), 'image-api-bench-images');
  prepareImages(dir).then((images) => {
    for (const [name, img] of Object.entries(images)) console.log(`${name}: ${img.path} ${img.bytes.length} bytes`);
  });
}
