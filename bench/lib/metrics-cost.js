'use strict';
// The cost of metrics: GET /images/{id} (16 connections) on two instances of the built app, one with
// METRICS_ENABLED=true and one with false, in alternating rounds of the same run, while a
// Prometheus-like scraper reads /metrics from each once a second (a 404 on the disabled one).
const fs = require('node:fs');
const path = require('node:path');
const { startApp } = require('./processes');
const { runLoad, api, registerAndLogin, uploadOnce } = require('./load');
const { median, summarise, fmt } = require('./report');

const COUNT = /^http_request_duration_seconds_count\{route="\/images\/:id",method="GET",status="200"\} (\d+)$/m;

/** User + system CPU seconds of a process so far (Linux /proc; NaN elsewhere), at 100 ticks a second. */
function cpuSecondsOf(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** One app instance with metrics on or off, a user and one image (`image`, its bytes) to read. */
async function startTarget(dir, enabled, image) {
  const app = await startApp(dir, { env: { METRICS_ENABLED: String(enabled) } });
  try {
    const { token } = await registerAndLogin(app.url, 'bench-metrics@example.com');
    const { id } = await uploadOnce(app.url, token, image);
    return { app, enabled, token, path: `/images/${id}` };
  } catch (error) {
    await app.stop();
    throw error;
  }
}

/**
 * Two processes of one build differ by several per cent on their own (JIT and heap layout), more than
 * the effect measured here. So the comparison runs over `pairs` fresh pairs of instances, each pair
 * for `rounds` back-to-back rounds in alternating order, and is judged on the median of the
 * per-round ratios: machine drift cancels within a round, process luck across pairs.
 */
async function metricsScenario({ tmp, images, duration, warmup, rounds, pairs = 1, log }) {
  const runs = { on: [], off: [] };
  /** Reads the enabled instances served that their histograms missed (should be 0). */
  let uncounted = 0;
  let offStatus = NaN;
  for (let pair = 0; pair < pairs; pair++) {
    const targets = [];
    try {
      // Which one starts first alternates too: the second process starts on a warmer machine.
      for (const enabled of pair % 2 ? [false, true] : [true, false]) {
        targets.push(await startTarget(path.join(tmp, `metrics-${pair}-${enabled ? 'on' : 'off'}`), enabled, images.small.bytes));
      }
      const scraper = setInterval(() => {
        for (const { app } of targets) api(app.url, 'GET', '/metrics').catch(() => undefined);
      }, 1000);
      const sent = { on: 0 };
      try {
        // CPU time per request too: throughput on a shared machine swings with the neighbours' load.
        const once = async (t, seconds) => {
          const cpu = cpuSecondsOf(t.app.pid);
          const figures = await runLoad({ url: t.app.url, token: t.token, connections: 16, duration: seconds, path: t.path });
          if (t.enabled) sent.on += figures.total;
          return { ...figures, cpuMsPerRequest: ((cpuSecondsOf(t.app.pid) - cpu) * 1000) / figures.total };
        };
        if (warmup) for (const t of targets) await once(t, warmup);
        for (let round = 0; round < rounds; round++) {
          // Alternate which instance goes first, so neither always runs on a warmer machine.
          const order = round % 2 ? [...targets].reverse() : targets;
          for (const t of order) runs[t.enabled ? 'on' : 'off'].push(await once(t, duration));
        }
      } finally {
        clearInterval(scraper);
      }
      const on = targets.find((t) => t.enabled).app;
      const off = targets.find((t) => !t.enabled).app;
      const scrape = await api(on.url, 'GET', '/metrics');
      // Every read of this pair's enabled instance (warm-up included) is in its histogram.
      const count = Number(COUNT.exec(scrape.buffer.toString('utf8'))?.[1] ?? NaN);
      uncounted += Number.isFinite(count) ? Math.max(0, sent.on - count) : sent.on;
      offStatus = (await api(off.url, 'GET', '/metrics')).status;
    } finally {
      for (const { app } of targets) await app.stop();
    }
  }
  const summary = { on: summarise(runs.on), off: summarise(runs.off) };
  const cpuMs = { on: median(runs.on.map((r) => r.cpuMsPerRequest)), off: median(runs.off.map((r) => r.cpuMsPerRequest)) };
  const cpuRatio = cpuMs.on / cpuMs.off;
  const ratio = summary.on.rps / summary.off.rps;
  const pairedRatio = median(runs.on.map((r, i) => r.rps / runs.off[i].rps));
  const pairedCpuRatio = median(runs.on.map((r, i) => r.cpuMsPerRequest / runs.off[i].cpuMsPerRequest));
  log(
    `metrics on ${fmt(summary.on.rps)} req/s, off ${fmt(summary.off.rps)} req/s: ×${fmt(ratio, 3)} (paired ×${fmt(pairedRatio, 3)}); ` +
      `CPU ${fmt(cpuMs.on, 3)} vs ${fmt(cpuMs.off, 3)} ms/request (×${fmt(cpuRatio, 3)}, paired ×${fmt(pairedCpuRatio, 3)}); ` +
      `${pairs} pairs × ${rounds} rounds; reads not counted ${uncounted}, disabled /metrics → ${offStatus}`,
  );
  return {
    label: `GET /images/{id}, 16 conns, METRICS_ENABLED true vs false (${pairs} fresh pairs of instances × ${rounds} rounds)`,
    ...summary,
    ratio,
    pairedRatio,
    cpuMs,
    cpuRatio,
    pairedCpuRatio,
    uncounted,
    offStatus,
    runs,
  };
}

module.exports = { metricsScenario };
