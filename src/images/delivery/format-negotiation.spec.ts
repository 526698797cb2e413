import { acceptedTypes, negotiateFormat } from './format-negotiation';

describe('negotiateFormat (format=auto)', () => {
  const chromium = 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8';

  it.each([
    [chromium, 'jpeg', 'avif'],
    ['image/webp,*/*', 'jpeg', 'webp'],
    ['image/png,image/*;q=0.9', 'png', 'png'],
    ['image/*,*/*', 'jpeg', 'jpeg'],
    [undefined, 'png', 'png'],
    ['image/avif;q=0, image/webp', 'jpeg', 'webp'],
    ['IMAGE/AVIF', 'png', 'avif'],
  ] as const)('Accept %p on a %s original gives %s', (accept, original, expected) => {
    expect(negotiateFormat(accept, original)).toBe(expected);
  });

  it('keeps possibly animated originals (GIF, WebP) in formats that keep every frame', () => {
    expect(negotiateFormat(chromium, 'gif')).toBe('webp');
    expect(negotiateFormat(chromium, 'webp')).toBe('webp');
    expect(negotiateFormat('image/avif', 'gif')).toBe('gif');
  });

  it('reads types with parameters and spaces', () => {
    expect([...acceptedTypes(' image/webp ; q=0.5 , text/html;level=1')]).toEqual(['image/webp', 'text/html']);
  });
});
