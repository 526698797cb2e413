import { createHash } from 'node:crypto';
import { FocalPoint, Region, focalCrop } from '../delivery/focal-crop';
import { EncodeFormat, EXTENSION_OF_FORMAT, MIME_OF_FORMAT, OUTPUT_FORMATS, OutputFormat, formatNamed, formatOfMimeType } from '../formats';

export { EXTENSION_OF_FORMAT, MIME_OF_FORMAT, OUTPUT_FORMATS };
export type { EncodeFormat, OutputFormat };
export const FITS = ['cover', 'contain', 'inside', 'outside', 'fill'] as const;
export const MAX_DIMENSION = 4096;
export const DEFAULT_FIT: Fit = 'inside';
/** Where a `cover` crop looks: the centre, or sharp's `attention` (salient features) and `entropy` strategies. */
export const POSITIONS = ['center', 'attention', 'entropy'] as const;

export type Fit = (typeof FITS)[number];
export type Position = (typeof POSITIONS)[number];

export interface TransformParams {
  w?: number;
  h?: number;
  fit?: Fit;
  format?: OutputFormat;
  q?: number;
  position?: Position;
}

/** What a request may ask for: `format=auto` (negotiated per request) and a named preset too. */
export type RequestedParams = Omit<TransformParams, 'format'> & { format?: OutputFormat | 'auto'; preset?: string };

/** How a `cover` resize picks what to keep: a sharp strategy, or a region cut out first (a focal point). */
export type Crop = { strategy: 'attention' | 'entropy' } | { region: Region };

/** How the transformer resizes: `fill` scales the whole image to exactly width×height; `cover` crops, `contain` pads. */
export interface Resize {
  width: number;
  height: number;
  fit: 'fill' | 'cover' | 'contain';
}

/** A variant's identity: only the parameters that change the output, in one canonical order. */
export interface Transform {
  params: TransformParams;
  /** Canonical query string of `params`: the variant's key among its image's variants. */
  key: string;
  encodeAs: EncodeFormat;
  /** Absent when the output keeps the original's size (a format conversion). */
  resize?: Resize;
  /** The output's size, known before anything is decoded. */
  output: { width: number; height: number };
  crop?: Crop;
  /** Both formats can hold frames: an animated original keeps them (up to MAX_ANIMATION_FRAMES). */
  animate: boolean;
  /** What it is computed from: the original's format and its size as displayed. */
  source: { format: EncodeFormat; width: number; height: number };
}

/** What normalisation needs of the original: its type and its size as displayed (EXIF orientation applied). */
export interface SourceImage {
  mimeType: string;
  width: number;
  height: number;
  /** Where `cover` crops centre by default (the image's focalPoint). */
  focalPoint?: FocalPoint;
}

/** The encoders' quality when `q` is absent; asking for it explicitly is the same variant. */
export const DEFAULT_QUALITY: Partial<Record<EncodeFormat, number>> = { jpeg: 80, webp: 80, avif: 50 };
const KEY_ORDER = ['w', 'h', 'fit', 'format', 'q', 'position', 'preset'] as const satisfies readonly (keyof RequestedParams)[];
/** Compiles only while KEY_ORDER names every parameter: `requestsNothing` and the keys rely on it. */
const _everyKey: Exclude<keyof RequestedParams, (typeof KEY_ORDER)[number]> extends never ? true : never = true;

/** No parameter and no preset: the original as stored (most downloads). */
export function requestsNothing(params: RequestedParams): boolean {
  return KEY_ORDER.every((name) => params[name] === undefined);
}

export function formatOfMime(mimeType: string): EncodeFormat {
  const format = formatOfMimeType(mimeType);
  if (!format) throw new Error(`no encoder for ${mimeType}`);
  return format.name;
}

/**
 * Reduces requested parameters to the output they produce; null means the original itself.
 * The output never exceeds the original on either side (no enlargement) nor MAX_DIMENSION, and
 * the key names the resolved output, so requests that give the same output share one variant
 * (`w=5000` on a 1000-px-wide image is the original; `w=300` and `w=300&h=225` are one variant).
 * Normalising a normalised key gives the same key, so signed links stay valid.
 */
export function normaliseTransform(requested: TransformParams, source: SourceImage): Transform | null {
  // Nothing asked for (most downloads): the original, as the steps below would conclude.
  if (requestsNothing(requested)) return null;
  const original = formatOfMime(source.mimeType);
  const encodeAs = requested.format ?? original;
  const resize = resolveResize(requested, source);
  if (!resize && encodeAs === original) return null;
  const q = requested.q !== DEFAULT_QUALITY[encodeAs] ? requested.q : undefined;
  const cuts = resize?.fit === 'cover' && cutsSomething(resize, source);
  const params = compact({
    w: resize?.width,
    h: resize?.height,
    fit: resize ? canonicalFit(resize, source) : undefined,
    format: encodeAs !== original ? encodeAs : undefined,
    q: formatNamed(encodeAs).lossy ? q : undefined,
    position: cuts ? canonicalPosition(requested.position, source) : undefined,
  } as TransformParams);
  const output = resize ? { width: resize.width, height: resize.height } : { width: source.width, height: source.height };
  const crop = cuts ? cropOf(params.position, source, output) : undefined;
  // A focal crop is keyed by the region it cuts: focal points that cut the same region share a variant.
  const region =
    crop && 'region' in crop ? `&crop=${[crop.region.left, crop.region.top, crop.region.width, crop.region.height].join(',')}` : '';
  const animate = formatNamed(original).animates && formatNamed(encodeAs).encodesAnimation;
  const from = { format: original, width: source.width, height: source.height };
  return { params, key: toQueryString(params) + region, encodeAs, resize, output, crop, animate, source: from };
}

/** A `cover` resize that scales the whole image to the box cuts nothing: its position does not matter. */
function cutsSomething(resize: Resize, { width: W, height: H }: SourceImage): boolean {
  const scale = Math.max(resize.width / W, resize.height / H);
  return Math.round(W * scale) > resize.width || Math.round(H * scale) > resize.height;
}

/** `center` is the default only without a focal point; with one, it overrides it. */
function canonicalPosition(position: Position | undefined, source: SourceImage): Position | undefined {
  return position === 'center' && !source.focalPoint ? undefined : position;
}

function cropOf(position: Position | undefined, source: SourceImage, output: { width: number; height: number }): Crop | undefined {
  if (position === 'attention' || position === 'entropy') return { strategy: position };
  if (position === undefined && source.focalPoint) return { region: focalCrop(source, output, source.focalPoint) };
  return undefined;
}

/** The resize that the parameters ask for, bounded by the original and MAX_DIMENSION; undefined for none. */
function resolveResize(requested: TransformParams, source: SourceImage): Resize | undefined {
  const { width: W, height: H } = source;
  const { w, h } = requested;
  const fit = requested.fit ?? DEFAULT_FIT;
  let resize: Resize;
  if (w !== undefined && h !== undefined && (fit === 'cover' || fit === 'contain')) {
    // The output is the box itself: shrink it, keeping its aspect, until it fits in the original.
    const t = Math.min(1, W / w, H / h);
    resize = { width: atLeastOne(w * t), height: atLeastOne(h * t), fit };
  } else if (fit === 'fill' && (w !== undefined || h !== undefined)) {
    // sharp's fill stretches only the sides it is given.
    resize = { width: Math.min(w ?? W, W, MAX_DIMENSION), height: Math.min(h ?? H, H, MAX_DIMENSION), fit: 'fill' };
  } else {
    resize = { ...scaled(source, uniformScale(requested, source, fit)), fit: 'fill' };
  }
  return resize.width === W && resize.height === H ? undefined : resize;
}

/** inside/outside (and cover/contain with one side): one scale for both axes, never above 1 or MAX_DIMENSION. */
function uniformScale({ w, h }: TransformParams, { width: W, height: H }: SourceImage, fit: Fit): number {
  const byWidth = w !== undefined ? w / W : undefined;
  const byHeight = h !== undefined ? h / H : undefined;
  const pick = fit === 'outside' ? Math.max : Math.min;
  const wanted = byWidth === undefined ? (byHeight ?? 1) : byHeight === undefined ? byWidth : pick(byWidth, byHeight);
  return Math.min(wanted, 1, MAX_DIMENSION / W, MAX_DIMENSION / H);
}

function scaled({ width, height }: SourceImage, scale: number): { width: number; height: number } {
  return { width: atLeastOne(width * scale), height: atLeastOne(height * scale) };
}

/** A whole-image resize is keyed as plain `w&h` when `fit=inside` of that box gives it back, else as `fill`. */
function canonicalFit(resize: Resize, source: SourceImage): Fit | undefined {
  if (resize.fit !== 'fill') return resize.fit;
  const inside = scaled(source, uniformScale({ w: resize.width, h: resize.height }, source, 'inside'));
  return inside.width === resize.width && inside.height === resize.height ? undefined : 'fill';
}

function atLeastOne(value: number): number {
  return Math.max(1, Math.round(value));
}

/** Width and height as displayed: EXIF orientations 5–8 turn the stored pixels by 90°. */
export function displayedSize(stored: { width: number; height: number }, orientation?: number | null): { width: number; height: number } {
  return orientation && orientation >= 5 ? { width: stored.height, height: stored.width } : { width: stored.width, height: stored.height };
}

/** Only the transform parameters (and preset) of a request that carries others too. */
export function pickTransformParams(source: RequestedParams): RequestedParams {
  const { w, h, fit, format, q, position, preset } = source;
  return compact({ w, h, fit, format, q, position, preset } as TransformParams) as RequestedParams;
}

/** `w=100&fit=cover`: the present parameters in a fixed order, so equal params give equal strings. */
export function toQueryString(params: RequestedParams): string {
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
