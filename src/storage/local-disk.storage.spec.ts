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
  /** When set, each fsync is logged when it begins too, and takes at least this long (ms). */
  let slowSyncs: number | undefined;
  const beginSync = async (path: string | undefined) => {
    if (slowSyncs === undefined) return;
    calls.push(`begin sync ${path}`);
    await new Promise((resolve) => setTimeout(resolve, slowSyncs));
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'local-disk-storage-'));
    storage = new LocalDiskStorage(join(root, 'uploads'), { inlineCalls });
    calls = [];
    slowSyncs = undefined;
    // Every file the driver opens reports its fsync, whichever way it was opened; renames report
    // themselves once done (a rename into a missing folder fails once, before the folder is made).
    const realOpen = fsp.open;
    jest.spyOn(fsp, 'open').mockImplementation(async (...args: Parameters<typeof fsp.open>) => {
      const handle = await realOpen(...args);
      const sync = handle.sync.bind(handle);
      jest.spyOn(handle, 'sync').mockImplementation(async () => {
        await beginSync(String(args[0]).slice(root.length));
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
      void beginSync(paths.get(fd)).then(() =>
        realFsync(fd, (error) => {
          if (!error) calls.push(`sync ${paths.get(fd)}`);
          callback(error);
        }),
      );
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

  it('lets concurrent moves into one folder share its fsyncs, each answered by one that began after its rename', async () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    for (const name of names) await storage.put(`tmp/${name}`, Readable.from([Buffer.from(name)]), { staged: true });
    calls.length = 0;
    slowSyncs = 30;
    await Promise.all(names.map((name) => storage.move(`tmp/${name}`, `images/${name}`).then(() => calls.push(`done ${name}`))));
    const folderSyncs = calls.filter((call) => call === 'begin sync /uploads/images').length;
    expect(folderSyncs).toBeGreaterThanOrEqual(2);
    expect(folderSyncs).toBeLessThan(names.length);
    for (const name of names) {
      const renamed = calls.indexOf(`rename /uploads/images/${name}`);
      const done = calls.indexOf(`done ${name}`);
      // Some folder fsync began after this rename and ended before this move was answered.
      const begun = calls.findIndex((call, i) => i > renamed && call === 'begin sync /uploads/images');
      const ended = calls.indexOf('sync /uploads/images', begun);
      expect(renamed).toBeGreaterThanOrEqual(0);
      expect(begun).toBeGreaterThan(renamed);
      expect(ended).toBeGreaterThan(begun);
      expect(done).toBeGreaterThan(ended);
    }
    for (const name of names) await expect(readAll(await storage.open(`images/${name}`))).resolves.toBe(name);
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
  let root: string;
  let warn: jest.SpyInstance;
  /** Every inline call lasts `tick` ms by this clock (it is read at a call's start and end). */
  let tick: number;
  let now: number;
  const clock = () => {
    const at = now;
    now += tick;
    return at;
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'local-disk-storage-'));
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    tick = 0.05;
    now = 0;
  });
  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(root, { recursive: true, force: true });
  });

  /** Small puts (6 inline calls each: open, write, close, rename, open and close of the folder) until `count` are done. */
  async function puts(storage: LocalDiskStorage, count: number, from = 0): Promise<void> {
    for (let i = from; i < from + count; i++) await storage.put(`images/${i}`, Readable.from([Buffer.from(`bytes ${i}`)]));
  }

  it('stays on the event loop when single calls are slow now and then (a preempted thread, not a slow disk)', async () => {
    const storage = new LocalDiskStorage(join(root, 'uploads'), { clock });
    const openSync = jest.spyOn(fs, 'openSync');
    for (let i = 0; i < 20; i++) {
      // Every fourth put's 6 calls take 40 ms each (over SLOW_CALL_MS, under STALLED_CALL_MS): at most 6 of a window's 16.
      tick = i % 4 === 0 ? 40 : 0.05;
      await puts(storage, 1, i);
    }
    const open = jest.spyOn(fsp, 'open');
    await puts(storage, 1, 20);
    expect(open).not.toHaveBeenCalled();
    expect(openSync).toHaveBeenCalled();
    expect(warn).not.toHaveBeenCalled();
  });

  it('sends its calls through the thread pool, with one warning, once the median of a window of calls is slow', async () => {
    const storage = new LocalDiskStorage(join(root, 'uploads'), { clock });
    tick = 2;
    // 16 calls make a window: the first 2 puts (12 calls) are inline and judge nothing yet, the third ends the window.
    await puts(storage, 2);
    expect(warn).not.toHaveBeenCalled();
    await puts(storage, 1, 2);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(
      /held the event loop for 2\.00 ms each \(median of 16\): opens, writes, closes and renames go through the thread pool/,
    );
    const openSync = jest.spyOn(fs, 'openSync');
    const open = jest.spyOn(fsp, 'open');
    await puts(storage, 1, 3);
    await storage.move('images/3', 'images/moved');
    expect(openSync).not.toHaveBeenCalled();
    expect(open).toHaveBeenCalled();
    await expect(readAll(await storage.open('images/moved'))).resolves.toBe('bytes 3');
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('sends its calls through the thread pool after one call that stalls the event loop', async () => {
    const storage = new LocalDiskStorage(join(root, 'uploads'), { clock });
    await puts(storage, 1);
    tick = 300;
    await puts(storage, 1, 1);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(
      /held the event loop for 300\.0 ms: opens, writes, closes and renames go through the thread pool/,
    );
    const openSync = jest.spyOn(fs, 'openSync');
    await puts(storage, 1, 2);
    expect(openSync).not.toHaveBeenCalled();
    await expect(readAll(await storage.open('images/2'))).resolves.toBe('bytes 2');
  });
});

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}
