import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { StorageReconciler } from '../src/images/reconcile/storage-reconciler';
import { makeImage } from './support/images';
import { createTestApp, storedFiles, TestApp, TEST_JWT_SECRET, TEST_SECRET_KEY } from './support/test-app';
import { registerUser } from './support/users';

describe('storage reconciliation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('reports orphans, stale temporary objects and missing bytes, and removes the former with apply', async () => {
    const user = await registerUser(t);
    const kept = await t.http
      .post('/images')
      .set(user.auth)
      .attach('file', await makeImage('png'), 'kept.png')
      .expect(201);
    const lost = await t.http
      .post('/images')
      .set(user.auth)
      .attach('file', await makeImage('png'), 'lost.png')
      .expect(201);
    await t.storage.delete(`images/${lost.body.data.id}`);
    const orphan = `images/${randomUUID()}`;
    const temporary = `tmp/${randomUUID()}`;
    await t.storage.put(orphan, Readable.from([Buffer.from('orphan')]));
    await t.storage.put(temporary, Readable.from([Buffer.from('temp')]));
    const reconciler = t.app.get(StorageReconciler);

    const young = await reconciler.reconcile({ apply: true, graceMs: 60 * 60 * 1000 });
    expect(young).toMatchObject({ orphans: [], staleTemporary: [], deleted: 0 });

    const dry = await reconciler.reconcile({ apply: false, graceMs: 0 });
    expect(dry).toEqual({
      orphans: [orphan],
      staleTemporary: [temporary],
      missing: [`images/${lost.body.data.id}`],
      emptyFolders: [],
      deleted: 0,
      resumable: { uploads: 0, bytes: 0, expired: 0 },
    });
    await expect(storedFiles(t)).resolves.toHaveLength(3);

    const applied = await reconciler.reconcile({ apply: true, graceMs: 0 });
    expect(applied.deleted).toBe(2);
    await expect(storedFiles(t)).resolves.toEqual([`images/${kept.body.data.id}`]);
  });

  it('runs as a command: dry run by default, --apply to delete', async () => {
    const orphan = `images/${randomUUID()}`;
    await t.storage.put(orphan, Readable.from([Buffer.from('orphan')]));
    // Local disk only: the empty folder a deleted image's variants used to leave behind.
    const emptyFolder = `variants/${randomUUID()}`;
    if (!t.s3) mkdirSync(join(t.uploadDir, emptyFolder), { recursive: true });
    const env = {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: t.database.url,
      UPLOAD_DIR: t.uploadDir,
      STORAGE_DRIVER: t.s3 ? 's3' : 'local',
      ...t.s3?.env,
      JWT_SECRET_KEY: TEST_JWT_SECRET,
      SECRET_KEY: TEST_SECRET_KEY,
      LOG_LEVEL: 'silent',
    };
    // Asynchronous: the S3 server of this test lives in this process and must keep answering.
    const run = async (...args: string[]) =>
      (await promisify(execFile)('node', ['dist/cli/reconcile-storage.js', ...args], { env, encoding: 'utf8' })).stdout;
    const dry = await run('--grace-minutes=0');
    expect(dry).toContain(`orphan    ${orphan}`);
    expect(dry).toContain('dry run');
    await expect(storedFiles(t)).resolves.toContain(orphan);
    if (!t.s3) expect(dry).toContain(`empty     ${emptyFolder}/`);
    expect(await run('--grace-minutes=0', '--apply')).toContain('deleted 1');
    await expect(storedFiles(t)).resolves.not.toContain(orphan);
    expect(existsSync(join(t.uploadDir, emptyFolder))).toBe(false);
  });
});
