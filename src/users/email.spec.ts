import { hasFormatCharacters, normaliseEmail } from './email';

describe('normaliseEmail', () => {
  it.each([
    ['NFD and NFC', 'ali\u0301ce@example.com', 'al\u00edce@example.com'],
    ['upper case', 'ALÍCE@EXAMPLE.COM', 'al\u00edce@example.com'],
    ['full-width letters and at sign', '\uff41lice\uff20example.com', 'alice@example.com'],
    ['surrounding white space', '  alice@example.com\u3000', 'alice@example.com'],
    ['a capital I with dot above (Unicode default lower-casing keeps the dot)', 'ALİCE@example.com', 'ali\u0307ce@example.com'],
  ])('maps %s to one form', (_name, input, expected) => {
    expect(normaliseEmail(input)).toBe(expected);
  });

  it('is idempotent', () => {
    for (const input of ['ALİCE@example.com', '\uff21LICE@example.com', 'ali\u0301ce@example.com', 'ℌello@example.com', 'ß@example.com']) {
      const once = normaliseEmail(input);
      expect(normaliseEmail(once)).toBe(once);
      expect(once).toBe(once.normalize('NFKC'));
    }
  });

  it('keeps format characters so that validation can refuse them', () => {
    expect(normaliseEmail('\ufeffalice@example.com')).toBe('\ufeffalice@example.com');
  });
});

describe('hasFormatCharacters', () => {
  it.each([
    'alice\u200b@example.com',
    'ali\u202ece@example.com',
    'al\u00adice@example.com',
    '\ufeffalice@example.com',
    'alice@exa\u2060mple.com',
  ])('finds one in %j', (value) => {
    expect(hasFormatCharacters(value)).toBe(true);
  });

  it('finds none in an internationalised address', () => {
    expect(hasFormatCharacters('al\u00edce@ex\u00e4mple.com')).toBe(false);
  });
});
