'use strict';
// BENCH_ONLY=tus: one large image through tus (/uploads, 5 MB PATCHes, one after another) and the
// same bytes through POST /images (one streamed multipart request), alternating; MB/s of each from
// the first byte sent to the answer (validation and decode included on both), and the app's RSS.
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const sharp = require('sharp');
const { profileArgs, startApp, memoryOf, sampleRss, sleep } = require('./processes');
const { registerAndLogin } = require('./load');
const { median, MB } = require('./report');

const CHUNK = 5 * MB;
const BOUNDARY = '----image-api-bench-tus';

/** A stored (uncompressed) PNG of noise of about `megabytes`, cached beside the other bench images. */
async function noisePng(dir, megabytes) {
  const file = path.join(dir, `noise-${megabytes}m.png`);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(dir, { recursive: true });
  const side = Math.ceil(Math.sqrt((megabytes * MB) / 3));
  await sharp({ create: { width: side, height: side, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 60 } } })
    .png({ compressionLevel: 0 })
    .toFile(`${file}.tmp`);
  fs.renameSync(`${file}.tmp`, file);
  return file;
}

/** One request; `body` is a Buffer, a stream factory, or nothing. */
function request(url, method, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (typeof body === 'function') body().pipe(req);
    else req.end(body);
  });
}

async function viaMultipart(base, token, file, size) {
  const head = Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\nContent-Type: image/png\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  const { PassThrough } = require('node:stream');
  const body = () => {
    const out = new PassThrough();
    out.write(head);
    fs.createReadStream(file)
      .on('end', () => out.end(tail))
      .pipe(out, { end: false });
    return out;
  };
  const headers = {
    authorization: `Bearer ${token}`,
    'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
    'content-length': head.length + size + tail.length,
  };
  const res = await request(`${base}/images`, 'POST', headers, body);
  if (res.status !== 201) throw new Error(`POST /images: ${res.status} ${res.body.slice(0, 300)}`);
  return JSON.parse(res.body).data.id;
}

async function viaTus(base, token, file, size) {
  const auth = { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0' };
  const created = await request(`${base}/uploads`, 'POST', {
    ...auth,
    'upload-length': String(size),
    'upload-metadata': `filename ${Buffer.from('big.png').toString('base64')}`,
  });
  if (created.status !== 201) throw new Error(`POST /uploads: ${created.status} ${created.body.slice(0, 300)}`);
  const location = `${base}${created.headers.location}`;
  for (let offset = 0; offset < size; offset += CHUNK) {
    const end = Math.min(size, offset + CHUNK);
    const res = await request(
      location,
      'PATCH',
      {
        ...auth,
        'upload-offset': String(offset),
        'content-type': 'application/offset+octet-stream',
        'content-length': String(end - offset),
      },
      () => fs.createReadStream(file, { start: offset, end: end - 1 }),
    );
    if (res.status !== 204) throw new Error(`PATCH at ${offset}: ${res.status} ${res.body.slice(0, 300)}`);
    if (end === size) return res.headers['image-location'].split('/').pop();
  }
  throw new Error('the upload never finished');
}

async function measure(app, token, send, file, size) {
  const idle = memoryOf(app.pid);
  const sampler = sampleRss(app.pid, 50);
  const began = process.hrtime.bigint();
  const id = await send(app.url, token, file, size);
  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  const { peak } = sampler.stop();
  // Each run's image is removed again, so the next one starts from the same state.
  await request(`${app.url}/images/${id}`, 'DELETE', { authorization: `Bearer ${token}` });
  return { seconds, mbps: size / MB / seconds, rssGrowth: Math.max(0, peak - idle.rss) };
}

async function tusScenario({ tmp, imagesDir, smoke, log }) {
  const megabytes = smoke ? 20 : 200;
  const rounds = smoke ? 1 : 3;
  const file = await noisePng(imagesDir, megabytes);
  const size = fs.statSync(file).size;
  log(`tus: ${(size / MB).toFixed(1)} MB PNG ready`);
  // The limits raised for one very large (but valid) image; the same for both paths.
  const env = {
    MAX_CONTENT_LENGTH: '256MB',
    MAX_IMAGE_PIXELS: '80000000',
    MAX_DECODE_MEMORY: '512MB',
    DECODE_TIMEOUT: '300s',
    REQUEST_TIMEOUT: '600s',
  };
  const app = await startApp(path.join(tmp, 'tus'), { env, nodeArgs: profileArgs() });
  try {
    const { token } = await registerAndLogin(app.url, 'bench-tus@example.com');
    await sleep(smoke ? 200 : 1000);
    const runs = { multipart: [], tus: [] };
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 ? ['tus', 'multipart'] : ['multipart', 'tus'];
      for (const kind of order) {
        const run = await measure(app, token, kind === 'tus' ? viaTus : viaMultipart, file, size);
        runs[kind].push(run);
        log(
          `tus scenario round ${round + 1}: ${kind} ${run.mbps.toFixed(1)} MB/s in ${run.seconds.toFixed(1)} s, RSS +${(run.rssGrowth / MB).toFixed(1)} MB`,
        );
      }
    }
    const summary = (list) => ({
      mbps: median(list.map((r) => r.mbps)),
      seconds: median(list.map((r) => r.seconds)),
      rssGrowthMax: Math.max(...list.map((r) => r.rssGrowth)),
    });
    return { bytes: size, chunkBytes: CHUNK, rounds, multipart: summary(runs.multipart), tus: summary(runs.tus), runs };
  } finally {
    await app.stop();
  }
}

module.exports = { tusScenario };
