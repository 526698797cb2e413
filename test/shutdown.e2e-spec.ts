import { ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeImage } from './support/images';
import { baseEnv, ensureBuilt, freePort, start, waitForHealth } from './support/server-process';

const SECRETS = { JWT_SECRET_KEY: 'j'.repeat(40), SECRET_KEY: 's'.repeat(40) };

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));
}

async function token(port: number): Promise<string> {
  const body = JSON.stringify({ email: 'shutdown@example.com', password: 'correct horse battery' });
  const headers = { 'content-type': 'application/json' };
  await fetch(`http://127.0.0.1:${port}/auth/register`, { method: 'POST', headers, body });
  const res = await fetch(`http://127.0.0.1:${port}/auth/login`, { method: 'POST', headers, body });
  return ((await res.json()) as { data: { accessToken: string } }).data.accessToken;
}

describe('graceful shutdown (node dist/main.js)', () => {
  let dir: string;
  let port: number;
  let child: ChildProcess;

  beforeAll(() => ensureBuilt(), 200_000);
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'image-api-shutdown-'));
    port = await freePort();
    child = start(dir, { ...baseEnv(dir, port), ...SECRETS, SHUTDOWN_TIMEOUT: '10s' });
    await waitForHealth(port, child, 30_000);
  });
  afterEach(() => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0 on SIGTERM when idle', async () => {
    child.kill('SIGTERM');
    await expect(exited(child)).resolves.toBe(0);
  });

  it('lets an upload that is in flight at SIGTERM finish, then exits 0 and accepts nothing new', async () => {
    const jpeg = await makeImage('jpeg', 120, 90);
    const boundary = 'shutdownboundary';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="late.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const body = Buffer.concat([head, jpeg, tail]);
    const accessToken = await token(port);
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/images',
          headers: {
            authorization: `Bearer ${accessToken}`,
            'content-type': `multipart/form-data; boundary=${boundary}`,
            'content-length': body.length,
          },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.write(body.subarray(0, 200));
      // The signal arrives while the body is still on its way.
      setTimeout(() => {
        child.kill('SIGTERM');
        setTimeout(() => req.end(body.subarray(200)), 500);
      }, 300);
    });
    const answer = await response;
    expect(answer.status).toBe(201);
    await expect(exited(child)).resolves.toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    expect(readdirSync(join(dir, 'uploads', 'images'))).toHaveLength(1);
  });
});
