import { extensionOf, sanitiseFilename } from './filename';

const bytes = (s: string) => Buffer.byteLength(s);

describe('sanitiseFilename', () => {
  it('keeps the last path segment', () => {
    expect(sanitiseFilename('C:\\Users\\me\\photo.png')).toBe('photo.png');
    expect(sanitiseFilename('../../etc/passwd.jpg')).toBe('passwd.jpg');
  });

  it('removes Unicode controls (Cc) and formatting characters (Cf), keeping other UTF-8', () => {
    expect(sanitiseFilename('photo\u202Egnp.png')).toBe('photognp.png');
    expect(sanitiseFilename('a\u0000b\u001fc\u007fd\u0085e.png')).toBe('abcde.png');
    expect(sanitiseFilename('\uFEFFzero\u200Bwidth\u200D\u2060\u00AD\u2066\u2069.png')).toBe('zerowidth.png');
    expect(sanitiseFilename('line\u2028break\u2029.png')).toBe('linebreak.png');
    expect(sanitiseFilename('été 東京 😀.png')).toBe('été 東京 😀.png');
  });

  it('an empty or missing name stays empty', () => {
    expect(sanitiseFilename(undefined)).toBe('');
    expect(sanitiseFilename('\u202E\u200B')).toBe('');
  });

  it('cuts a long name to 255 bytes, keeping the extension', () => {
    const name = sanitiseFilename(`${'a'.repeat(16_000)}.png`);
    expect(name).toBe(`${'a'.repeat(251)}.png`);
  });

  it('never splits a multi-byte character or a grapheme cluster', () => {
    const name = sanitiseFilename(`${'é'.repeat(200)}.jpeg`);
    expect(bytes(name)).toBeLessThanOrEqual(255);
    expect(name).toBe(`${'é'.repeat(125)}.jpeg`);
    const flags = sanitiseFilename(`${'🇫🇷'.repeat(100)}.gif`);
    expect(bytes(flags)).toBeLessThanOrEqual(255);
    expect(flags).toBe(`${'🇫🇷'.repeat(31)}.gif`);
    const accents = sanitiseFilename(`${'e\u0301'.repeat(100)}.png`);
    expect(accents).toBe(`${'e\u0301'.repeat(83)}.png`);
  });

  it('a long "extension" is cut as part of the name', () => {
    const name = sanitiseFilename(`x.${'b'.repeat(300)}`);
    expect(bytes(name)).toBe(255);
    expect(name.startsWith('x.bbb')).toBe(true);
  });

  it('cuts a name of 16 000 two-byte characters (the multipart header limit) to 255 bytes', () => {
    expect(sanitiseFilename(`${'é'.repeat(8_000)}.webp`)).toBe(`${'é'.repeat(125)}.webp`);
  });
});

describe('extensionOf', () => {
  it.each([
    ['a.PNG', 'png'],
    ['.png', ''],
    ['a.', ''],
    ['noext', ''],
  ])('%s → %s', (name, ext) => expect(extensionOf(name)).toBe(ext));
});
