import { SourceImage, TransformParams, displayedSize, hashOfKey, normaliseTransform, toQueryString } from './transform-params';

// Keys name the resolved output (w and h both), not the request: two requests that produce the same
// pixels must share one variant, and a bigger request than the original must not enlarge it.
const photo = (mimeType = 'image/jpeg'): SourceImage => ({ mimeType, width: 1000, height: 750 });

describe('normaliseTransform', () => {
  it('serves the original when nothing changes the output', () => {
    expect(normaliseTransform({}, photo())).toBeNull();
    expect(normaliseTransform({ format: 'jpeg' }, photo())).toBeNull();
    expect(normaliseTransform({ fit: 'cover', q: 50 }, photo('image/png'))).toBeNull();
  });

  it('never enlarges: a request at or above the original size is the original', () => {
    expect(normaliseTransform({ w: 5000 }, photo())).toBeNull();
    expect(normaliseTransform({ w: 1000, h: 750 }, photo())).toBeNull();
    expect(normaliseTransform({ w: 4096 }, { mimeType: 'image/png', width: 1, height: 10 })).toBeNull();
    expect(normaliseTransform({ h: 4096 }, { mimeType: 'image/png', width: 64, height: 48 })).toBeNull();
    expect(normaliseTransform({ w: 5000, format: 'webp' }, photo())).toMatchObject({
      key: 'format=webp',
      output: { width: 1000, height: 750 },
    });
  });

  it('keys a resize by its output size, so requests giving the same output share one variant', () => {
    const plain = normaliseTransform({ w: 300 }, photo());
    expect(plain).toMatchObject({
      key: 'w=300&h=225',
      output: { width: 300, height: 225 },
      resize: { width: 300, height: 225, fit: 'fill' },
    });
    for (const same of [
      { w: 300, h: 225 },
      { w: 300, fit: 'inside' },
      { h: 225 },
      { w: 300, h: 4096 },
      { w: 300, h: 225, fit: 'outside' },
      { w: 300, fit: 'cover' },
    ] as TransformParams[]) {
      expect(normaliseTransform(same, photo())?.key).toBe(plain?.key);
    }
  });

  it('bounds box fits (cover, contain) by the original, keeping the asked aspect', () => {
    expect(normaliseTransform({ w: 200, h: 200, fit: 'cover' }, photo())).toMatchObject({
      key: 'w=200&h=200&fit=cover',
      output: { width: 200, height: 200 },
    });
    expect(normaliseTransform({ w: 4000, h: 4000, fit: 'cover' }, photo())).toMatchObject({ key: 'w=750&h=750&fit=cover' });
    expect(normaliseTransform({ w: 4096, h: 10, fit: 'contain' }, { mimeType: 'image/png', width: 1, height: 10 })?.output).toEqual({
      width: 1,
      height: 1,
    });
  });

  it('stretches only the given sides with fill, never beyond the original', () => {
    expect(normaliseTransform({ h: 10, fit: 'fill' }, photo('image/webp'))?.key).toBe('w=1000&h=10&fit=fill');
    expect(normaliseTransform({ w: 4096, h: 10, fit: 'fill' }, photo())?.key).toBe('w=1000&h=10&fit=fill');
  });

  it('keeps every side at most 4096, even for a format conversion', () => {
    const big: SourceImage = { mimeType: 'image/png', width: 8192, height: 2048 };
    expect(normaliseTransform({ format: 'webp' }, big)).toMatchObject({
      key: 'w=4096&h=1024&format=webp',
      output: { width: 4096, height: 1024 },
    });
  });

  it('is idempotent: normalising a key gives the same key (signed links carry keys)', () => {
    const sources: SourceImage[] = [
      photo(),
      { mimeType: 'image/png', width: 3, height: 2 },
      { mimeType: 'image/png', width: 997, height: 13 },
    ];
    for (const source of sources) {
      for (let w = 1; w <= 40; w += 3) {
        for (const fit of ['inside', 'outside', 'cover', 'contain', 'fill'] as const) {
          for (const params of [
            { w, fit },
            { w, h: 7, fit },
            { h: w, fit },
          ] as TransformParams[]) {
            const first = normaliseTransform(params, source);
            if (!first) continue;
            expect(normaliseTransform(first.params, source)?.key).toBe(first.key);
          }
        }
      }
    }
  });

  it("treats the original's format and the default quality as absent", () => {
    expect(normaliseTransform({ w: 10, format: 'png' }, photo('image/png'))).toEqual(normaliseTransform({ w: 10 }, photo('image/png')));
    expect(normaliseTransform({ w: 10, q: 80 }, photo())?.key).toBe(normaliseTransform({ w: 10 }, photo())?.key);
  });

  it('ignores quality for lossless output', () => {
    expect(normaliseTransform({ w: 10, q: 40 }, photo('image/png'))?.key).toBe('w=10&h=8');
    expect(normaliseTransform({ format: 'png', q: 40 }, photo())?.key).toBe('format=png');
    expect(normaliseTransform({ w: 10, q: 40 }, photo('image/gif'))).toMatchObject({ key: 'w=10&h=8', encodeAs: 'gif' });
  });

  it('keeps every parameter that changes the output, in a fixed order', () => {
    const transform = normaliseTransform({ q: 70, format: 'webp', fit: 'cover', h: 20, w: 30 }, photo());
    expect(transform).toMatchObject({
      params: { w: 30, h: 20, fit: 'cover', format: 'webp', q: 70 },
      key: 'w=30&h=20&fit=cover&format=webp&q=70',
      encodeAs: 'webp',
    });
  });

  it('refuses a type it cannot encode', () => {
    expect(() => normaliseTransform({ w: 1 }, photo('image/svg+xml'))).toThrow();
  });
});

describe('displayedSize', () => {
  it('swaps width and height for EXIF orientations 5 to 8', () => {
    expect(displayedSize({ width: 64, height: 48 }, 6)).toEqual({ width: 48, height: 64 });
    expect(displayedSize({ width: 64, height: 48 }, 3)).toEqual({ width: 64, height: 48 });
    expect(displayedSize({ width: 64, height: 48 }, null)).toEqual({ width: 64, height: 48 });
  });
});

describe('toQueryString', () => {
  it('is empty without parameters', () => {
    expect(toQueryString({})).toBe('');
  });
});

describe('hashOfKey', () => {
  it('is stable, distinct and path-safe', () => {
    expect(hashOfKey('w=1')).toBe(hashOfKey('w=1'));
    expect(hashOfKey('w=1')).not.toBe(hashOfKey('w=2'));
    expect(hashOfKey('w=1')).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('normaliseTransform: crop positions and focal points', () => {
  const photo = { mimeType: 'image/jpeg', width: 1000, height: 500 };

  it('keys attention/entropy only when a cover crop cuts something', () => {
    expect(normaliseTransform({ w: 100, h: 100, fit: 'cover', position: 'attention' }, photo)).toMatchObject({
      key: 'w=100&h=100&fit=cover&position=attention',
      crop: { strategy: 'attention' },
    });
    // The box has the image's aspect: nothing is cut, so the position changes nothing.
    expect(normaliseTransform({ w: 200, h: 100, fit: 'cover', position: 'entropy' }, photo)?.key).toBe('w=200&h=100&fit=cover');
    expect(normaliseTransform({ w: 100, h: 100, fit: 'contain', position: 'attention' }, photo)?.key).toBe('w=100&h=100&fit=contain');
    expect(normaliseTransform({ w: 100, h: 100, fit: 'cover', position: 'center' }, photo)?.key).toBe('w=100&h=100&fit=cover');
  });

  it('crops around the focal point by default, keyed by the region it cuts', () => {
    const focal = { ...photo, focalPoint: { x: 0.9, y: 0.5 } };
    expect(normaliseTransform({ w: 100, h: 100, fit: 'cover' }, focal)).toMatchObject({
      key: 'w=100&h=100&fit=cover&crop=500,0,500,500',
      crop: { region: { left: 500, top: 0, width: 500, height: 500 } },
    });
    // An explicit position overrides the focal point; center is then part of the key.
    expect(normaliseTransform({ w: 100, h: 100, fit: 'cover', position: 'center' }, focal)).toMatchObject({
      key: 'w=100&h=100&fit=cover&position=center',
      crop: undefined,
    });
  });

  it('lets GIF and WebP originals keep their frames only in formats that encode them', () => {
    const gif = { mimeType: 'image/gif', width: 100, height: 100 };
    expect(normaliseTransform({ w: 50 }, gif)?.animate).toBe(true);
    expect(normaliseTransform({ w: 50, format: 'webp' }, gif)?.animate).toBe(true);
    expect(normaliseTransform({ w: 50, format: 'avif' }, gif)?.animate).toBe(false);
    expect(normaliseTransform({ w: 50, format: 'webp' }, photo)?.animate).toBe(false);
  });
});
