import { ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './server-process';

/** Debian's package (`apt-get install prometheus`, as .ci/run does); PROMETHEUS_BIN overrides it. */
const BINARY = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';

export interface PromVector {
  metric: Record<string, string>;
  value: [number, string];
}

export interface TestPrometheus {
  url: string;
  /** An instant query through the HTTP API (`/api/v1/query`); throws unless it succeeded. */
  query(promql: string): Promise<PromVector[]>;
  stop(): Promise<void>;
}

/**
 * A real Prometheus server scraping `127.0.0.1:<targetPort>/metrics` every second (with the bearer
 * token when given), its data in a temporary folder. Fails loudly when the binary is missing.
 */
export async function startPrometheus(targetPort: number, token?: string): Promise<TestPrometheus> {
  try {
    accessSync(BINARY, constants.X_OK);
  } catch {
    throw new Error(`${BINARY} is missing: install Debian's prometheus package (apt-get install -y --no-install-recommends prometheus)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'image-api-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, configText(targetPort, token));
  const port = await freePort();
  const child = spawn(
    BINARY,
    [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(url, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, query: (promql) => query(url, promql), stop };
}

function configText(targetPort: number, token?: string): string {
  return [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    '  evaluation_interval: 1s',
    'scrape_configs:',
    '  - job_name: image-api',
    '    metrics_path: /metrics',
    ...(token ? ['    authorization:', `      credentials: ${JSON.stringify(token)}`] : []),
    '    static_configs:',
    `      - targets: ["127.0.0.1:${targetPort}"]`,
    '',
  ].join('\n');
}

async function waitUntilReady(url: string, child: ChildProcess, output: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${output()}`);
    const ready = await fetch(`${url}/-/ready`).then(
      (res) => res.ok,
      () => false,
    );
    if (ready) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`prometheus was not ready within ${timeoutMs} ms:\n${output()}`);
}

async function query(url: string, promql: string): Promise<PromVector[]> {
  const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await res.json()) as { status: string; error?: string; data?: { resultType: string; result: PromVector[] } };
  if (body.status !== 'success' || body.data?.resultType !== 'vector') throw new Error(`query ${promql} failed: ${JSON.stringify(body)}`);
  return body.data.result;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
