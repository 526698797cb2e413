import { clampSuffixRanges } from './content-sender';

describe('clampSuffixRanges (RFC 9110 §14.1.2)', () => {
  it.each([
    ['bytes=-500', 100, 'bytes=-100'],
    ['bytes=-100', 100, 'bytes=-100'],
    ['bytes=-5', 100, 'bytes=-5'],
    ['bytes=-0', 100, 'bytes=-0'],
    ['bytes=0-9, -999', 100, 'bytes=0-9,-100'],
    ['bytes=-99999999999999999999999', 100, 'bytes=-100'],
    ['bytes=10-', 100, 'bytes=10-'],
    ['garbage', 100, 'garbage'],
  ])('%s of %d bytes → %s', (header, size, expected) => expect(clampSuffixRanges(header, size)).toBe(expected));
});
