import { Logger } from '@nestjs/common';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
// eslint-disable-next-line @typescript-eslint/no-require-imports
import fs = require('node:fs');
// The module object itself (not a namespace copy), so that jest can replace its functions.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import fsp = require('node:fs/promises');
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { LocalDiskStorage } from './local-disk.storage';
import { StorageUnavailableError } from './storage.errors';
import { UNSAFE_KEYS, describeStorageDriverContract } from '../../test/support/storage-driver.contract';

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
    await expect(storage.openInput('images/abc')).resolves.toEqual({ location: join(root, 'uploads', 'images', 'abc') });
  });

  it('reads an object of known size as exactly that many bytes, in chunks of at most 256 KB', async () => {
    const bytes = Buffer.alloc(600 * 1024, 7);
    await storage.put('images/big', Readable.from([bytes]));
    const chunks: Buffer[] = [];
    for await (const chunk of await storage.open('images/big', undefined, bytes.length)) chunks.push(chunk as Buffer);
    expect(chunks.map((c) => c.length)).toEqual([256 * 1024, 256 * 1024, 88 * 1024]);
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
    // A file longer than its row says is cut at the recorded size, so the body matches its Content-Length.
    const read = (size: number) => storage.open('images/big', undefined, size).then((s) => s.toArray());
    expect(Buffer.concat(await read(1000)).length).toBe(1000);
    // A small object is one read.
    await storage.put('images/small', Readable.from([Buffer.from('small object')]));
    expect((await storage.open('images/small', undefined, 12).then((s) => s.toArray())).length).toBe(1);
  });

  it('checks itself under its own probe prefix and leaves no file behind', async () => {
    await storage.put('images/abc', Readable.from([Buffer.from('bytes')]));
    await expect(storage.check()).resolves.toBeUndefined();
    expect(readdirSync(join(root, 'uploads')).sort()).toEqual(['health-check', 'images']);
    expect(readdirSync(join(root, 'uploads', 'health-check'))).toEqual([]);
  });

  it('reports itself down when a file stands where a top-level folder was', async () => {
    await storage.put('images/abc', Readable.from([Buffer.from('bytes')]));
    rmSync(join(root, 'uploads', 'images'), { recursive: true });
    writeFileSync(join(root, 'uploads', 'images'), 'not a folder');
    await expect(storage.check()).rejects.toBeInstanceOf(StorageUnavailableError);
  });

  it('a failed write leaves no .part file', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(1024));
        this.destroy(new Error('boom'));
      },
    });
    await expect(storage.put('images/x', failing)).rejects.toThrow('boom');
    // A body that fails before it ends is never opened as a file (nor its folder made).
    const images = join(root, 'uploads', 'images');
    expect(existsSync(images) ? readdirSync(images) : []).toEqual([]);
  });

  it('a write that fails after its first batch reached the disk leaves no .part file either', async () => {
    let sent = 0;
    const failing = new Readable({
      read() {
        if (sent++ < 8) this.push(Buffer.alloc(100 * 1024));
        else this.destroy(new Error('cut off'));
      },
    });
    await expect(storage.put('images/y', failing)).rejects.toThrow('cut off');
    expect(readdirSync(join(root, 'uploads', 'images'))).toEqual([]);
  });

  it('check creates a missing root', async () => {
    await storage.check();
    expect(existsSync(join(root, 'uploads'))).toBe(true);
  });
});

describe.each([
  ['small writes, opens, closes and renames on the event loop', true],
  ['every call on the thread pool', false],
])('LocalDiskStorage durability (%s)', (_mode, inlineCalls) => {
  let root: string;
  let storage: LocalDiskStorage;
  let calls: string[];

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'local-disk-storage-'));
    storage = new LocalDiskStorage(join(root, 'uploads'), { inlineCalls });
    calls = [];
    // Every file the driver opens reports its fsync, whichever way it was opened; renames report
    // themselves once done (a rename into a missing folder fails once, before the folder is made).
    const realOpen = fsp.open;
    jest.spyOn(fsp, 'open').mockImplementation(async (...args: Parameters<typeof fsp.open>) => {
      const handle = await realOpen(...args);
      const sync = handle.sync.bind(handle);
      jest.spyOn(handle, 'sync').mockImplementation(async () => {
        calls.push(`sync ${String(args[0]).slice(root.length)}`);
        return sync();
      });
      return handle;
    });
    const realRename = fsp.rename;
    jest.spyOn(fsp, 'rename').mockImplementation(async (from, to) => {
      await realRename(from, to);
      calls.push(`rename ${String(to).slice(root.length)}`);
    });
    const paths = new Map<number, string>();
    const realOpenSync = fs.openSync;
    jest.spyOn(fs, 'openSync').mockImplementation((...args: Parameters<typeof fs.openSync>) => {
      const fd = realOpenSync(...args);
      paths.set(fd, String(args[0]).slice(root.length));
      return fd;
    });
    const realFsync = fs.fsync;
    jest.spyOn(fs, 'fsync').mockImplementation((fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
      realFsync(fd, (error) => {
        if (!error) calls.push(`sync ${paths.get(fd)}`);
        callback(error);
      });
    });
    const realRenameSync = fs.renameSync;
    jest.spyOn(fs, 'renameSync').mockImplementation((from, to) => {
      realRenameSync(from, to);
      calls.push(`rename ${String(to).slice(root.length)}`);
    });
  });
  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(root, { recursive: true, force: true });
  });

  it('fsyncs the file before the rename that publishes it, and the folder after', async () => {
    await storage.put('images/abc', Readable.from([Buffer.from('bytes')]));
    expect(calls).toEqual([
      expect.stringMatching(/^sync \/uploads\/images\/abc\.[0-9a-f]+\.part$/),
      'rename /uploads/images/abc',
      'sync /uploads/images',
    ]);
  });

  it('a staged put writes in place and fsyncs its bytes, not its folder: the move that publishes it syncs where it lands', async () => {
    await storage.put('tmp/abc', Readable.from([Buffer.from('bytes')]), { staged: true });
    expect(calls).toEqual(['sync /uploads/tmp/abc']);
    expect(readdirSync(join(root, 'uploads', 'tmp'))).toEqual(['abc']);
    calls.length = 0;
    await storage.move('tmp/abc', 'images/abc');
    expect(calls).toEqual(['rename /uploads/images/abc', 'sync /uploads/images']);
  });

  it('streams a body of 512 KB or more through a file handle in batches, and fsyncs it', async () => {
    const bytes = Buffer.alloc(1300 * 1024, 3);
    const chunks = Array.from({ length: 13 }, (_, i) => bytes.subarray(i * 100 * 1024, (i + 1) * 100 * 1024));
    await expect(storage.put('tmp/big', Readable.from(chunks), { staged: true })).resolves.toMatchObject({ size: bytes.length });
    expect(calls).toEqual(['sync /uploads/tmp/big']);
    expect(jest.mocked(fsp.open).mock.calls.some(([path]) => String(path).endsWith('/tmp/big'))).toBe(true);
    expect(readFileSync(join(root, 'uploads', 'tmp', 'big')).equals(bytes)).toBe(true);
  });

  it('creates a missing folder only when the write into it fails, then writes once more', async () => {
    const mkdir = jest.spyOn(fsp, 'mkdir');
    const mkdirSync = jest.spyOn(fs, 'mkdirSync');
    const made = () => mkdir.mock.calls.length + mkdirSync.mock.calls.length;
    await storage.put('images/a', Readable.from([Buffer.from('first')]));
    expect(made()).toBe(1);
    await storage.put('images/b', Readable.from([Buffer.from('second')]));
    await storage.move('images/b', 'images/c');
    expect(made()).toBe(1);
    await storage.move('images/c', 'other/folder/c');
    expect(made()).toBe(2);
    await expect(readAll(await storage.open('other/folder/c'))).resolves.toBe('second');
    await expect(storage.move('images/missing', 'elsewhere/x')).rejects.toMatchObject({ name: 'ObjectNotFoundError' });
  });

  it('fsyncs the target folder after a move', async () => {
    await storage.put('tmp/abc', Readable.from([Buffer.from('bytes')]));
    calls.length = 0;
    await storage.move('tmp/abc', 'images/abc');
    expect(calls).toEqual(['rename /uploads/images/abc', 'sync /uploads/images']);
  });

  it(
    inlineCalls ? 'makes no thread-pool call but the fsyncs for a small write and its move' : 'opens and renames through fs/promises',
    async () => {
      await storage.put('tmp/abc', Readable.from([Buffer.from('bytes')]), { staged: true });
      await storage.move('tmp/abc', 'images/abc');
      expect(jest.mocked(fsp.open).mock.calls.length > 0).toBe(!inlineCalls);
      expect(jest.mocked(fsp.rename).mock.calls.length > 0).toBe(!inlineCalls);
      expect(jest.mocked(fs.fsync).mock.calls.length).toBe(inlineCalls ? 2 : 0);
    },
  );
});

describe('LocalDiskStorage on a slow disk', () => {
  it('sends its calls through the thread pool, with a warning, from the first one that holds the event loop too long', async () => {
    const root = mkdtempSync(join(tmpdir(), 'local-disk-storage-'));
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const openSync = jest.spyOn(fs, 'openSync');
    const open = jest.spyOn(fsp, 'open');
    try {
      // Every call counts as slow: the first write is made inline, and then none.
      const storage = new LocalDiskStorage(join(root, 'uploads'), { slowCallMs: -1 });
      await storage.put('images/a', Readable.from([Buffer.from('first')]));
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(
        /held the event loop for .* ms \(over -1\): opens, writes, closes and renames go through the thread pool/,
      );
      const inlineOpens = openSync.mock.calls.length;
      await storage.put('images/b', Readable.from([Buffer.from('second')]));
      await storage.move('images/b', 'images/c');
      expect(openSync.mock.calls.length).toBe(inlineOpens);
      expect(open).toHaveBeenCalled();
      await expect(readAll(await storage.open('images/c'))).resolves.toBe('second');
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      jest.restoreAllMocks();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}
