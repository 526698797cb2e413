export interface Size {
  width: number;
  height: number;
}

/** A point in 0…1 from the top left (the image's `focalPoint`). */
export interface FocalPoint {
  x: number;
  y: number;
}

export interface Region extends Size {
  left: number;
  top: number;
}

/**
 * The part of a `source`-sized image to cut out for a `cover` crop to `output`: the largest region
 * with the output's aspect ratio, placed so that the focal point is as close to its centre as the
 * image's edges allow. Resizing the region to `output` then gives the crop.
 */
export function focalCrop(source: Size, output: Size, focal: FocalPoint): Region {
  const scale = Math.max(output.width / source.width, output.height / source.height);
  const width = Math.min(source.width, Math.max(1, Math.round(output.width / scale)));
  const height = Math.min(source.height, Math.max(1, Math.round(output.height / scale)));
  return {
    left: centredOn(clamp01(focal.x) * source.width, width, source.width),
    top: centredOn(clamp01(focal.y) * source.height, height, source.height),
    width,
    height,
  };
}

/** The start of a `length` span centred on `at`, shifted back inside 0…`total`. */
function centredOn(at: number, length: number, total: number): number {
  return Math.min(total - length, Math.max(0, Math.round(at - length / 2)));
}

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0.5;
}

/** The image's focal point if its entity has one (the column arrives with the metadata work). */
export function focalPointOf(image: object): FocalPoint | undefined {
  const focal = (image as { focalPoint?: FocalPoint | null }).focalPoint;
  return focal && typeof focal.x === 'number' && typeof focal.y === 'number' ? focal : undefined;
}
