import { Logger } from '@nestjs/common';
import { closeSync, createReadStream, fsync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { FileHandle, mkdir, open, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { createHash, randomBytes } from 'node:crypto';
import { ByteRange, ObjectInput, PutOptions, PutResult, StorageDriver, StoredObject, assertSafeKey } from './storage-driver';
import { ObjectNotFoundError, StorageUnavailableError } from './storage.errors';
import { FolderSyncs } from './folder-syncs';

/** errno codes that mean the disk, not the request, is at fault (EEXIST: a file where a folder must be). */
/** The folder the health check writes in; no object of the app's lives there. */
const PROBE_PREFIX = 'health-check';

const UNAVAILABLE = new Set(['ENOSPC', 'EACCES', 'EPERM', 'EROFS', 'EIO', 'EDQUOT', 'ENOTDIR', 'EEXIST', 'EMFILE', 'ENFILE']);

function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsync(fd, (error) => (error ? reject(error) : resolve())));
}

/**
 * Inline calls are judged by the window of the last WINDOW_CALLS: when its median takes longer than
 * this (ms), the disk is slow (a network file system, a device under pressure). One slow call is not
 * enough: under CPU load the loop's thread is preempted now and then in the middle of a call, and
 * that call then takes a scheduler's time slice (5 ms and more on a busy 2-core machine), whatever the disk.
 */
export const SLOW_CALL_MS = 1;
/** One call that holds the loop this long (ms) is enough on its own: no preemption lasts that long. */
export const STALLED_CALL_MS = 250;
const WINDOW_CALLS = 16;

export interface LocalDiskOptions {
  /** Opens, small writes, closes and renames on the event loop until they are slow (default), or always on the thread pool. */
  inlineCalls?: boolean;
  slowCallMs?: number;
  stalledCallMs?: number;
  /** The clock the inline calls are timed with (milliseconds); tests give their own. */
  clock?: () => number;
}

/**
 * Objects as files under UPLOAD_DIR; writes go to a `.part` file that is renamed when complete.
 * Durable: a 201 means the bytes survive a power cut, so the file is fsynced before its rename and
 * the folder after it (a rename lives in the folder's own blocks); concurrent renames into one
 * folder share its fsyncs (FolderSyncs). A staged object (a temporary
 * upload, read by no one but its writer until it is moved) is written in place under its key.
 *
 * The calls that wait for the device (fsync) run on libuv's thread pool. The opens, closes,
 * renames and the writes of small files (into the page cache: microseconds) are made on the event
 * loop: a thread-pool hand-off wakes a pool thread and then the loop, which cost ~100 µs of CPU per
 * call on the benchmark VM, many times the call itself. Each such call is timed; when the median of
 * the last WINDOW_CALLS takes over SLOW_CALL_MS, or one call over STALLED_CALL_MS (a network file
 * system, a disk under pressure), they all go through the thread pool from then on, with a warning.
 */
export class LocalDiskStorage extends StorageDriver {
  private readonly logger = new Logger(LocalDiskStorage.name);
  private readonly root: string;
  private inline: boolean;
  private readonly slowCallMs: number;
  private readonly stalledCallMs: number;
  private readonly clock: () => number;
  private readonly folderSyncs = new FolderSyncs((folder) => this.syncFolder(folder));
  /** Durations (ms) of the inline calls since the last judged window. */
  private readonly window: number[] = [];

  constructor(root: string, options: LocalDiskOptions = {}) {
    super();
    this.root = resolve(root);
    this.inline = options.inlineCalls ?? true;
    this.slowCallMs = options.slowCallMs ?? SLOW_CALL_MS;
    this.stalledCallMs = options.stalledCallMs ?? STALLED_CALL_MS;
    this.clock = options.clock ?? (() => performance.now());
  }

  async put(key: string, body: Readable, options: PutOptions = {}): Promise<PutResult> {
    const path = this.pathOf(key);
    // Staged: no `.part` and no rename (a call fewer per upload); move() publishes it.
    const written = options.staged ? path : `${path}.${randomBytes(6).toString('hex')}.part`;
    try {
      const result = await this.writeDurably(written, body, options.observe, options.staged ? 'w' : 'wx');
      if (options.staged) return result;
      await this.publish(written, path);
      return result;
    } catch (error) {
      // The cleanup fails too when the folder itself is the fault (ENOTDIR); report the first error.
      await rm(written, { force: true }).catch(() => undefined);
      throw translate(error);
    }
  }

  async open(key: string, range?: ByteRange, size?: number): Promise<Readable> {
    const path = this.pathOf(key);
    // Open first so that a missing file rejects here rather than erroring mid-response.
    const stream = createReadStream(path, readOptions(range, size));
    await new Promise<void>((ok, fail) => {
      stream.once('open', () => ok());
      stream.once('error', (error) => fail(isMissing(error) ? new ObjectNotFoundError(key) : translate(error)));
    });
    return stream;
  }

  async stat(key: string): Promise<StoredObject | null> {
    try {
      const info = await stat(this.pathOf(key));
      return info.isFile() ? { key, size: info.size, modifiedAt: info.mtime } : null;
    } catch (error) {
      if (isMissing(error)) return null;
      throw translate(error);
    }
  }

  async move(from: string, to: string): Promise<void> {
    const source = this.pathOf(from);
    const target = this.pathOf(to);
    try {
      await this.publish(source, target);
    } catch (error) {
      throw isMissing(error) ? new ObjectNotFoundError(from) : translate(error);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await rm(this.pathOf(key), { force: true });
    } catch (error) {
      throw translate(error);
    }
    await this.pruneParents(key);
  }

  async *emptyFolders(): AsyncIterable<StoredObject> {
    for (const path of await walkFolders(this.root)) {
      const key = relative(this.root, path).split(sep).join('/');
      if (!key.includes('/')) continue;
      const info = await stat(path).catch(() => undefined);
      const empty =
        info &&
        (await readdir(path).then(
          (entries) => entries.length === 0,
          () => false,
        ));
      if (info && empty) yield { key, size: 0, modifiedAt: info.mtime };
    }
  }

  async removeEmptyFolder(key: string): Promise<void> {
    if (!key.includes('/')) return;
    if (
      await rmdir(this.pathOf(key)).then(
        () => true,
        () => false,
      )
    )
      await this.pruneParents(key);
  }

  /**
   * Removes the folders above `key` that it leaves empty (`variants/<id>/` with its last variant),
   * never a top-level one (`images/`, `tmp/`, `variants/`). A folder that is not empty (another
   * object, a write in progress) or already gone ends the walk.
   */
  private async pruneParents(key: string): Promise<void> {
    const segments = key.split('/');
    for (let depth = segments.length - 1; depth > 1; depth--) {
      const removed = await rmdir(join(this.root, ...segments.slice(0, depth))).then(
        () => true,
        () => false,
      );
      if (!removed) return;
    }
  }

  async *list(prefix = ''): AsyncIterable<StoredObject> {
    for (const path of await walk(this.root)) {
      const key = relative(this.root, path).split(sep).join('/');
      if (!key.startsWith(prefix)) continue;
      const info = await stat(path).catch(() => undefined);
      if (info?.isFile()) yield { key, size: info.size, modifiedAt: info.mtime };
    }
  }

  /**
   * A real write, rename and delete under the driver's own probe prefix (to root, permissions say
   * little), and every top-level entry still a folder: a file in a folder's place fails its writes.
   */
  async check(): Promise<void> {
    const probe = `${PROBE_PREFIX}/${randomBytes(6).toString('hex')}`;
    try {
      await this.put(`${probe}-written`, Readable.from([Buffer.from('ok')]));
      await this.move(`${probe}-written`, `${probe}-moved`);
    } finally {
      await this.delete(`${probe}-written`).catch(() => undefined);
      await this.delete(`${probe}-moved`).catch(() => undefined);
    }
    const entries = await readdir(this.root, { withFileTypes: true }).catch((error: unknown) => Promise.reject(translate(error)));
    const blocked = entries.find((entry) => !entry.isDirectory());
    if (blocked) throw new StorageUnavailableError(new Error(`${blocked.name} is not a folder`));
  }

  /** libvips reads the file itself: no stream through JavaScript, and it seeks where a format needs. */
  async openInput(key: string): Promise<ObjectInput> {
    return { location: this.pathOf(key) };
  }

  /** Renames `from` to `to` (making `to`'s folder when missing), then fsyncs `to`'s folder (shared with concurrent renames into it). */
  private async publish(from: string, to: string): Promise<void> {
    if (this.inline) this.timed(() => withFolderSync(to, () => renameSync(from, to)));
    else await withFolder(to, () => rename(from, to));
    await this.folderSyncs.sync(dirname(to));
  }

  private async syncFolder(path: string): Promise<void> {
    if (!this.inline) return syncFolderOnPool(path);
    const folder = this.timed(() => openSync(path, 'r'));
    try {
      await fsyncFd(folder);
    } finally {
      this.timed(() => closeSync(folder));
    }
  }

  /**
   * Writes `body` to a file (`wx`: a new one; `w`: replacing what is there), hashing it (and showing
   * it to `observe`) on the way, and fsyncs the file before closing it. A body of less than
   * WRITE_BATCH_BYTES (nearly every upload) is written in one call once it has all arrived; a
   * larger one streams through a file handle in batches.
   */
  private async writeDurably(
    path: string,
    body: Readable,
    observe: ((chunk: Buffer) => void) | undefined,
    flags: 'w' | 'wx',
  ): Promise<PutResult> {
    const hash = createHash('sha256');
    const chunks = (body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    let size = 0;
    let batch: Buffer[] = [];
    let batched = 0;
    const take = (chunk: Buffer) => {
      observe?.(chunk);
      hash.update(chunk);
      size += chunk.length;
      batch.push(chunk);
      batched += chunk.length;
    };
    try {
      let next = await chunks.next();
      for (; !next.done && batched < WRITE_BATCH_BYTES; next = await chunks.next()) take(next.value);
      if (next.done && this.inline) {
        await this.writeSmall(path, Buffer.concat(batch, batched), flags);
        return { size, sha256: hash.digest('hex') };
      }
      if (!next.done) take(next.value);
      const handle = await withFolder(path, () => open(path, flags));
      try {
        while (batched) {
          await writeFully(handle, batch, batched);
          batch = [];
          batched = 0;
          while (batched < WRITE_BATCH_BYTES && !(next = await chunks.next()).done) take(next.value);
        }
        await handle.sync();
      } finally {
        await handle.close();
      }
      return { size, sha256: hash.digest('hex') };
    } finally {
      // Stops reading a body cut short by a failed write, as a for-await loop would; nothing once it ended.
      await chunks.return?.();
    }
  }

  private async writeSmall(path: string, bytes: Buffer, flags: 'w' | 'wx'): Promise<void> {
    const fd = this.timed(() => withFolderSync(path, () => openSync(path, flags)));
    try {
      this.timed(() => {
        for (let offset = 0; offset < bytes.length;) offset += writeSync(fd, bytes, offset);
      });
      await fsyncFd(fd);
    } finally {
      this.timed(() => closeSync(fd));
    }
  }

  /** Runs a file-system call on the event loop, timed (see the class comment). */
  private timed<T>(call: () => T): T {
    const started = this.clock();
    try {
      return call();
    } finally {
      this.judge(this.clock() - started);
    }
  }

  private judge(ms: number): void {
    if (!this.inline) return;
    if (ms > this.stalledCallMs)
      return this.toThreadPool(`a file-system call under ${this.root} held the event loop for ${ms.toFixed(1)} ms`);
    this.window.push(ms);
    if (this.window.length < WINDOW_CALLS) return;
    const median = this.window.sort((a, b) => a - b)[WINDOW_CALLS / 2];
    this.window.length = 0;
    if (median > this.slowCallMs)
      this.toThreadPool(
        `file-system calls under ${this.root} held the event loop for ${median.toFixed(2)} ms each (median of ${WINDOW_CALLS})`,
      );
  }

  private toThreadPool(what: string): void {
    this.inline = false;
    this.logger.warn(`${what}: opens, writes, closes and renames go through the thread pool from now on`);
  }

  private pathOf(key: string): string {
    return join(this.root, assertSafeKey(key));
  }
}

/**
 * Bytes gathered before one write: an upload arrives in socket-sized chunks (16–64 KB), and one
 * thread-pool write per chunk was a fifth of a 4.7 MB upload's main-thread time (`npm run bench`).
 */
const WRITE_BATCH_BYTES = 512 * 1024;

/** Reads of at most this many bytes: a ~110 KB image is one read, not two and a third at end of file. */
const MAX_READ_CHUNK = 256 * 1024;

/**
 * Bytes of known extent — a range, or a whole object of known size as the range 0…size−1 (no read
 * at end of file to learn that it ended) — are read in chunks of up to MAX_READ_CHUNK: each read is
 * a thread-pool call. An object of unknown size is read to its end in the stream's default chunks.
 */
function readOptions(range: ByteRange | undefined, size: number | undefined): { start?: number; end?: number; highWaterMark?: number } {
  const span = range ?? (size && size > 0 ? { start: 0, end: size - 1 } : undefined);
  if (!span) return {};
  return { start: span.start, end: span.end, highWaterMark: Math.min(span.end - span.start + 1, MAX_READ_CHUNK) };
}

async function writeFully(handle: FileHandle, chunks: Buffer[], length: number): Promise<void> {
  const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length);
  for (let offset = 0; offset < bytes.length;) {
    offset += (await handle.write(bytes, offset, bytes.length - offset)).bytesWritten;
  }
}

/**
 * Runs `write` (which creates `path`), creating the folder first only when it is missing: one
 * thread-pool call fewer per write into a folder that exists, which is nearly every write.
 */
async function withFolder<T>(path: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  await mkdir(dirname(path), { recursive: true });
  return write();
}

/** withFolder for a synchronous call. */
function withFolderSync<T>(path: string, write: () => T): T {
  try {
    return write();
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  mkdirSync(dirname(path), { recursive: true });
  return write();
}

async function syncFolderOnPool(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error) => {
    if (isMissing(error)) return [];
    throw translate(error);
  });
  const nested = await Promise.all(
    entries.map((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : Promise.resolve([join(dir, entry.name)]))),
  );
  return nested.flat();
}

/** Every folder below `dir` (not `dir` itself), parents before children. */
async function walkFolders(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const folders = entries.filter((entry) => entry.isDirectory()).map((entry) => join(dir, entry.name));
  const nested = await Promise.all(folders.map((folder) => walkFolders(folder)));
  return [...folders, ...nested.flat()];
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === 'ENOENT';
}

/** Disk faults become a 503; anything else (an aborted upload stream, say) passes through as is. */
function translate(error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException)?.code;
  return code && UNAVAILABLE.has(code) ? new StorageUnavailableError(error) : error;
}
