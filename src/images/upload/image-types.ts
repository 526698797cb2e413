/** The image formats the upload pipeline accepts: identified by magic bytes, decoded by sharp. */
export interface ImageType {
  mimeType: string;
  /** Canonical extension of the format, as stored. */
  extension: string;
  /** File-name extensions that announce this format. */
  aliases: string[];
  /** sharp's name for the format. */
  sharpFormat: string;
  matches(head: Buffer): boolean;
}

const ascii = (head: Buffer, offset: number, text: string) => head.toString('latin1', offset, offset + text.length) === text;

export const IMAGE_TYPES: ImageType[] = [
  {
    mimeType: 'image/jpeg',
    extension: 'jpg',
    aliases: ['jpg', 'jpeg'],
    sharpFormat: 'jpeg',
    matches: (h) => h.length >= 3 && h[0] === 0xff && h[1] === 0xd8 && h[2] === 0xff,
  },
  {
    mimeType: 'image/png',
    extension: 'png',
    aliases: ['png'],
    sharpFormat: 'png',
    matches: (h) => h.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  {
    mimeType: 'image/gif',
    extension: 'gif',
    aliases: ['gif'],
    sharpFormat: 'gif',
    matches: (h) => ascii(h, 0, 'GIF87a') || ascii(h, 0, 'GIF89a'),
  },
  {
    mimeType: 'image/webp',
    extension: 'webp',
    aliases: ['webp'],
    sharpFormat: 'webp',
    matches: (h) => ascii(h, 0, 'RIFF') && ascii(h, 8, 'WEBP'),
  },
];

export const IMAGE_MIME_TYPES = IMAGE_TYPES.map((t) => t.mimeType);

/** The longest signature above, in bytes. */
export const MAGIC_BYTES_LENGTH = 12;

export function detectImageType(head: Buffer): ImageType | undefined {
  return IMAGE_TYPES.find((type) => type.matches(head));
}

export function imageTypeForExtension(extension: string): ImageType | undefined {
  return IMAGE_TYPES.find((type) => type.aliases.includes(extension));
}
