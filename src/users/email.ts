/**
 * The one form an e-mail is stored, compared and throttled in (API.md): NFKC, then lower-cased, so
 * NFC/NFD spellings and compatibility look-alikes (full-width `ａ`, `＠`) are one account.
 * Lower-casing follows Unicode's default (not Turkic) mapping: `İ` becomes `i` + U+0307, which
 * Unicode does not equate with a plain `i`, so `ALİCE` is one account with `alİce`, not with `alice`.
 * NFKC runs again afterwards because lower-casing can leave a string that is not normalised.
 */
export function normaliseEmail(email: string): string {
  return email.normalize('NFKC').replace(EDGE_SPACE, '').toLowerCase().normalize('NFKC');
}

/** Invisible formatting characters (Unicode Cf: zero-width space, bidi overrides, soft hyphen, BOM). */
export function hasFormatCharacters(value: string): boolean {
  return FORMAT_CHARACTER.test(value);
}

// Not String#trim, which would silently drop a leading or trailing U+FEFF (a Cf) instead of refusing it.
const EDGE_SPACE = /^\p{White_Space}+|\p{White_Space}+$/gu;
const FORMAT_CHARACTER = /\p{Cf}/u;
