import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseEnv, ensureBuilt, freePort, runToExit, start, waitForHealth } from './support/server-process';

const STRONG = 'z'.repeat(40);

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
