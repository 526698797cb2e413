import { EXTENSION_OF_FORMAT, formatOfMime } from './transform-params';

/** The original's name with the variant's extension: `photo.jpg` as webp is `photo.webp`. */
export function variantFilename(original: string, mimeType: string): string {
  const extension = EXTENSION_OF_FORMAT[formatOfMime(mimeType)];
  const base = original.replace(/\.[^.]*$/, '') || 'image';
  return `${base}.${extension}`;
}
