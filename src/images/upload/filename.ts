const MAX_FILENAME_BYTES = 255;
/** Longer "extensions" are part of the name, not something to keep when cutting it. */
const MAX_KEPT_EXTENSION = 16;
// Unicode controls (Cc) and formatting characters (Cf: bidi overrides, zero-width, BOM), plus line/paragraph separators.
const INVISIBLE_CHARACTERS = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The client's name, reduced to its last path segment, without control or formatting characters, ≤ 255 bytes. */
export function sanitiseFilename(raw: string | undefined): string {
  const segment = (raw ?? '').split(/[/\\]/).pop() ?? '';
  const clean = segment.replace(INVISIBLE_CHARACTERS, '').trim();
  return truncateUtf8(clean, MAX_FILENAME_BYTES);
}

/** The lower-case extension (without the dot), or '' when the name has none. */
export function extensionOf(filename: string): string {
  const dot = filename.lastIndexOf('.');
  return dot > 0 && dot < filename.length - 1 ? filename.slice(dot + 1).toLowerCase() : '';
}

/** Cuts the stem, keeping the extension, so that the name fits in `maxBytes` of UTF-8. Linear in the name's length. */
function truncateUtf8(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name) <= maxBytes) return name;
  const extension = extensionOf(name);
  const suffix = extension && extension.length < MAX_KEPT_EXTENSION ? name.slice(name.lastIndexOf('.')) : '';
  const stem = suffix ? name.slice(0, -suffix.length) : name;
  return leadingGraphemes(stem, maxBytes - Buffer.byteLength(suffix)) + suffix;
}

/** The longest prefix of whole user-perceived characters that fits in `budget` bytes of UTF-8. */
function leadingGraphemes(text: string, budget: number): string {
  let used = 0;
  let end = 0;
  for (const { segment } of graphemes.segment(text)) {
    used += Buffer.byteLength(segment);
    if (used > budget) break;
    end += segment.length;
  }
  return text.slice(0, end);
}
