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

async function metricsScenario({ tmp, images, duration, warmup, rounds, log }) {
  const targets = [];
  try {
    for (const enabled of [true, false]) {
      const app = await startApp(path.join(tmp, `metrics-${enabled ? 'on' : 'off'}`), { env: { METRICS_ENABLED: String(enabled) } });
      const target = { app, enabled };
      targets.push(target);
      target.token = (await registerAndLogin(app.url, 'bench-metrics@example.com')).token;
      target.path = `/images/${(await uploadOnce(app.url, target.token, images.small.bytes)).id}`;
    }
    const scraper = setInterval(() => {
      for (const { app } of targets) api(app.url, 'GET', '/metrics').catch(() => undefined);
    }, 1000);
    const runs = { on: [], off: [] };
    try {
      // CPU time per request too: throughput on a shared machine swings with the neighbours' load.
      const once = async (t, seconds) => {
        const cpu = cpuSecondsOf(t.app.pid);
        const figures = await runLoad({ url: t.app.url, token: t.token, connections: 16, duration: seconds, path: t.path });
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
    const [on, off] = targets.map((t) => t.app);
    const scrape = await api(on.url, 'GET', '/metrics');
    const counted = Number(COUNT.exec(scrape.buffer.toString('utf8'))?.[1] ?? NaN);
    const offStatus = (await api(off.url, 'GET', '/metrics')).status;
    const summary = { on: summarise(runs.on), off: summarise(runs.off) };
    const cpuMs = { on: median(runs.on.map((r) => r.cpuMsPerRequest)), off: median(runs.off.map((r) => r.cpuMsPerRequest)) };
    const cpuRatio = cpuMs.on / cpuMs.off;
    const ratio = summary.on.rps / summary.off.rps;
    // Rounds are paired (same minute of machine weather): the median of the per-round ratios.
    const pairedRatio = median(runs.on.map((r, i) => r.rps / runs.off[i].rps));
    log(
      `metrics on ${fmt(summary.on.rps)} req/s, off ${fmt(summary.off.rps)} req/s: ×${fmt(ratio, 3)} (paired ×${fmt(pairedRatio, 3)}); ` +
        `CPU ${fmt(cpuMs.on, 3)} vs ${fmt(cpuMs.off, 3)} ms/request (×${fmt(cpuRatio, 3)}); /metrics counted ${counted} reads, disabled /metrics → ${offStatus}`,
    );
    return {
      label: 'GET /images/{id}, 16 conns, METRICS_ENABLED true vs false',
      ...summary,
      ratio,
      pairedRatio,
      cpuMs,
      cpuRatio,
      counted,
      offStatus,
      runs,
    };
  } finally {
    for (const { app } of targets) await app.stop();
  }
}

module.exports = { metricsScenario };
