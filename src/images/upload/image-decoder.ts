import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import sharp from 'sharp';
import { imageWorkConfig } from '../config/image-work.config';
import { uploadConfig } from '../config/upload.config';
import { StorageDriver } from '../../storage/storage-driver';
import { ImageFormat } from '../formats';
import { DecodeMemoryExceededError, ImageCorruptError, ImageDimensionsTooLargeError } from '../images.errors';
import { decodeCost } from './decode-cost';
import { loadStoredImage } from '../work/image-loader';
import { tooComplexOr } from '../work/sharp-errors';
import { describeImage } from '../metadata/describe-image';
import { ImageMetadata } from '../metadata/image-metadata';
import { PLACEHOLDER_SIDE } from '../metadata/placeholder';
import { displayedSize } from '../variants/transform-params';

/** What one decode proves and tells: the size as displayed (EXIF orientation applied) and the metadata. */
export interface VerifiedImage {
  width: number;
  height: number;
  orientation: number;
  metadata: ImageMetadata;
}

/** Proves that stored bytes decode as the detected type, and within the pixel limit; describes them on the way. */
@Injectable()
export class ImageDecoder {
  constructor(
    private readonly storage: StorageDriver,
    @Inject(uploadConfig.KEY) private readonly cfg: ConfigType<typeof uploadConfig>,
    @Inject(imageWorkConfig.KEY) private readonly work: ConfigType<typeof imageWorkConfig>,
  ) {}

  async verify(key: string, type: ImageFormat): Promise<VerifiedImage> {
    const image = await this.load(key);
    // The header alone first: a 30000×30000 claim is refused before any pixel is decoded.
    const meta = await image.metadata().catch(() => {
      throw new ImageCorruptError();
    });
    const width = meta.width ?? 0;
    const height = meta.pageHeight ?? meta.height ?? 0;
    if (meta.format !== type.name || !width || !height) throw new ImageCorruptError();
    if (width * (meta.height ?? height) > this.cfg.maxImagePixels)
      throw new ImageDimensionsTooLargeError(
        `The image is ${width}×${height} = ${width * height} pixels; the limit is ${this.cfg.maxImagePixels}`,
      );
    this.checkCost(meta);
    const orientation = meta.orientation ?? 1;
    const shown = displayedSize({ width, height }, orientation);
    // One pipeline proves and describes: every byte is decoded (JPEG and WebP shrink while decoding,
    // which still reads all of them) straight down to the placeholder's thumbnail, as displayed
    // (rotate()), in sRGB with alpha. A second pipeline for the thumbnail cost ~1.5 ms per upload.
    const thumbnail = await image
      .rotate()
      // A triangle filter: Lanczos rings at edges, and a flat patch must keep its exact colour.
      .resize({
        width: PLACEHOLDER_SIDE,
        height: PLACEHOLDER_SIDE,
        fit: 'inside',
        withoutEnlargement: true,
        fastShrinkOnLoad: true,
        kernel: 'linear',
      })
      .toColourspace('srgb')
      .ensureAlpha()
      .timeout({ seconds: this.work.decodeTimeoutSeconds })
      .raw()
      .toBuffer({ resolveWithObject: true })
      .catch((error: unknown) => tooComplexOr(error, () => new ImageCorruptError()));
    return { ...shown, orientation, metadata: describeImage(meta, thumbnail) };
  }

  /** Side and memory limits from the header. The decode reads one page (animated: false), and meta describes that page. */
  private checkCost(meta: sharp.Metadata): void {
    const { width = 0, height = 0 } = meta;
    const side = this.cfg.maxImageSide;
    if (width > side || height > side)
      throw new ImageDimensionsTooLargeError(`The image is ${width}×${height}; neither side may exceed ${side}`);
    const cost = decodeCost(meta);
    if (cost > this.cfg.maxDecodeMemory) throw new DecodeMemoryExceededError(cost, this.cfg.maxDecodeMemory);
  }

  private async load(key: string): Promise<sharp.Sharp> {
    // sharp's own limit would fail metadata() too, and report a huge image as corrupt; verify()
    // checks the pixel count from the header before decoding anything, with its own error.
    // 'error', not 'truncated': a PNG whose chunk checksum fails is corrupt, not merely damaged at its end.
    return loadStoredImage(this.storage, key, { failOn: 'error', limitInputPixels: false, animated: false });
  }
}
