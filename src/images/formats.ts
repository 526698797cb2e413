import { EndParser } from './image-end/end-parser';
import { gifEnd } from './image-end/gif-end';
import { jpegEnd } from './image-end/jpeg-end';
import { pngEnd } from './image-end/png-end';
import { webpEnd } from './image-end/webp-end';

/**
 * The one registry of image formats: everything the app knows about a format, from which the
 * config check, magic-byte detection, DTO enums, docs and variant tables are derived. A leaf
 * module (no Nest imports), so config can use it. SVG and other script-capable formats are never here.
 */
interface FormatSpec {
  mimeType: string;
  /** Canonical extension, as stored and served. */
  extension: string;
  /** File-name extensions that announce the format (the canonical one included). */
  aliases: readonly string[];
  /** Accepted as an upload (then `matches` and `endOfImage` are needed). */
  uploadable: boolean;
  /** Offered as a variant's `format`. */
  output: boolean;
  lossy: boolean;
  animates: boolean;
  /** sharp can write it with all frames (its AVIF encoder writes one frame only). */
  encodesAnimation: boolean;
  matches(head: Buffer): boolean;
  /** Walks the bytes to the image's end, so anything after it can be refused (polyglots). */
  endOfImage?: () => EndParser;
}

const ascii = (head: Buffer, offset: number, text: string) => head.toString('latin1', offset, offset + text.length) === text;

/** Keyed by sharp's format name, which is also the `format` parameter's value. Order is the documented order. */
const FORMATS = {
  jpeg: {
    mimeType: 'image/jpeg',
    extension: 'jpg',
    aliases: ['jpg', 'jpeg'],
    uploadable: true,
    output: true,
    lossy: true,
    animates: false,
    encodesAnimation: false,
    matches: (h: Buffer) => h.length >= 3 && h[0] === 0xff && h[1] === 0xd8 && h[2] === 0xff,
    endOfImage: jpegEnd,
  },
  png: {
    mimeType: 'image/png',
    extension: 'png',
    aliases: ['png'],
    uploadable: true,
    output: true,
    lossy: false,
    animates: false,
    encodesAnimation: false,
    matches: (h: Buffer) => h.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
    endOfImage: pngEnd,
  },
  gif: {
    mimeType: 'image/gif',
    extension: 'gif',
    aliases: ['gif'],
    uploadable: true,
    output: false,
    lossy: false,
    animates: true,
    encodesAnimation: true,
    matches: (h: Buffer) => ascii(h, 0, 'GIF87a') || ascii(h, 0, 'GIF89a'),
    endOfImage: gifEnd,
  },
  webp: {
    mimeType: 'image/webp',
    extension: 'webp',
    aliases: ['webp'],
    uploadable: true,
    output: true,
    lossy: true,
    animates: true,
    encodesAnimation: true,
    matches: (h: Buffer) => ascii(h, 0, 'RIFF') && ascii(h, 8, 'WEBP'),
    endOfImage: webpEnd,
  },
  avif: {
    mimeType: 'image/avif',
    extension: 'avif',
    aliases: ['avif'],
    uploadable: false,
    output: true,
    lossy: true,
    animates: true,
    encodesAnimation: false,
    matches: (h: Buffer) => ascii(h, 4, 'ftypavif') || ascii(h, 4, 'ftypavis'),
  },
} as const satisfies Record<string, FormatSpec>;

export type FormatName = keyof typeof FORMATS;
type Flagged<Flag extends 'uploadable' | 'output'> = {
  [K in FormatName]: (typeof FORMATS)[K][Flag] extends true ? K : never;
}[FormatName];
/** A `format` a variant may be asked for. */
export type OutputFormat = Flagged<'output'>;
/** What a variant can be encoded as: a requested format, or an original's (GIF included). */
export type EncodeFormat = FormatName;

export interface ImageFormat extends FormatSpec {
  /** sharp's name for the format. */
  name: FormatName;
}

export const IMAGE_FORMATS: readonly ImageFormat[] = (Object.keys(FORMATS) as FormatName[]).map((name) => ({ name, ...FORMATS[name] }));
export const UPLOAD_FORMATS = IMAGE_FORMATS.filter((f) => f.uploadable);

/** Extensions that ALLOWED_FILE_EXTENSIONS may name: every alias of an uploadable format. */
export const SUPPORTED_EXTENSIONS: readonly string[] = UPLOAD_FORMATS.flatMap((f) => f.aliases);
/** MIME types an upload can be stored as. */
export const IMAGE_MIME_TYPES: readonly string[] = UPLOAD_FORMATS.map((f) => f.mimeType);
/** Canonical extensions an upload can be stored with. */
export const IMAGE_EXTENSIONS: readonly string[] = UPLOAD_FORMATS.map((f) => f.extension);
export const OUTPUT_FORMATS = IMAGE_FORMATS.filter((f) => f.output).map((f) => f.name as OutputFormat);
/** Every MIME type the content route can answer with: originals and variants. */
export const CONTENT_MIME_TYPES: readonly string[] = IMAGE_FORMATS.map((f) => f.mimeType);

export const MIME_OF_FORMAT = Object.fromEntries(IMAGE_FORMATS.map((f) => [f.name, f.mimeType])) as Record<EncodeFormat, string>;
export const EXTENSION_OF_FORMAT = Object.fromEntries(IMAGE_FORMATS.map((f) => [f.name, f.extension])) as Record<EncodeFormat, string>;

/** The longest signature `matches` looks at, in bytes. */
export const MAGIC_BYTES_LENGTH = 12;

export function formatNamed(name: FormatName): ImageFormat {
  return IMAGE_FORMATS.find((f) => f.name === name)!;
}

export function formatOfMimeType(mimeType: string): ImageFormat | undefined {
  return IMAGE_FORMATS.find((f) => f.mimeType === mimeType);
}

/** The uploadable format the first bytes announce, if any. */
export function detectImageFormat(head: Buffer): ImageFormat | undefined {
  return UPLOAD_FORMATS.find((f) => f.matches(head));
}

/** The uploadable format a file-name extension (lower case, no dot) announces, if any. */
export function uploadFormatForExtension(extension: string): ImageFormat | undefined {
  return UPLOAD_FORMATS.find((f) => f.aliases.includes(extension));
}

/** `jpg, jpeg, png, gif or webp`. */
export function describeList(items: readonly string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}` : items.join('');
}
