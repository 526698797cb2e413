'use strict';
// BENCH_ONLY=delivery: cold variants per second (each request a new variant: w shrinks by 1 px) of a
// ~2K-pixel photo fitted into 512, 2 connections, for JPEG, WebP and AVIF, against sharp doing the same
// resize alone in a plain Node process. The API keeps the original's reduced decode for its next
// variants (VARIANT_SOURCE_CACHE); for JPEG the same API keeping none is measured beside it, so the
// cost of everything around sharp shows on its own. For scale: imgproxy's published figures on a
// 2-vCPU c7i.large.
const { execFile } = require('node:child_process');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { prepareImages } = require('./images');
const { profileArgs, startApp } = require('./processes');
const { registerAndLogin, uploadOnce } = require('./load');
const { median } = require('./report');
const { boxOf } = require('./delivery-params');

/** BENCH_DELIVERY_FORMATS=jpeg narrows the run (profiling one codec). */
const FORMATS = process.env.BENCH_DELIVERY_FORMATS ? process.env.BENCH_DELIVERY_FORMATS.split(',') : ['jpeg', 'webp', 'avif'];
const CONNECTIONS = 2;
/** imgproxy/image-servers-benchmark, 2-vCPU c7i.large, requests per second. */
const IMGPROXY = { jpeg: 80, webp: 22, avif: 13 };

function get(agent, url, token) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
  });
}

/** `count` cold variants of a fresh upload, CONNECTIONS at a time; requests per second. */
async function throughApi(app, token, bytes, format, count) {
  const image = await uploadOnce(app.url, token, bytes, 'delivery');
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  let next = 0;
  const statuses = {};
  const worker = async () => {
    while (next < count) {
      const { w, h } = boxOf(next++);
      const status = await get(agent, `${app.url}/images/${image.id}/content?w=${w}&h=${h}&format=${format}`, token);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  agent.destroy();
  return { rps: count / seconds, statuses };
}

function sharpAlone(file, format, count) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(__dirname, 'sharp-alone.js'), file, format, String(count), String(CONNECTIONS)],
      (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout))),
    );
  });
}

async function deliveryScenario({ tmp, smoke, rounds, log }) {
  const { photo2k } = await prepareImages(path.join(os.tmpdir(), 'image-api-bench-images'), ['photo2k']);
  const count = smoke ? 4 : 120;
  const env = { TRANSFORM_RATE_LIMIT: '1000000', MAX_VARIANTS_PER_IMAGE: '1000' };
  const app = await startApp(path.join(tmp, 'delivery'), { env, nodeArgs: profileArgs() });
  // The same API keeping no decoded original (VARIANT_SOURCE_CACHE=0): every JPEG variant decodes it.
  const uncached = FORMATS.includes('jpeg')
    ? await startApp(path.join(tmp, 'delivery-uncached'), { env: { ...env, VARIANT_SOURCE_CACHE: '0' } })
    : undefined;
  try {
    const { token } = await registerAndLogin(app.url, 'delivery@example.com');
    const uncachedToken = uncached && (await registerAndLogin(uncached.url, 'delivery@example.com')).token;
    const formats = {};
    for (const format of FORMATS) {
      const api = [];
      const alone = [];
      const apiUncached = [];
      const statuses = {};
      for (let round = 0; round < rounds; round++) {
        const through = (target, targetToken, into) => async () => {
          const r = await throughApi(target, targetToken, photo2k.bytes, format, count);
          into.push(r.rps);
          for (const [k, v] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
        };
        const runs = [through(app, token, api), async () => alone.push((await sharpAlone(photo2k.path, format, count)).rps)];
        if (format === 'jpeg' && uncached) runs.push(through(uncached, uncachedToken, apiUncached));
        // Rotate which goes first, so none always runs on a warmer machine.
        for (let i = 0; i < runs.length; i++) await runs[(round + i) % runs.length]();
      }
      formats[format] = {
        api: median(api),
        alone: median(alone),
        ratio: median(api) / median(alone),
        runs: { api, alone, apiUncached },
        statuses,
        imgproxy: IMGPROXY[format],
      };
      if (apiUncached.length)
        Object.assign(formats[format], { apiUncached: median(apiUncached), uncachedRatio: median(apiUncached) / median(alone) });
      const without = apiUncached.length ? `, ${formats[format].apiUncached.toFixed(1)} keeping no decode` : '';
      log(
        `delivery ${format}: API ${formats[format].api.toFixed(1)}${without} vs sharp alone ${formats[format].alone.toFixed(1)} variants/s (statuses ${JSON.stringify(statuses)})`,
      );
    }
    return {
      image: { width: photo2k.width, height: photo2k.height, bytes: photo2k.bytes.length },
      connections: CONNECTIONS,
      perRound: count,
      formats,
      loadAverage: os.loadavg(),
    };
  } finally {
    await app.stop();
    await uncached?.stop();
  }
}

function deliveryMarkdown(d) {
  const fmt = (v, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
  const lines = [
    '',
    `Cold variants per second (${d.image.width}×${d.image.height} JPEG of ${d.image.bytes} B fitted into 512, ${d.connections} connections, ${d.perRound} new variants per round; load average after: ${d.loadAverage.map((v) => v.toFixed(1)).join(' ')}):`,
    '',
    '| format | API variants/s | sharp alone | API / sharp | API keeping no decode (VARIANT_SOURCE_CACHE=0) / sharp | imgproxy, 2-vCPU c7i.large (published) |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const [format, f] of Object.entries(d.formats)) {
    const uncached = f.apiUncached === undefined ? '–' : `${fmt(f.apiUncached)} (${fmt(f.uncachedRatio, 2)}×)`;
    lines.push(`| ${format} | ${fmt(f.api)} | ${fmt(f.alone)} | ${fmt(f.ratio, 2)}× | ${uncached} | ~${f.imgproxy} |`);
  }
  return lines;
}

module.exports = { deliveryScenario, deliveryMarkdown };
