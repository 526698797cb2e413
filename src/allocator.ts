import { readFileSync } from 'node:fs';

/** The memory allocator this process runs on, as `scripts/start.sh` set it up. */
export type Allocator = 'jemalloc' | 'glibc' | 'other';

/** Reads the process' own mappings (Linux) and the C library Node was built against. */
export function currentAllocator({ maps, glibc } = { maps: readMaps(), glibc: glibcVersion() }): Allocator {
  if (maps && /\/libjemalloc\.so/.test(maps)) return 'jemalloc';
  return glibc ? 'glibc' : 'other';
}

/**
 * One start-up line: jemalloc is said, glibc's allocator is warned about (unless the operator chose
 * it with MEMORY_ALLOCATOR=system), anything else (macOS, musl) is left unsaid.
 */
export function allocatorNotice(allocator: Allocator, setting: 'auto' | 'system'): { level: 'log' | 'warn'; message: string } | null {
  if (allocator === 'jemalloc') return { level: 'log', message: 'memory allocator: jemalloc' };
  if (allocator !== 'glibc' || setting === 'system') return null;
  return {
    level: 'warn',
    message:
      "memory allocator: glibc's malloc, which keeps the memory libvips frees after bursts of image work; " +
      'install jemalloc (Debian/Ubuntu: apt-get install libjemalloc2) and start with `npm start` (scripts/start.sh)',
  };
}

function readMaps(): string | null {
  try {
    return readFileSync('/proc/self/maps', 'utf8');
  } catch {
    return null;
  }
}

function glibcVersion(): string | undefined {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return header?.glibcVersionRuntime;
}
