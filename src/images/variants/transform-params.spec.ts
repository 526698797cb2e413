import { hashOfKey, normalizeTransform, toQueryString } from './transform-params';

describe('normalizeTransform', () => {
  it('serves the original when nothing changes the output', () => {
    expect(normalizeTransform({}, 'image/jpeg')).toBeNull();
    expect(normalizeTransform({ format: 'jpeg' }, 'image/jpeg')).toBeNull();
    expect(normalizeTransform({ fit: 'cover', q: 50 }, 'image/png')).toBeNull();
  });

  it('treats the default fit as absent', () => {
    const plain = normalizeTransform({ w: 100 }, 'image/jpeg');
    expect(normalizeTransform({ w: 100, fit: 'inside' }, 'image/jpeg')).toEqual(plain);
    expect(plain).toEqual({ params: { w: 100 }, key: 'w=100', encodeAs: 'jpeg' });
  });

  it("treats the original's format as absent", () => {
    expect(normalizeTransform({ w: 10, format: 'png' }, 'image/png')).toEqual(normalizeTransform({ w: 10 }, 'image/png'));
  });

  it('ignores quality for lossless output', () => {
    expect(normalizeTransform({ w: 10, q: 40 }, 'image/png')?.key).toBe('w=10');
    expect(normalizeTransform({ format: 'png', q: 40 }, 'image/jpeg')?.key).toBe('format=png');
    expect(normalizeTransform({ w: 10, q: 40 }, 'image/gif')).toMatchObject({ key: 'w=10', encodeAs: 'gif' });
  });

  it('keeps every parameter that changes the output, in a fixed order', () => {
    const transform = normalizeTransform({ q: 70, format: 'webp', fit: 'cover', h: 20, w: 30 }, 'image/jpeg');
    expect(transform).toEqual({
      params: { w: 30, h: 20, fit: 'cover', format: 'webp', q: 70 },
      key: 'w=30&h=20&fit=cover&format=webp&q=70',
      encodeAs: 'webp',
    });
  });

  it('keeps a non-default fit with one dimension (fill stretches one axis only)', () => {
    expect(normalizeTransform({ h: 10, fit: 'fill' }, 'image/webp')?.key).toBe('h=10&fit=fill');
  });

  it('refuses a type it cannot encode', () => {
    expect(() => normalizeTransform({ w: 1 }, 'image/svg+xml')).toThrow();
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
