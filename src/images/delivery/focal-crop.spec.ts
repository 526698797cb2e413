import { focalCrop, focalPointOf } from './focal-crop';

describe('focalCrop', () => {
  const landscape = { width: 1000, height: 500 };
  const square = { width: 100, height: 100 };

  it('centres the region on the focal point when the frame allows', () => {
    // A 500×500 square of a 1000×500 image: the focal point at x=0.6 (600 px) is its centre.
    expect(focalCrop(landscape, square, { x: 0.6, y: 0.5 })).toEqual({ left: 350, top: 0, width: 500, height: 500 });
  });

  it('stops at the edges: the focal point is as close to the centre as the image allows', () => {
    expect(focalCrop(landscape, square, { x: 0.05, y: 0.5 })).toEqual({ left: 0, top: 0, width: 500, height: 500 });
    expect(focalCrop(landscape, square, { x: 1, y: 0 })).toEqual({ left: 500, top: 0, width: 500, height: 500 });
  });

  it('crops along the other axis for a wide output of a tall image', () => {
    const tall = { width: 400, height: 1200 };
    expect(focalCrop(tall, { width: 200, height: 100 }, { x: 0.5, y: 0.25 })).toEqual({ left: 0, top: 200, width: 400, height: 200 });
    expect(focalCrop(tall, { width: 200, height: 100 }, { x: 0.5, y: 0.99 })).toEqual({ left: 0, top: 1000, width: 400, height: 200 });
  });

  it('keeps the output aspect ratio and stays inside the image for odd sizes', () => {
    const region = focalCrop({ width: 333, height: 777 }, { width: 37, height: 91 }, { x: 0.9, y: 0.1 });
    expect(region.left + region.width).toBeLessThanOrEqual(333);
    expect(region.top + region.height).toBeLessThanOrEqual(777);
    expect(region.width / region.height).toBeCloseTo(37 / 91, 2);
  });

  it('treats out-of-range and non-numeric points as clamped or central', () => {
    expect(focalCrop(landscape, square, { x: -3, y: 9 })).toEqual({ left: 0, top: 0, width: 500, height: 500 });
    expect(focalCrop(landscape, square, { x: Number.NaN, y: 0.5 })).toEqual({ left: 250, top: 0, width: 500, height: 500 });
  });
});

describe('focalPointOf', () => {
  it('reads an entity that has the column, and one that does not yet', () => {
    expect(focalPointOf({ focalPoint: { x: 0.2, y: 0.8 } })).toEqual({ x: 0.2, y: 0.8 });
    expect(focalPointOf({ focalPoint: null })).toBeUndefined();
    expect(focalPointOf({})).toBeUndefined();
  });
});
