import { availableParallelism } from 'node:os';
import { RESERVED_IO_THREADS, threadpoolSize } from './threadpool';

describe('threadpoolSize', () => {
  it('is the image-work limit plus threads kept for database and file I/O', () => {
    expect(threadpoolSize({ MAX_CONCURRENT_IMAGE_WORK: '6' })).toBe(6 + RESERVED_IO_THREADS);
    expect(threadpoolSize({ MAX_CONCURRENT_TRANSFORMS: '3' })).toBe(3 + RESERVED_IO_THREADS);
  });

  it('falls back to the CPU count for an absent or invalid limit (validation reports it)', () => {
    expect(threadpoolSize({})).toBe(availableParallelism() + RESERVED_IO_THREADS);
    expect(threadpoolSize({ MAX_CONCURRENT_IMAGE_WORK: 'lots' })).toBe(availableParallelism() + RESERVED_IO_THREADS);
  });
});
