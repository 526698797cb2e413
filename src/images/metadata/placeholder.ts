import { rgbaToThumbHash } from 'thumbhash';

/**
 * The thumbnail's longer side. ThumbHash takes up to 100 px but keeps at most 7×7 DCT terms, which
 * 32 px carry; the reference encoder's time grows with the pixel count (~10 ms at 100×75, ~1 ms at 32×24).
 */
export const PLACEHOLDER_SIDE = 32;

/** The placeholder fields of an RGBA thumbnail (each side ≤ 100, ThumbHash's limit). */
export function placeholderOf(rgba: Uint8Array, width: number, height: number): { thumbhash: string; dominantColor: string } {
  return { thumbhash: Buffer.from(rgbaToThumbHash(width, height, rgba)).toString('base64'), dominantColor: dominantColor(rgba) };
}

/**
 * The most common colour: pixels counted in 16 levels a channel, weighted by their alpha (what
 * is transparent is not seen), the winning bin's mean colour. Written here: sharp's stats()
 * ignores alpha, and this is a few lines over a 100-px thumbnail.
 */
export function dominantColor(rgba: Uint8Array): string {
  const weight = new Float64Array(4096);
  const sums = new Float64Array(4096 * 3);
  for (let i = 0; i + 3 < rgba.length; i += 4) {
    const a = rgba[i + 3] / 255;
    if (!a) continue;
    const bin = ((rgba[i] >> 4) << 8) | ((rgba[i + 1] >> 4) << 4) | (rgba[i + 2] >> 4);
    weight[bin] += a;
    sums[bin * 3] += rgba[i] * a;
    sums[bin * 3 + 1] += rgba[i + 1] * a;
    sums[bin * 3 + 2] += rgba[i + 2] * a;
  }
  let best = 0;
  for (let bin = 1; bin < 4096; bin++) if (weight[bin] > weight[best]) best = bin;
  if (!weight[best]) return '#000000';
  const hex = (c: number) =>
    Math.round(sums[best * 3 + c] / weight[best])
      .toString(16)
      .padStart(2, '0');
  return `#${hex(0)}${hex(1)}${hex(2)}`;
}
