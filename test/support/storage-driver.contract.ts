import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { StorageDriver } from '../../src/storage/storage-driver';
import { ObjectNotFoundError } from '../../src/storage/storage.errors';

export interface StorageDriverUnderTest {
  driver: StorageDriver;
  /** Removes whatever the driver wrote (a temp folder, a bucket). */
  cleanup(): Promise<void>;
}

/** Keys no driver may accept: traversal, absolute paths, separators of another OS, empty segments. */
export const UNSAFE_KEYS = ['', '..', '../escape', 'images/../../escape', '/etc/passwd', '..\\escape', 'a//b', 'a/./b', 'nul\0byte'];

/**
 * The behaviour every StorageDriver promises, whatever it stores on. Run it from a driver's spec:
 * `describeStorageDriverContract('LocalDiskStorage', async () => ({ driver, cleanup }))`.
 */
export function describeStorageDriverContract(name: string, factory: () => Promise<StorageDriverUnderTest>): void {
  describe(`${name} — StorageDriver contract`, () => {
    let subject: StorageDriverUnderTest;
    let storage: StorageDriver;

    beforeEach(async () => {
      subject = await factory();
      storage = subject.driver;
    });
    afterEach(async () => {
      await subject.cleanup();
    });

    const keys = async (prefix?: string) => {
      const found: string[] = [];
      for await (const object of storage.list(prefix)) found.push(object.key);
      return found.sort();
    };

    it('put stores the bytes and returns their size and SHA-256', async () => {
      const body = randomBytes(300_000);
      await expect(storage.put('images/one', Readable.from([body]))).resolves.toEqual({ size: body.length, sha256: sha256(body) });
      await expect(read(storage, 'images/one')).resolves.toEqual(body);
    });

    it('put of an empty stream stores an empty object', async () => {
      await expect(storage.put('images/empty', Readable.from([]))).resolves.toEqual({ size: 0, sha256: sha256(Buffer.alloc(0)) });
      await expect(storage.stat('images/empty')).resolves.toMatchObject({ key: 'images/empty', size: 0 });
    });

    it('put replaces an existing object', async () => {
      await storage.put('images/replaced', Readable.from([Buffer.from('first version')]));
      await storage.put('images/replaced', Readable.from([Buffer.from('second')]));
      await expect(read(storage, 'images/replaced')).resolves.toEqual(Buffer.from('second'));
    });

    it('put is atomic: nothing is visible under the key until the stream has ended', async () => {
      const body = new PassThrough();
      const written = storage.put('images/slow', body);
      body.write(randomBytes(64 * 1024));
      await pause();
      await expect(storage.stat('images/slow')).resolves.toBeNull();
      await expect(storage.open('images/slow')).rejects.toBeInstanceOf(ObjectNotFoundError);
      expect(await keys('images/')).not.toContain('images/slow');
      body.end(randomBytes(1000));
      await expect(written).resolves.toMatchObject({ size: 64 * 1024 + 1000 });
      await expect(storage.stat('images/slow')).resolves.toMatchObject({ size: 64 * 1024 + 1000 });
    });

    it('a failing input stream rejects the put and leaves nothing behind', async () => {
      const body = new PassThrough();
      const written = storage.put('images/broken', body);
      body.write(randomBytes(64 * 1024));
      await pause();
      body.destroy(new Error('client went away'));
      await expect(written).rejects.toThrow();
      await expect(storage.stat('images/broken')).resolves.toBeNull();
      await expect(keys()).resolves.toEqual([]);
    });

    it('a staged put stores its bytes under the key, and a failing one leaves nothing behind', async () => {
      const bytes = randomBytes(1000);
      await expect(storage.put('tmp/staged', Readable.from([bytes]), { staged: true })).resolves.toMatchObject({ size: 1000 });
      await expect(storage.stat('tmp/staged')).resolves.toMatchObject({ size: 1000 });
      const body = new PassThrough();
      const written = storage.put('tmp/broken', body, { staged: true });
      body.write(randomBytes(64 * 1024));
      await pause();
      body.destroy(new Error('client went away'));
      await expect(written).rejects.toThrow();
      await expect(keys()).resolves.toEqual(['tmp/staged']);
    });

    it('open reads a byte range, both ends inclusive', async () => {
      const body = randomBytes(1000);
      await storage.put('images/ranged', Readable.from([body]));
      await expect(read(storage, 'images/ranged', { start: 10, end: 19 })).resolves.toEqual(body.subarray(10, 20));
      await expect(read(storage, 'images/ranged', { start: 0, end: 0 })).resolves.toEqual(body.subarray(0, 1));
      await expect(read(storage, 'images/ranged', { start: 990, end: 999 })).resolves.toEqual(body.subarray(990));
    });

    it('open of a missing key rejects with ObjectNotFoundError', async () => {
      await expect(storage.open('images/missing')).rejects.toBeInstanceOf(ObjectNotFoundError);
    });

    it('stat gives key, size and modification time; null when missing', async () => {
      const startedAt = Date.now();
      await storage.put('images/stat', Readable.from([Buffer.alloc(1234, 1)]));
      const info = await storage.stat('images/stat');
      expect(info).toMatchObject({ key: 'images/stat', size: 1234 });
      // Not toBeInstanceOf(Date): a driver's Date may come from another realm (Node's fs under Jest).
      expect(Object.prototype.toString.call(info!.modifiedAt)).toBe('[object Date]');
      expect(Math.abs(info!.modifiedAt.getTime() - startedAt)).toBeLessThan(60_000);
      await expect(storage.stat('images/nothing')).resolves.toBeNull();
    });

    it('move renames an object: the bytes under the new key, nothing under the old', async () => {
      const body = randomBytes(5000);
      await storage.put('tmp/upload', Readable.from([body]));
      await storage.move('tmp/upload', 'images/moved');
      await expect(read(storage, 'images/moved')).resolves.toEqual(body);
      await expect(storage.stat('tmp/upload')).resolves.toBeNull();
      await expect(keys()).resolves.toEqual(['images/moved']);
    });

    it('move of a missing key rejects with ObjectNotFoundError', async () => {
      await expect(storage.move('tmp/missing', 'images/target')).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(storage.stat('images/target')).resolves.toBeNull();
    });

    it('delete removes the object and is idempotent', async () => {
      await storage.put('images/doomed', Readable.from([Buffer.from('x')]));
      await storage.delete('images/doomed');
      await expect(storage.stat('images/doomed')).resolves.toBeNull();
      await expect(storage.delete('images/doomed')).resolves.toBeUndefined();
      await expect(storage.delete('images/never-existed')).resolves.toBeUndefined();
    });

    it('list yields every object, or those under a prefix, with sizes', async () => {
      await storage.put('images/a', Readable.from([Buffer.alloc(1)]));
      await storage.put('images/b', Readable.from([Buffer.alloc(2)]));
      await storage.put('variants/a/w100', Readable.from([Buffer.alloc(3)]));
      await expect(keys()).resolves.toEqual(['images/a', 'images/b', 'variants/a/w100']);
      await expect(keys('images/')).resolves.toEqual(['images/a', 'images/b']);
      await expect(keys('variants/a/')).resolves.toEqual(['variants/a/w100']);
      await expect(keys('nothing/')).resolves.toEqual([]);
      const sizes: Record<string, number> = {};
      for await (const object of storage.list('images/')) sizes[object.key] = object.size;
      expect(sizes).toEqual({ 'images/a': 1, 'images/b': 2 });
    });

    it.each(UNSAFE_KEYS.map((key) => [JSON.stringify(key), key]))('rejects the unsafe key %s in every operation', async (_label, key) => {
      await expect(storage.put(key, Readable.from([Buffer.from('x')]))).rejects.toThrow();
      await expect(storage.open(key)).rejects.toThrow();
      await expect(storage.stat(key)).rejects.toThrow();
      await expect(storage.move(key, 'images/target')).rejects.toThrow();
      await storage.put('images/source', Readable.from([Buffer.from('x')]));
      await expect(storage.move('images/source', key)).rejects.toThrow();
      await expect(storage.delete(key)).rejects.toThrow();
      await expect(keys()).resolves.toEqual(['images/source']);
    });

    it('check resolves when the storage answers, and leaves no object behind', async () => {
      await expect(storage.check()).resolves.toBeUndefined();
      await expect(keys()).resolves.toEqual([]);
    });

    it('openInput gives the bytes, as a stream or as a location a native reader opens', async () => {
      const body = randomBytes(5000);
      await storage.put('images/input', Readable.from([body]));
      const input = await storage.openInput('images/input');
      const bytes = 'location' in input ? readFileSync(input.location) : await collect(input.stream);
      expect(bytes.equals(body)).toBe(true);
    });
  });
}

async function read(storage: StorageDriver, key: string, range?: { start: number; end: number }): Promise<Buffer> {
  return collect(await storage.open(key, range));
}

async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function pause(ms = 50): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
