import { intermediateOf } from './intermediate';
import { TransformParams, normaliseTransform } from './transform-params';

const photo = { mimeType: 'image/jpeg', width: 2048, height: 1536 };
const planOf = (params: TransformParams, source: Parameters<typeof normaliseTransform>[1] = photo) => {
  const transform = normaliseTransform(params, source);
  if (!transform) throw new Error('no transform');
  return intermediateOf(transform);
};

describe('intermediateOf', () => {
  it('takes the largest shrink whose pixels still cover the output on both axes', () => {
    expect(planOf({ w: 512 })).toEqual({ shrink: 4, width: 512, height: 384 });
    expect(planOf({ w: 511 })).toEqual({ shrink: 4, width: 512, height: 384 });
    expect(planOf({ w: 513 })).toEqual({ shrink: 2, width: 1024, height: 768 });
    expect(planOf({ w: 256 })).toEqual({ shrink: 8, width: 256, height: 192 });
    expect(planOf({ w: 40 })).toEqual({ shrink: 8, width: 256, height: 192 });
    // Sizes that do not divide round up, as libjpeg's scaled decode does.
    expect(planOf({ w: 100 }, { ...photo, width: 2049, height: 1537 })).toEqual({ shrink: 8, width: 257, height: 193 });
  });

  it('covers the scaled size of a crop (cover) or of the padded image (contain), and both sides of fill', () => {
    // cover 400×100 scales the 4:3 photo to 400×300, then cuts: 1/4 (512×384) covers it.
    expect(planOf({ w: 400, h: 100, fit: 'cover' })).toMatchObject({ shrink: 4 });
    // 1000 wide by cover needs 1000×750: only 1/2 does.
    expect(planOf({ w: 1000, h: 10, fit: 'cover' })).toMatchObject({ shrink: 2 });
    expect(planOf({ w: 1000, h: 1000, fit: 'contain' })).toMatchObject({ shrink: 2 });
    // fill stretches: the taller side decides.
    expect(planOf({ w: 100, h: 700, fit: 'fill' })).toMatchObject({ shrink: 2 });
  });

  it('decodes the original for that variant alone where nothing is gained or the pixels must be the full ones', () => {
    expect(planOf({ w: 1100 })).toBeUndefined(); // under 2× smaller
    expect(planOf({ format: 'webp' })).toBeUndefined(); // no resize
    expect(planOf({ w: 100 }, { ...photo, mimeType: 'image/png' })).toBeUndefined();
    expect(planOf({ w: 100 }, { ...photo, mimeType: 'image/webp' })).toBeUndefined();
    expect(planOf({ w: 100 }, { ...photo, mimeType: 'image/gif' })).toBeUndefined();
    // A focal crop cuts its region from the full-size pixels.
    expect(planOf({ w: 100, h: 100, fit: 'cover' }, { ...photo, focalPoint: { x: 0.1, y: 0.1 } })).toBeUndefined();
    // Strategies look at the resized image: the intermediate serves them.
    expect(planOf({ w: 100, h: 100, fit: 'cover', position: 'attention' })).toMatchObject({ shrink: 8 });
  });
});
