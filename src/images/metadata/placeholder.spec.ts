import { dominantColor, thumbnailRgba } from './placeholder';

const shrinkRgba = (data: Uint8Array, width: number, height: number, side: number) => thumbnailRgba(data, width, height, 4, side);

function image(width: number, height: number, pixel: (x: number, y: number) => [number, number, number, number]): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(pixel(x, y), (y * width + x) * 4);
  return data;
}

describe('thumbnailRgba', () => {
  it('fits inside the side, keeping the aspect ratio, and never enlarges', () => {
    expect(shrinkRgba(new Uint8Array(100 * 75 * 4), 100, 75, 32)).toMatchObject({ width: 32, height: 24 });
    expect(shrinkRgba(new Uint8Array(75 * 100 * 4), 75, 100, 32)).toMatchObject({ width: 24, height: 32 });
    expect(shrinkRgba(new Uint8Array(1 * 5000 * 4), 1, 5000, 32)).toMatchObject({ width: 1, height: 32 });
    const small = new Uint8Array(10 * 8 * 4);
    expect(shrinkRgba(small, 10, 8, 32)).toEqual({ data: small, width: 10, height: 8 });
  });

  it('keeps a flat colour exact', () => {
    const { data } = shrinkRgba(
      image(97, 61, () => [0, 192, 0, 255]),
      97,
      61,
      32,
    );
    for (let i = 0; i < data.length; i += 4) expect([...data.subarray(i, i + 4)]).toEqual([0, 192, 0, 255]);
  });

  it('weights by alpha: a transparent background lends no colour to the edges of a patch', () => {
    // Left half opaque green, right half transparent red, the boundary inside output pixels.
    const { data, width } = shrinkRgba(
      image(99, 10, (x) => (x < 50 ? [0, 192, 0, 255] : [255, 0, 0, 0])),
      99,
      10,
      32,
    );
    for (let x = 0; x < width; x++) {
      const [r, g, b, a] = data.subarray(x * 4, x * 4 + 4);
      if (a) expect([r, g, b]).toEqual([0, 192, 0]);
    }
    expect(dominantColor(data)).toBe('#00c000');
  });

  it('averages a box: a 2×2 checkerboard of black and white becomes grey', () => {
    const { data } = shrinkRgba(
      image(64, 64, (x, y) => ((x + y) % 2 ? [255, 255, 255, 255] : [0, 0, 0, 255])),
      64,
      64,
      32,
    );
    expect([...data.subarray(0, 4)]).toEqual([128, 128, 128, 255]);
  });

  it('takes RGB too, as opaque', () => {
    const rgb = new Uint8Array(40 * 20 * 3).fill(7);
    const { data, width, height } = thumbnailRgba(rgb, 40, 20, 3, 32);
    expect({ width, height }).toEqual({ width: 32, height: 16 });
    expect([...data.subarray(0, 4)]).toEqual([7, 7, 7, 255]);
    expect(thumbnailRgba(new Uint8Array(2 * 2 * 3), 2, 2, 3, 32).data).toHaveLength(2 * 2 * 4);
  });

  it('refuses other channel counts', () => {
    expect(() => thumbnailRgba(new Uint8Array(4), 2, 2, 1, 32)).toThrow(/channels/);
  });
});
