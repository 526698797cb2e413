const MAX_FILENAME_BYTES = 255;
// C0 and C1 control characters, DEL, and the Unicode line/paragraph separators.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** The client's name, reduced to its last path segment, without control characters, ≤ 255 bytes. */
export function sanitiseFilename(raw: string | undefined): string {
  const segment = (raw ?? '').split(/[/\\]/).pop() ?? '';
  const clean = segment.replace(CONTROL_CHARACTERS, '').trim();
  return truncateUtf8(clean, MAX_FILENAME_BYTES);
}

/** The lower-case extension (without the dot), or '' when the name has none. */
export function extensionOf(filename: string): string {
  const dot = filename.lastIndexOf('.');
  return dot > 0 && dot < filename.length - 1 ? filename.slice(dot + 1).toLowerCase() : '';
}

/** Cuts the stem, keeping the extension, so that the name fits in `maxBytes` of UTF-8. */
function truncateUtf8(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name) <= maxBytes) return name;
  const extension = extensionOf(name);
  const suffix = extension && extension.length < 16 ? `.${name.slice(name.lastIndexOf('.') + 1)}` : '';
  let stem = suffix ? name.slice(0, -suffix.length) : name;
  const budget = maxBytes - Buffer.byteLength(suffix);
  while (Buffer.byteLength(stem) > budget) stem = Array.from(stem).slice(0, -1).join('');
  return stem + suffix;
}
