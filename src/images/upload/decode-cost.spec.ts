import { decodeCost } from './decode-cost';

describe('decodeCost', () => {
  it('is width × height × channels × bytes per sample', () => {
    expect(decodeCost({ width: 100, height: 50, channels: 3, depth: 'uchar' })).toBe(15_000);
    expect(decodeCost({ width: 100, height: 50, channels: 4, depth: 'ushort' })).toBe(40_000);
    expect(decodeCost({ width: 10, height: 10, channels: 1, depth: 'float' })).toBe(400);
    expect(decodeCost({ width: 10, height: 10, channels: 2, depth: 'double' })).toBe(1_600);
  });

  it('counts an unknown sample format as the widest, and missing channels as four', () => {
    expect(decodeCost({ width: 10, height: 10, channels: 1, depth: 'mystery' })).toBe(1_600);
    expect(decodeCost({ width: 10, height: 10, depth: 'uchar' })).toBe(400);
  });

  it('lets every 8-bit image within the default pixel limit through the default budget', () => {
    expect(decodeCost({ width: 10_000, height: 5_000, channels: 4, depth: 'uchar' })).toBeLessThanOrEqual(256 * 1024 ** 2);
  });

  it('puts a 16-bit RGBA 5800×5800 just over the default budget', () => {
    expect(decodeCost({ width: 5_800, height: 5_800, channels: 4, depth: 'ushort' })).toBeGreaterThan(256 * 1024 ** 2);
  });
});
