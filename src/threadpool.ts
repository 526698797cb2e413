/**
 * Sizes libuv's threadpool before anything uses it; main.ts imports this first.
 *
 * sharp runs each libvips pipeline on a libuv pool thread and holds it until the image is done,
 * and the sqlite3 driver, fs and dns.lookup queue on the same pool (4 threads by default). With
 * MAX_CONCURRENT_IMAGE_WORK decodes running, 4 threads stay free for the database and files:
 * a full image queue never makes a metadata read or /health wait behind pixels. libuv reads the
 * variable once, when the pool first starts, so it must be set before the first async fs call.
 * An operator's own UV_THREADPOOL_SIZE wins. (A value only in `.env` is read later, by the
 * config module: for the pool, set the variable in the real environment.)
 */
import { availableParallelism } from 'node:os';

/** Pool threads kept for the database driver, fs and dns while image work fills its own share. */
export const RESERVED_IO_THREADS = 4;
/** libuv's own ceiling. */
const MAX_POOL = 1024;

export function threadpoolSize(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.MAX_CONCURRENT_IMAGE_WORK?.trim() || env.MAX_CONCURRENT_TRANSFORMS?.trim();
  const parsed = raw && /^\d+$/.test(raw) ? Number(raw) : NaN;
  // An invalid value is reported by config validation at start; here the CPU count stands in.
  const imageWork = Number.isSafeInteger(parsed) && parsed > 0 ? parsed : availableParallelism();
  return Math.min(MAX_POOL, imageWork + RESERVED_IO_THREADS);
}

if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = String(threadpoolSize());
