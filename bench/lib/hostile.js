'use strict';
// The "hostile neighbour": one account posts the costliest files the limits still let through
// and asks for the largest variants, while 16 other connections read metadata and /health.
// Measures what that does to the readers (p99 against a quiet run in the same app), to memory
// (VmHWM against idle) and whether /health ever says 503; then the variant budget after 300
// distinct variant requests, and how much of a 100 MiB body a 5 MB limit lets in.
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const sharp = require('sharp');
const autocannon = require('autocannon');
const { startApp, memoryOf, sampleRss, sleep } = require('./processes');
const { api, registerAndLogin, uploadOnce } = require('./load');
const { fmt, MB } = require('./report');

const BOUNDARY = '----image-api-hostile-5b1e';

/** The worst files within the default limits (16384 a side, 50 MP, 256 MB decode), cached on disk. */
async function hostileFiles(dir, smoke) {
  fs.mkdirSync(dir, { recursive: true });
  const scale = smoke ? 8 : 1;
  const specs = [
    // Tall and wide, all zero: a few KB that decode to ~49 MP.
    { name: 'wide.png', make: () => zeros(16384 / scale, 3000 / scale, 1).png({ compressionLevel: 9 }) },
    { name: 'tall.png', make: () => zeros(3000 / scale, 16384 / scale, 1).png({ compressionLevel: 9 }) },
    { name: 'wide.gif', make: () => zeros(16384 / scale, 3000 / scale, 3).gif() },
    { name: 'wide.webp', make: () => zeros(16383 / scale, 3000 / scale, 3).webp({ lossless: true }) },
    // 16-bit RGBA Adam7: decoded whole, 4000 × 4000 × 8 B = 128 MB, under the 256 MB budget.
    {
      name: 'deep.png',
      make: () =>
        zeros(4000 / scale, 4000 / scale, 4)
          .toColourspace('rgb16')
          .png({ progressive: true }),
    },
  ];
  const files = [];
  for (const spec of specs) {
    const file = path.join(dir, `${smoke ? 'smoke-' : ''}${spec.name}`);
    if (!fs.existsSync(file)) fs.writeFileSync(file, await spec.make().toBuffer());
    files.push({ name: spec.name, bytes: fs.readFileSync(file) });
  }
  return files;
}

function zeros(width, height, channels) {
  [width, height] = [Math.floor(width), Math.floor(height)];
  return sharp(Buffer.alloc(width * height * channels), { raw: { width, height, channels } });
}

function multipart(bytes, filename) {
  const head = Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  return Buffer.concat([head, bytes, Buffer.from(`\r\n--${BOUNDARY}--\r\n`)]);
}

/** `workers` loops of hostile requests until `until()`; counts answers by status. */
async function hostileLoad({ url, token, files, variantImageId, workers, until }) {
  const statuses = {};
  let widths = 4096;
  const one = async (i) => {
    const kind = i % 3;
    if (kind === 2 && variantImageId) {
      // The largest output the parameters allow, a new variant each time, in the costliest codec.
      const res = await api(url, 'GET', `/images/${variantImageId}/content?w=${widths--}&format=avif&q=100`, { token });
      return res.status;
    }
    const file = files[i % files.length];
    const res = await api(url, 'POST', '/images', {
      token,
      body: multipart(file.bytes, file.name),
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    });
    return res.status;
  };
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = w; !until(); i += workers) {
        const status = await one(i).catch(() => 'error');
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  return statuses;
}

/** 16 connections alternating GET /images/{id} and GET /health; counts /health 503s. */
async function readers(url, token, imageId, duration) {
  let health503 = 0;
  const result = await autocannon({
    url,
    connections: 16,
    duration,
    pipelining: 1,
    timeout: 30,
    requests: [
      { method: 'GET', path: `/images/${imageId}`, headers: { authorization: `Bearer ${token}` } },
      {
        method: 'GET',
        path: '/health',
        onResponse: (status) => {
          if (status === 503) health503 += 1;
        },
      },
    ],
  });
  return {
    rps: result.requests.total / (result.duration || duration),
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    total: result.requests.total,
    health503,
  };
}

/** Streams `totalBytes` of a multipart upload over a raw socket; resolves with what got through before the answer. */
function oversizedUpload(url, token, totalBytes) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    let sent = 0;
    let answeredAt;
    let status;
    const req = http.request({
      host: hostname,
      port,
      method: 'POST',
      path: '/images',
      headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    });
    const finish = () => resolve({ status, sentBeforeAnswer: answeredAt ?? sent, sentTotal: sent });
    req.on('response', (res) => {
      status = res.statusCode;
      answeredAt = sent;
      res.resume();
      res.on('end', finish);
    });
    req.on('error', finish);
    req.write(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\n\r\n`));
    // Paced like a fast real network (64 KiB every 2 ms, ~32 MB/s): unpaced, loopback's socket
    // buffers would swallow megabytes ahead of the server and the count would measure the kernel.
    const chunk = Buffer.alloc(64 * 1024, 0x42);
    const pump = () => {
      if (sent >= totalBytes || answeredAt !== undefined || req.destroyed) {
        if (answeredAt === undefined && !req.destroyed) req.end();
        return;
      }
      sent += chunk.length;
      const flushed = req.write(chunk);
      const next = () => setTimeout(pump, 2);
      if (flushed) next();
      else req.once('drain', next);
    };
    pump();
  });
}

/** The process' V8 heap from its own /metrics (total, used, external bytes). */
async function heapOf(url) {
  const text = (await api(url, 'GET', '/metrics')).buffer.toString('utf8');
  const value = (name) => Number(new RegExp(`^${name} ([0-9.e+]+)$`, 'm').exec(text)?.[1] ?? NaN);
  return [value('nodejs_heap_size_total_bytes'), value('nodejs_heap_size_used_bytes'), value('nodejs_external_memory_bytes')];
}

async function hostileScenario({ tmp, smoke, log }) {
  const duration = smoke ? 1 : 10;
  const files = await hostileFiles(path.join(require('node:os').tmpdir(), 'image-api-bench-hostile'), smoke);
  const app = await startApp(path.join(tmp, 'hostile'));
  try {
    const reader = await registerAndLogin(app.url, 'reader@example.com');
    const attacker = await registerAndLogin(app.url, 'attacker@example.com');
    const readImage = await uploadOnce(app.url, reader.token, await zeros(64, 48, 3).jpeg().toBuffer());
    const photo = await sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#808080' } })
      .composite([{ input: await zeros(1500, 1000, 3).jpeg().toBuffer(), top: 500, left: 700 }])
      .jpeg()
      .toBuffer();
    const victimOfVariants = await uploadOnce(app.url, attacker.token, photo);
    await sleep(smoke ? 100 : 1000);
    const idle = memoryOf(app.pid);
    const idleHeap = await heapOf(app.url);

    // Rounds of quiet then attacked reading, judged on the median round: one 10 s window's p99 is a
    // handful of requests, and the machine's own weather moves it by a third.
    const sampler = sampleRss(app.pid, 50);
    const rounds = [];
    const attackStatuses = {};
    for (let round = 0; round < (smoke ? 1 : 3); round++) {
      const quiet = await readers(app.url, reader.token, readImage.id, duration);
      let done = false;
      const attack = hostileLoad({
        url: app.url,
        token: attacker.token,
        files,
        variantImageId: smoke ? undefined : victimOfVariants.id,
        workers: smoke ? 2 : 6,
        until: () => done,
      });
      await sleep(smoke ? 100 : 500);
      const loaded = await readers(app.url, reader.token, readImage.id, duration);
      done = true;
      for (const [status, n] of Object.entries(await attack)) attackStatuses[status] = (attackStatuses[status] ?? 0) + n;
      rounds.push({ quiet, loaded, slowdown: loaded.p99 / quiet.p99 });
      log(
        `hostile: round ${round + 1}: readers p99 ${fmt(quiet.p99)} ms quiet (${fmt(quiet.rps)} req/s) → ${fmt(loaded.p99)} ms under attack (×${fmt(loaded.p99 / quiet.p99, 2)}), /health 503 × ${loaded.health503}`,
      );
    }
    const { peak } = sampler.stop();
    const middle = [...rounds].sort((x, y) => x.slowdown - y.slowdown)[Math.floor(rounds.length / 2)];
    const { quiet, loaded } = middle;
    loaded.health503 = rounds.reduce((sum, r) => sum + r.loaded.health503, 0);
    const afterLoad = memoryOf(app.pid);
    // Back near idle after: RSS a few seconds on, once the allocator has had time to give pages back.
    const settling = [];
    for (const at of smoke ? [0.2] : [5, 15, 30]) {
      await sleep(at * 1000 - (settling.at(-1)?.at ?? 0) * 1000);
      const { rss, anon, file } = memoryOf(app.pid);
      settling.push({ at, rss, anon, file });
    }
    const settled = settling.at(-1);
    const settledHeap = await heapOf(app.url);
    log(
      `hostile: V8 heap total / used / external MB, idle ${idleHeap.map((v) => fmt(v / MB)).join(' / ')}, after ${settledHeap.map((v) => fmt(v / MB)).join(' / ')}`,
    );
    log(
      `hostile: median round: readers p99 ${fmt(loaded.p99)} ms (×${fmt(loaded.p99 / quiet.p99, 2)}; rounds ${rounds.map((r) => fmt(r.slowdown, 2)).join(', ')}), /health 503 × ${loaded.health503} in all; attacker ${JSON.stringify(attackStatuses)}; ` +
        `RSS idle ${fmt(idle.rss / MB)} MB, peak ${fmt(peak / MB)} MB, VmHWM ${fmt(afterLoad.hwm / MB)} MB, then ${settling.map((s) => `${fmt(s.rss / MB)} MB at ${s.at} s`).join(', ')} (idle anon ${fmt(idle.anon / MB)} + file ${fmt(idle.file / MB)}; now anon ${fmt(settling.at(-1).anon / MB)} + file ${fmt(settling.at(-1).file / MB)})`,
    );

    const oversized = await oversizedUpload(app.url, attacker.token, smoke ? 16 * MB : 100 * MB);
    log(`hostile: 100 MiB upload over a 5 MB limit → ${oversized.status} after ${fmt(oversized.sentBeforeAnswer / MB, 2)} MiB sent`);
    const budget = await variantBudget(tmp, smoke, log);
    return {
      quiet,
      loaded,
      slowdowns: rounds.map((r) => r.slowdown),
      attackStatuses,
      memory: { idle: idle.rss, peak, hwm: afterLoad.hwm, settled: settled.rss, settledAfterSeconds: settled.at, settling },
      oversized: { ...oversized, limit: 5 * MB },
      variantBudget: budget,
    };
  } finally {
    await app.stop();
  }
}

/** 300 distinct variant requests of one image (rate limit raised for it); stored variants counted on disk once stores settle. */
async function variantBudget(tmp, smoke, log) {
  const app = await startApp(path.join(tmp, 'hostile-variants'), { env: { TRANSFORM_RATE_LIMIT: '1000' } });
  try {
    const user = await registerAndLogin(app.url, 'variants@example.com');
    const image = await uploadOnce(app.url, user.token, await zeros(400, 300, 3).jpeg().toBuffer());
    const requests = smoke ? 30 : 300;
    const statuses = {};
    for (let w = 1; w <= requests; w++) {
      const res = await api(app.url, 'GET', `/images/${image.id}/content?w=${w}`, { token: user.token });
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    }
    const dir = path.join(app.dir, 'uploads', 'variants', image.id);
    // A new variant is answered first and stored (and the oldest evicted) right after: count once that is done.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const stored = fs.existsSync(dir) ? fs.readdirSync(dir).length : 0;
    log(`hostile: ${requests} distinct variant requests → ${JSON.stringify(statuses)}, ${stored} variants stored`);
    return { requests, statuses, stored };
  } finally {
    await app.stop();
  }
}

module.exports = { hostileScenario };
