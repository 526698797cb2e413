import { EncodeFormat, FormatName, formatNamed } from '../formats';

/** `format=auto` tries these, best first: the smallest files a browser may accept. */
const AUTO_CANDIDATES: readonly EncodeFormat[] = ['avif', 'webp'];

/**
 * The format `format=auto` serves: AVIF if `Accept` lists `image/avif`, else WebP if it lists
 * `image/webp`, else the original's. Only explicit entries count (`image/*` says nothing about
 * AVIF support), and `q=0` refuses. An original that may be animated (GIF, WebP) is negotiated
 * only among formats that keep every frame, so an animation never turns into a still.
 */
export function negotiateFormat(accept: string | undefined, original: FormatName): EncodeFormat {
  const listed = acceptedTypes(accept);
  const keepsFrames = formatNamed(original).animates;
  const pick = AUTO_CANDIDATES.find((name) => {
    const format = formatNamed(name);
    return listed.has(format.mimeType) && (!keepsFrames || format.encodesAnimation);
  });
  return pick ?? original;
}

/** The media types an `Accept` header lists with a non-zero quality, lower-cased. */
export function acceptedTypes(accept: string | undefined): Set<string> {
  const types = new Set<string>();
  for (const entry of (accept ?? '').split(',')) {
    const [type, ...parameters] = entry.split(';').map((part) => part.trim().toLowerCase());
    const q = parameters.find((p) => /^q\s*=/.test(p));
    if (type && !(q && Number(q.split('=')[1]) === 0)) types.add(type);
  }
  return types;
}
