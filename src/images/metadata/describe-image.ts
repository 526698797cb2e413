import sharp from 'sharp';
import { readExifFacts } from './exif-facts';
import { ImageMetadata } from './image-metadata';
import { placeholderOf } from './placeholder';

/** The thumbnail the validating decode ends in: RGBA (sRGB), oriented as displayed, each side ≤ PLACEHOLDER_SIDE. */
export interface Thumbnail {
  data: Buffer;
  info: sharp.OutputInfo;
}

/**
 * The metadata of an image from its header and the thumbnail its validation decoded down to:
 * no second decode and no second pipeline.
 */
export function describeImage(meta: sharp.Metadata, { data, info }: Thumbnail): ImageMetadata {
  const frames = Math.max(1, meta.pages ?? 1);
  return {
    ...placeholderOf(data, info.width, info.height),
    ...readExifFacts(meta.exif),
    animated: frames > 1,
    frames,
  };
}
