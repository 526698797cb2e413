import type { Resize, Transform } from './transform-params';

/** libjpeg scales while it decodes: 1/2, 1/4 and 1/8 of the pixels cost a fraction of a full decode. */
const SHRINKS = [8, 4, 2] as const;

/** A JPEG original decoded once at 1/shrink of its displayed size (orientation applied), exactly width × height. */
export interface Intermediate {
  shrink: (typeof SHRINKS)[number];
  width: number;
  height: number;
}

/**
 * What a variant of a JPEG is computed from: the original decoded at the largest shrink whose pixels
 * still cover the output's scale on both axes (that decode is then shared by the image's other
 * variants for a while), or undefined to decode the original for this variant alone (no resize, an
 * animation, a focal crop cut from the full-size pixels, too little shrink to gain from).
 *
 * It depends on the source and the transform only, never on what is in memory: a variant's bytes are
 * the same whichever instance computes it and whatever it computed before.
 */
export function intermediateOf({ source, resize, crop, animate }: Transform): Intermediate | undefined {
  if (source.format !== 'jpeg' || animate || !resize || (crop && 'region' in crop)) return undefined;
  const { width: W, height: H } = source;
  const [needW, needH] = scaledSize(resize, W, H);
  for (const shrink of SHRINKS) {
    if (W / shrink >= needW && H / shrink >= needH) return { shrink, width: Math.ceil(W / shrink), height: Math.ceil(H / shrink) };
  }
  return undefined;
}

/** The size the whole original is scaled to before any crop (cover) or padding (contain). */
function scaledSize({ width, height, fit }: Resize, W: number, H: number): [number, number] {
  if (fit === 'fill') return [width, height];
  const scale = fit === 'cover' ? Math.max(width / W, height / H) : Math.min(width / W, height / H);
  return [W * scale, H * scale];
}
