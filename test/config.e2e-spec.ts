import { ChildProcess, execSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const MAIN = join(ROOT, 'dist', 'main.js');
const STRONG = 'z'.repeat(40);

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The newest modification time of any file below `dir`. */
function newestMtime(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
    const path = join(dir, entry.name);
    return Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }, 0);
}

function ensureBuilt(): void {
  if (existsSync(MAIN) && statSync(MAIN).mtimeMs >= newestMtime(join(ROOT, 'src'))) return;
  execSync('npx nest build', { cwd: ROOT, stdio: 'pipe', timeout: 180_000 });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A process environment with nothing of the test runner's own (jest sets NODE_ENV=test). */
function baseEnv(dir: string, port: number): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PORT: String(port),
    DATABASE_URL: `sqlite:${join(dir, 'images.db')}`,
    UPLOAD_DIR: join(dir, 'uploads'),
    LOG_LEVEL: 'warn',
  };
}

function start(cwd: string, env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [MAIN], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

function runToExit(cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<Exit> {
  const began = Date.now();
  const child = start(cwd, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - began });
    });
  });
}

async function waitForHealth(port: number, child: ChildProcess, timeoutMs: number): Promise<{ status: number; body: unknown }> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      return { status: res.status, body: await res.json() };
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`no answer on port ${port} within ${timeoutMs} ms`);
}

describe('configuration at start-up (node dist/main.js)', () => {
  let dir: string;
  let port: number;

  beforeAll(() => {
    ensureBuilt();
  }, 200_000);
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'image-api-config-'));
    port = await freePort();
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("exits non-zero within 30 s on the seed's MAX_CONTENT_LENGTH=5MBt, naming it with an example", async () => {
    const exit = await runToExit(dir, { ...baseEnv(dir, port), MAX_CONTENT_LENGTH: '5MBt' });
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    expect(exit.ms).toBeLessThan(30_000);
    expect(exit.stderr).toMatch(/MAX_CONTENT_LENGTH='5MBt'/);
    expect(exit.stderr).toMatch(/e\.g\. MAX_CONTENT_LENGTH=5MB/);
    expect(exit.stderr).not.toMatch(/\n\s+at /);
  });

  it('names every bad variable in one message', async () => {
    const bad = {
      MAX_CONTENT_LENGTH: '5MBt',
      PORT: 'eighty',
      JWT_EXPIRES_IN: 'soon',
      DATABASE_URL: 'postgres://db/images',
      STORAGE_DRIVER: 'ftp',
    };
    const exit = await runToExit(dir, { ...baseEnv(dir, port), ...bad });
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    expect(exit.stderr).toMatch(/Invalid configuration \(5 problems\)/);
    for (const name of Object.keys(bad)) expect(exit.stderr).toContain(name);
    expect(exit.stderr.match(/Invalid configuration/g)).toHaveLength(1);
  });

  it('refuses NODE_ENV=production without JWT_SECRET_KEY and SECRET_KEY', async () => {
    const exit = await runToExit(dir, { ...baseEnv(dir, port), NODE_ENV: 'production' });
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    expect(exit.stderr).toMatch(/JWT_SECRET_KEY is required in production/);
    expect(exit.stderr).toMatch(/(^|\s)SECRET_KEY is required in production/);
  });

  it('refuses NODE_ENV=production with a short secret, naming it', async () => {
    const exit = await runToExit(dir, { ...baseEnv(dir, port), NODE_ENV: 'production', JWT_SECRET_KEY: 'too-short', SECRET_KEY: STRONG });
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    expect(exit.stderr).toMatch(/JWT_SECRET_KEY is too weak/);
    expect(exit.stderr).not.toContain('too-short');
    expect(exit.stderr).not.toMatch(/(^|\s)SECRET_KEY is/);
  });

  it("refuses FLASK_ENV=production without secrets too (the seed's variable)", async () => {
    const exit = await runToExit(dir, { ...baseEnv(dir, port), FLASK_ENV: 'production' });
    expect(exit.code).not.toBe(0);
    expect(exit.stderr).toMatch(/JWT_SECRET_KEY is required in production/);
  });

  it('reads the same rules from a .env file in the working directory', async () => {
    writeFileSync(join(dir, '.env'), 'NODE_ENV=production\nJWT_SECRET_KEY=weak\nMAX_CONTENT_LENGTH=5MBt\n');
    const exit = await runToExit(dir, baseEnv(dir, port));
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    expect(exit.stderr).toMatch(/Invalid configuration \(3 problems\)/);
    expect(exit.stderr).toMatch(/JWT_SECRET_KEY is too weak/);
    expect(exit.stderr).toMatch(/MAX_CONTENT_LENGTH='5MBt'/);
  });

  it("starts with a good configuration and the seed's sqlite:///./x.db form, and answers /health", async () => {
    const env = {
      ...baseEnv(dir, port),
      DATABASE_URL: 'sqlite:///./x.db',
      NODE_ENV: 'production',
      JWT_SECRET_KEY: STRONG,
      SECRET_KEY: STRONG,
    };
    const began = Date.now();
    const child = start(dir, env);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      const health = await waitForHealth(port, child, 30_000).catch((error: Error) => {
        throw new Error(`${error.message}\n${stderr}`);
      });
      expect(Date.now() - began).toBeLessThan(30_000);
      expect(health).toEqual({ status: 200, body: expect.objectContaining({ status: 'ok' }) });
      expect(existsSync(join(dir, 'x.db'))).toBe(true);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });
});
