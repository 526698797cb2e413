'use strict';
// CPU per upload verification (the validating decode and the metadata it yields) of several builds,
// in one process, in interleaved rounds: an A/B of a change to the upload path that the whole-app
// scenarios, at ±10 % run to run on a shared machine, cannot resolve.
//   node bench/decoder-ab.js <dist dir> [<dist dir> ...]     e.g. dist ../other-checkout/dist
// Uses the bench's small (~110 KB) and large (~4.7 MB) JPEGs; prints the median CPU ms per verify.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { prepareImages } = require('./lib/images');

const ROUNDS = 6;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return Number.isInteger(mid) ? (sorted[mid - 1] + sorted[mid]) / 2 : sorted[Math.floor(mid)];
}

function decoderOf(dist, root) {
  // Each checkout loads its own sharp (and libvips): set each one as the app sets it with the default
  // MAX_CONCURRENT_IMAGE_WORK on 2 cores; left alone, libvips' operation cache would answer repeats.
  const ownSharp = require(require.resolve('sharp', { paths: [path.resolve(dist)] }));
  ownSharp.cache(false);
  ownSharp.concurrency(1);
  const { ImageDecoder } = require(path.resolve(dist, 'images/upload/image-decoder.js'));
  const { LocalDiskStorage } = require(path.resolve(dist, 'storage/local-disk.storage.js'));
  const limits = { maxImagePixels: 50_000_000, maxImageSide: 16384, maxDecodeMemory: 256 * 2 ** 20 };
  return new ImageDecoder(new LocalDiskStorage(root), limits, { decodeTimeoutSeconds: 20 });
}

async function main(dists) {
  if (!dists.length) throw new Error('usage: node bench/decoder-ab.js <dist dir> [<dist dir> ...]');
  const images = await prepareImages(path.join(os.tmpdir(), 'image-api-bench-images'), ['small', 'large']);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'image-api-decoder-ab-'));
  try {
    fs.mkdirSync(path.join(root, 'images'));
    const decoders = dists.map((dist) => ({ dist, decoder: decoderOf(dist, root) }));
    for (const [name, count] of [
      ['small', 100],
      ['large', 10],
    ]) {
      fs.writeFileSync(path.join(root, 'images', name), images[name].bytes);
      const key = `images/${name}`;
      const jpeg = { name: 'jpeg' };
      for (const { decoder } of decoders) await decoder.verify(key, jpeg);
      const cpu = decoders.map(() => []);
      for (let round = 0; round < ROUNDS; round++) {
        // The order turns every round: whoever runs first pays for a colder cache.
        for (let k = 0; k < decoders.length; k++) {
          const i = (k + round) % decoders.length;
          const { decoder } = decoders[i];
          const start = process.cpuUsage();
          for (let n = 0; n < count; n++) await decoder.verify(key, jpeg);
          const used = process.cpuUsage(start);
          cpu[i].push((used.user + used.system) / 1000 / count);
        }
      }
      const medians = cpu.map((runs) => median(runs));
      for (const [i, { dist }] of decoders.entries()) {
        const ratio = i ? ` (×${(medians[i] / medians[0]).toFixed(3)} of the first)` : '';
        process.stdout.write(`${name} (${images[name].bytes.length} B): ${dist}: ${medians[i].toFixed(2)} CPU ms per verify${ratio}\n`);
      }
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
