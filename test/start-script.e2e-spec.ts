import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseEnv, ensureBuilt, freePort, waitForHealth } from './support/server-process';

/**
 * `npm start` is scripts/start.sh: on Linux it preloads jemalloc (CI installs libjemalloc2, and the
 * Dockerfile does) and `exec`s node, so the pid it was started with is the app's and signals reach it.
 */
const START = join(__dirname, '..', 'scripts', 'start.sh');
const SECRETS = { JWT_SECRET_KEY: 'j'.repeat(40), SECRET_KEY: 's'.repeat(40) };
const linux = process.platform === 'linux';

interface Started {
  child: ChildProcess;
  port: number;
  output: () => string;
}

async function startScript(dir: string, env: NodeJS.ProcessEnv): Promise<Started> {
  const port = await freePort();
  const child = spawn('sh', [START], {
    cwd: dir,
    env: { ...baseEnv(dir, port), ...SECRETS, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitForHealth(port, child, 30_000);
  return { child, port, output: () => output };
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

const mapsOf = (pid: number) => readFileSync(`/proc/${pid}/maps`, 'utf8');

describe('scripts/start.sh (npm start)', () => {
  let dir: string;
  let started: Started | undefined;

  beforeAll(() => ensureBuilt(), 200_000);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'image-api-start-'));
  });
  afterEach(() => {
    started?.child.kill('SIGKILL');
    started = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  (linux ? it : it.skip)(
    'runs the app itself under jemalloc, names it at start-up, and exits 0 on SIGTERM',
    async () => {
      started = await startScript(dir, {});
      // exec: the pid spawned is node's, with jemalloc mapped into it.
      expect(mapsOf(started.child.pid!)).toMatch(/\/libjemalloc\.so\.2/);
      expect(readFileSync(`/proc/${started.child.pid}/cmdline`, 'utf8')).toMatch(/dist\/main\.js/);
      expect(started.output()).toContain('memory allocator: jemalloc');
      started.child.kill('SIGTERM');
      await expect(exited(started.child)).resolves.toEqual({ code: 0, signal: null });
    },
    60_000,
  );

  (linux ? it : it.skip)(
    'MEMORY_ALLOCATOR=system keeps the system allocator and does not warn about it',
    async () => {
      started = await startScript(dir, { MEMORY_ALLOCATOR: 'system' });
      expect(mapsOf(started.child.pid!)).not.toMatch(/jemalloc/);
      expect(started.output()).not.toMatch(/memory allocator/);
      started.child.kill('SIGTERM');
      await expect(exited(started.child)).resolves.toEqual({ code: 0, signal: null });
    },
    60_000,
  );

  it('an unknown MEMORY_ALLOCATOR stops start-up with a message naming it', async () => {
    const child = spawn('sh', [START], {
      cwd: dir,
      env: { ...baseEnv(dir, await freePort()), ...SECRETS, MEMORY_ALLOCATOR: 'tcmalloc' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await expect(exited(child)).resolves.toEqual({ code: 1, signal: null });
    expect(stderr).toMatch(/MEMORY_ALLOCATOR/);
  }, 60_000);
});
