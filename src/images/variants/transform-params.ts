import { createHash } from 'node:crypto';
import { EncodeFormat, EXTENSION_OF_FORMAT, MIME_OF_FORMAT, OUTPUT_FORMATS, OutputFormat, formatNamed, formatOfMimeType } from '../formats';

export { EXTENSION_OF_FORMAT, MIME_OF_FORMAT, OUTPUT_FORMATS };
export type { EncodeFormat, OutputFormat };
export const FITS = ['cover', 'contain', 'inside', 'outside', 'fill'] as const;
export const MAX_DIMENSION = 4096;
export const DEFAULT_FIT: Fit = 'inside';

export type Fit = (typeof FITS)[number];

export interface TransformParams {
  w?: number;
  h?: number;
  fit?: Fit;
  format?: OutputFormat;
  q?: number;
}

/** A variant's identity: only the parameters that change the output, in one canonical order. */
export interface Transform {
  params: TransformParams;
  /** Canonical query string of `params`: the variant's key among its image's variants. */
  key: string;
  encodeAs: EncodeFormat;
}

const KEY_ORDER: (keyof TransformParams)[] = ['w', 'h', 'fit', 'format', 'q'];

export function formatOfMime(mimeType: string): EncodeFormat {
  const format = formatOfMimeType(mimeType);
  if (!format) throw new Error(`no encoder for ${mimeType}`);
  return format.name;
}

/** Reduces requested parameters to the variant they produce; null means the original itself. */
export function normalizeTransform(requested: TransformParams, originalMime: string): Transform | null {
  const original = formatOfMime(originalMime);
  const encodeAs = requested.format ?? original;
  const resizes = requested.w !== undefined || requested.h !== undefined;
  if (!resizes && encodeAs === original) return null;
  const params: TransformParams = {
    w: requested.w,
    h: requested.h,
    fit: resizes && requested.fit !== DEFAULT_FIT ? requested.fit : undefined,
    format: requested.format !== original ? requested.format : undefined,
    q: formatNamed(encodeAs).lossy ? requested.q : undefined,
  };
  return { params: compact(params), key: toQueryString(params), encodeAs };
}

/** Only the transform parameters of a request that carries others too. */
export function pickTransformParams(source: TransformParams): TransformParams {
  return compact({ w: source.w, h: source.h, fit: source.fit, format: source.format, q: source.q });
}

/** `w=100&fit=cover`: the present parameters in a fixed order, so equal params give equal strings. */
export function toQueryString(params: TransformParams): string {
  return KEY_ORDER.filter((name) => params[name] !== undefined)
    .map((name) => `${name}=${encodeURIComponent(String(params[name]))}`)
    .join('&');
}

/** A short, path-safe name for a variant's bytes, derived from its key. */
export function hashOfKey(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

function compact(params: TransformParams): TransformParams {
  return Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined)) as TransformParams;
}
