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

/** 16 levels a channel: 4096 colour bins. */
const BINS = 4096;
/** Scratch space, reused: fresh typed arrays of 4096 bins per upload were its most expensive line (`npm run bench` profile). */
const binWeight = new Float64Array(BINS);
const binSums = new Float64Array(BINS * 3);

/**
 * The most common colour: pixels counted in 16 levels a channel, weighted by their alpha (what
 * is transparent is not seen), the winning bin's mean colour. Written here: sharp's stats()
 * ignores alpha, and this is a few lines over a 32-px thumbnail. Only the bins the pixels touch
 * are read and cleared, so the cost follows the thumbnail, not the 4096 bins.
 */
export function dominantColor(rgba: Uint8Array): string {
  const touched: number[] = [];
  for (let i = 0; i + 3 < rgba.length; i += 4) {
    const a = rgba[i + 3] / 255;
    if (!a) continue;
    const bin = ((rgba[i] >> 4) << 8) | ((rgba[i + 1] >> 4) << 4) | (rgba[i + 2] >> 4);
    if (binWeight[bin] === 0) touched.push(bin);
    binWeight[bin] += a;
    binSums[bin * 3] += rgba[i] * a;
    binSums[bin * 3 + 1] += rgba[i + 1] * a;
    binSums[bin * 3 + 2] += rgba[i + 2] * a;
  }
  let best = -1;
  // Ties go to the lowest bin, whatever order the pixels came in.
  for (const bin of touched)
    if (best < 0 || binWeight[bin] > binWeight[best] || (binWeight[bin] === binWeight[best] && bin < best)) best = bin;
  const colour = best < 0 ? '#000000' : `#${[0, 1, 2].map((c) => hex(binSums[best * 3 + c] / binWeight[best])).join('')}`;
  for (const bin of touched) {
    binWeight[bin] = 0;
    binSums.fill(0, bin * 3, bin * 3 + 3);
  }
  return colour;
}

function hex(channel: number): string {
  return Math.round(channel).toString(16).padStart(2, '0');
}

/**
 * 8-bit sRGB pixels (3 or 4 channels) as an RGBA thumbnail that fits inside `side` × `side` (never
 * enlarged): each output pixel averages its box of input pixels weighted by alpha, so a transparent
 * neighbour lends no colour, a flat patch keeps its exact colour and its edges take none of the
 * background's.
 */
export function thumbnailRgba(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: number,
  side: number,
): { data: Uint8Array; width: number; height: number } {
  if (channels !== 3 && channels !== 4) throw new Error(`expected 3 or 4 channels, got ${channels}`);
  const scale = Math.min(1, side / width, side / height);
  const outWidth = Math.max(1, Math.round(width * scale));
  const outHeight = Math.max(1, Math.round(height * scale));
  if (outWidth === width && outHeight === height && channels === 4) return { data: pixels, width, height };
  const out = new Uint8Array(outWidth * outHeight * 4);
  for (let oy = 0; oy < outHeight; oy++) {
    const y0 = Math.floor((oy * height) / outHeight);
    const y1 = Math.max(y0 + 1, Math.floor(((oy + 1) * height) / outHeight));
    for (let ox = 0; ox < outWidth; ox++) {
      const x0 = Math.floor((ox * width) / outWidth);
      const x1 = Math.max(x0 + 1, Math.floor(((ox + 1) * width) / outWidth));
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let y = y0; y < y1; y++) {
        for (let i = (y * width + x0) * channels, end = (y * width + x1) * channels; i < end; i += channels) {
          const alpha = channels === 4 ? pixels[i + 3] : 255;
          r += pixels[i] * alpha;
          g += pixels[i + 1] * alpha;
          b += pixels[i + 2] * alpha;
          a += alpha;
        }
      }
      const o = (oy * outWidth + ox) * 4;
      if (a) {
        out[o] = Math.round(r / a);
        out[o + 1] = Math.round(g / a);
        out[o + 2] = Math.round(b / a);
      }
      out[o + 3] = Math.round(a / ((y1 - y0) * (x1 - x0)));
    }
  }
  return { data: out, width: outWidth, height: outHeight };
}
