import { ImageTooComplexError } from '../images.errors';

/** sharp's `timeout()` fails the pipeline with libvips' "timeout: N% complete". */
export function isSharpTimeout(error: unknown): boolean {
  return error instanceof Error && /\btimeout: \d+% complete/.test(error.message);
}

/** Throws IMAGE_TOO_COMPLEX for a decode or encode stopped by DECODE_TIMEOUT, else the fallback's error. */
export function tooComplexOr(error: unknown, fallback: () => Error): never {
  if (isSharpTimeout(error)) throw new ImageTooComplexError('The image takes longer than DECODE_TIMEOUT to decode or transform', error);
  throw fallback();
}
