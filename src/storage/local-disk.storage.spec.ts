import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { LocalDiskStorage } from './local-disk.storage';
import { UNSAFE_KEYS, describeStorageDriverContract } from './storage-driver.contract';

describeStorageDriverContract('LocalDiskStorage', async () => {
  const root = mkdtempSync(join(tmpdir(), 'local-disk-storage-'));
  return { driver: new LocalDiskStorage(join(root, 'uploads')), cleanup: async () => rmSync(root, { recursive: true, force: true }) };
});

describe('LocalDiskStorage on disk', () => {
  let root: string;
  let storage: LocalDiskStorage;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'local-disk-storage-'));
    storage = new LocalDiskStorage(join(root, 'uploads'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('keeps each object as one file under its key, and nothing outside the root', async () => {
    await storage.put('images/abc', Readable.from([Buffer.from('bytes')]));
    for (const key of UNSAFE_KEYS) await storage.put(key, Readable.from([Buffer.from('x')])).catch(() => undefined);
    expect(readdirSync(root)).toEqual(['uploads']);
    expect(readdirSync(join(root, 'uploads', 'images'))).toEqual(['abc']);
    expect(storage.localPath('images/abc')).toBe(join(root, 'uploads', 'images', 'abc'));
  });

  it('a failed write leaves no .part file', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(1024));
        this.destroy(new Error('boom'));
      },
    });
    await expect(storage.put('images/x', failing)).rejects.toThrow('boom');
    expect(readdirSync(join(root, 'uploads', 'images'))).toEqual([]);
  });

  it('check creates a missing root', async () => {
    await storage.check();
    expect(existsSync(join(root, 'uploads'))).toBe(true);
  });
});
