'use strict';
// Medians, targets and the Markdown table.

function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Per-metric medians over runs; errors and non-2xx are summed (any one is worth seeing). */
function summarise(runs) {
  const pick = (key) => runs.map((r) => r[key]);
  return {
    rps: median(pick('rps')),
    mbps: median(pick('mbps')),
    p50: median(pick('p50')),
    p90: median(pick('p90')),
    p99: median(pick('p99')),
    cpuMsPerRequest: median(pick('cpuMsPerRequest')),
    mainCpuMsPerRequest: median(pick('mainCpuMsPerRequest')),
    errors: pick('errors').reduce((a, b) => a + b, 0),
    non2xx: pick('non2xx').reduce((a, b) => a + b, 0),
    total: pick('total').reduce((a, b) => a + b, 0),
    runs: runs.length,
  };
}

const fmt = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const MB = 1024 * 1024;

function loadRow(label, app, base) {
  const cells = (s) =>
    s ? [fmt(s.rps), fmt(s.mbps, 1), `${fmt(s.p50)} / ${fmt(s.p90)} / ${fmt(s.p99)}`, `${s.errors} / ${s.non2xx}`] : ['–', '–', '–', '–'];
  return `| ${label} | ${cells(app).join(' | ')} | ${cells(base).join(' | ')} |`;
}

/** The app beside every reference: raw node:http, raw + a full decode per upload, bare Nest. */
function referenceTable(s) {
  const rows = [];
  const cell = (x, metric) => (x ? fmt(x[metric]) : '–');
  for (const key of ['upload110k', 'upload4m', 'download', 'downloadLink', 'metadata', 'notModified']) {
    const x = s[key];
    if (!x) continue;
    const metric = key === 'upload4m' ? 'mbps' : 'rps';
    const ratios = ['baseline', 'rawDecode', 'nestFloor']
      .filter((k) => x[k])
      .map((k) => `${fmt(x.app[metric] / x[k][metric], 2)}× ${REF_NAMES[k]}`);
    const cpuOf = (field) => ['app', 'baseline', 'rawDecode', 'nestFloor'].map((k) => (x[k] ? fmt(x[k][field], 2) : '–')).join(' / ');
    rows.push(
      `| ${x.label} (${metric === 'mbps' ? 'MB/s' : 'req/s'}) | ${cell(x.app, metric)} | ${cell(x.baseline, metric)} | ${cell(x.rawDecode, metric)} | ${cell(x.nestFloor, metric)} | ${ratios.join(', ')} | ${cpuOf('cpuMsPerRequest')} | ${cpuOf('mainCpuMsPerRequest')} |`,
    );
  }
  if (!rows.length) return [];
  return [
    '| scenario | app | raw | raw + decode | Nest floor | app ÷ reference | CPU ms/request: app / raw / raw + decode / Nest floor | of it on the main thread |',
    '|---|---:|---:|---:|---:|---|---|---|',
    ...rows,
    '',
  ];
}

const REF_NAMES = { baseline: 'raw', rawDecode: 'raw + decode', nestFloor: 'Nest floor' };

function markdown(result) {
  const lines = [];
  const s = result.scenarios;
  lines.push(`### Image API benchmark (${result.mode}, ${result.database ?? 'sqlite'}) — ${result.startedAt}`);
  lines.push('');
  const load = (l) => (l ?? []).map((v) => fmt(v, 1)).join(' / ');
  lines.push(
    `${result.machine.cpus}× ${result.machine.cpuModel}, Node ${result.machine.node}; ${result.settings.rounds} round(s) of ${result.settings.duration}s per target, alternating app and baseline; medians. Load average at start ${load(result.machine.loadAverageAtStart)}, at end ${load(result.machine.loadAverageAtEnd)}.`,
  );
  lines.push('');
  lines.push(
    '| scenario | app req/s | app MB/s | app p50 / p90 / p99 ms | app err / non-2xx | baseline req/s | baseline MB/s | baseline p50 / p90 / p99 ms | baseline err / non-2xx |',
  );
  lines.push('|---|---:|---:|---|---|---:|---:|---|---|');
  for (const key of ['upload110k', 'upload4m', 'download', 'downloadLink', 'metadata', 'notModified']) {
    if (s[key]) lines.push(loadRow(s[key].label, s[key].app, s[key].baseline));
  }
  for (const level of s.listing?.levels ?? []) {
    lines.push(loadRow(`list page 1 (limit 20), ${level.rows} rows`, level.app, null));
    if (level.search) lines.push(loadRow(`list page 1, q=photo (matches all), ${level.rows} rows`, level.search, null));
  }
  if (s.derived?.cachedVariant) lines.push(loadRow('cached 320-px WebP variant', s.derived.cachedVariant, null));
  if (s.rss) lines.push(loadRow('upload ~4.7 MB, 16 conns (RSS run)', s.rss.load, null));
  if (s.metrics) {
    lines.push(loadRow('GET /images/{id}, 16 conns, METRICS_ENABLED=true', s.metrics.on, null));
    lines.push(loadRow('GET /images/{id}, 16 conns, METRICS_ENABLED=false', s.metrics.off, null));
  }
  lines.push('');
  lines.push(...referenceTable(s));
  lines.push('| target | measured | goal | verdict |');
  lines.push('|---|---:|---:|---|');
  for (const t of result.targets) lines.push(`| ${t.name} | ${t.measured} | ${t.goal} | ${t.verdict} |`);
  lines.push('');
  if (s.rss) {
    lines.push(
      `Memory (app, upload ~4.7 MB × 16 connections): idle ${fmt(s.rss.idle / MB)} MB, peak sampled VmRSS ${fmt(s.rss.peak / MB)} MB (${s.rss.samples} samples / 50 ms), VmHWM ${fmt(s.rss.hwm / MB)} MB.`,
    );
  }
  if (s.startup) {
    lines.push(
      `Start-up to healthy /health: existing database median ${fmt(s.startup.existingDb.median, 0)} ms (${s.startup.existingDb.runs.map((v) => fmt(v, 0)).join(', ')}); fresh database with migrations median ${fmt(s.startup.freshDb.median, 0)} ms (${s.startup.freshDb.runs.map((v) => fmt(v, 0)).join(', ')}).`,
    );
  }
  if (s.derived) {
    if (!s.derived.available) lines.push(`Derived images: skipped — ${s.derived.note}`);
    else {
      lines.push(
        `Derived images: first 320-px WebP from a 12-MP JPEG through the API median ${fmt(s.derived.firstComputeMs.median, 0)} ms vs sharp alone ${fmt(s.derived.sharpAloneMs.median, 0)} ms (×${fmt(s.derived.firstComputeMs.median / s.derived.sharpAloneMs.median, 2)}); cached variant ${fmt(s.derived.cachedVariant.rps)} req/s vs original 110 KB download ${fmt(s.download?.app.rps)} req/s.`,
      );
    }
  }
  const h = s.hostile;
  if (h) {
    lines.push(
      `Hostile neighbour: readers (16 conns, GET /images/{id} + /health) p99 ${fmt(h.quiet.p99)} ms quiet → ${fmt(h.loaded.p99)} ms under attack (${fmt(h.quiet.rps)} → ${fmt(h.loaded.rps)} req/s, /health 503 × ${h.loaded.health503}); attacker answers ${JSON.stringify(h.attackStatuses)}; RSS idle ${fmt(h.memory.idle / MB)} MB, peak ${fmt(Math.max(h.memory.peak, h.memory.hwm) / MB)} MB, ${h.memory.settledAfterSeconds ?? 5} s after ${fmt(h.memory.settled / MB)} MB; 100 MiB over a 5 MB limit: ${h.oversized.status} after ${fmt(h.oversized.sentBeforeAnswer / MB, 2)} MiB; ${h.variantBudget.requests} distinct variant requests → ${h.variantBudget.stored} stored.`,
    );
  }
  if (s.delivery) lines.push(...require('./delivery').deliveryMarkdown(s.delivery));
  for (const note of result.notes) lines.push(`Note: ${note}`);
  return lines.join('\n');
}

module.exports = { median, summarise, markdown, fmt, MB };
