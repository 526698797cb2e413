import sharp from 'sharp';
import { readExifFacts } from './exif-facts';
import { ImageMetadata } from './image-metadata';
import { PLACEHOLDER_SIDE, placeholderOf } from './placeholder';

/** Pixels already decoded (oriented as displayed), as sharp's raw output gives them. */
export interface DecodedPixels {
  data: Buffer;
  info: sharp.OutputInfo;
}

/**
 * The metadata of an image from its header and the pixels its validation already decoded: the
 * thumbnail for the placeholder comes from those (a few thousand pixels), never from a second decode.
 */
export async function describeImage(meta: sharp.Metadata, decoded: DecodedPixels): Promise<ImageMetadata> {
  const { data, info } = await thumbnail(decoded);
  const frames = Math.max(1, meta.pages ?? 1);
  return {
    ...placeholderOf(data, info.width, info.height),
    ...readExifFacts(meta.exif),
    animated: frames > 1,
    frames,
  };
}

function thumbnail({ data, info }: DecodedPixels): Promise<{ data: Buffer; info: sharp.OutputInfo }> {
  const raw = { width: info.width, height: info.height, channels: info.channels };
  return sharp(data, { raw })
    .resize({ width: PLACEHOLDER_SIDE, height: PLACEHOLDER_SIDE, fit: 'inside', withoutEnlargement: true })
    .toColourspace('srgb')
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
}
