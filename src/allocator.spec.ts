import { allocatorNotice, currentAllocator } from './allocator';

describe('allocator', () => {
  const JEMALLOC_MAPS = '7f00-7f01 r-xp 00000000 08:01 123 /usr/lib/x86_64-linux-gnu/libjemalloc.so.2\n';
  const PLAIN_MAPS = '7f00-7f01 r-xp 00000000 08:01 124 /usr/lib/x86_64-linux-gnu/libc.so.6\n';

  it('names jemalloc when it is mapped into the process', () => {
    expect(currentAllocator({ maps: JEMALLOC_MAPS, glibc: '2.36' })).toBe('jemalloc');
    expect(allocatorNotice('jemalloc', 'auto')).toEqual({ level: 'log', message: 'memory allocator: jemalloc' });
  });

  it("warns about glibc's malloc, unless the operator chose it", () => {
    expect(currentAllocator({ maps: PLAIN_MAPS, glibc: '2.36' })).toBe('glibc');
    expect(allocatorNotice('glibc', 'auto')).toEqual({ level: 'warn', message: expect.stringMatching(/libjemalloc2/) });
    expect(allocatorNotice('glibc', 'system')).toBeNull();
  });

  it('says nothing of other C libraries (macOS, musl)', () => {
    expect(currentAllocator({ maps: null, glibc: undefined })).toBe('other');
    expect(allocatorNotice('other', 'auto')).toBeNull();
  });

  it('reads this process itself', () => {
    const own = currentAllocator();
    expect(['jemalloc', 'glibc', 'other']).toContain(own);
    if (process.platform === 'linux' && process.report?.getReport()) expect(own).not.toBe('other');
  });
});
