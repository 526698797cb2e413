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

/** libvips shrinks JPEG and WebP while decoding: every byte is still read, at a fraction of the work. */
const SHRINK = 8;

/** Proves that stored bytes decode as the detected type, and within the pixel limit. */
@Injectable()
export class ImageDecoder {
  constructor(
    private readonly storage: StorageDriver,
    @Inject(uploadConfig.KEY) private readonly cfg: ConfigType<typeof uploadConfig>,
    @Inject(imageWorkConfig.KEY) private readonly work: ConfigType<typeof imageWorkConfig>,
  ) {}

  async verify(key: string, type: ImageFormat): Promise<{ width: number; height: number; orientation: number }> {
    const image = await this.load(key);
    // The header alone first: a 30000×30000 claim is refused before any pixel is decoded.
    const meta = await image.metadata().catch(() => {
      throw new ImageCorruptError();
    });
    const width = meta.width ?? 0;
    const height = meta.pageHeight ?? meta.height ?? 0;
    if (meta.format !== type.name || !width || !height) throw new ImageCorruptError();
    if (width * (meta.height ?? height) > this.cfg.maxImagePixels) throw new ImageDimensionsTooLargeError(`The image is ${width}×${height} = ${width * height} pixels; the limit is ${this.cfg.maxImagePixels}`);
    this.checkCost(meta);
    await image
      .resize({ width: Math.max(1, Math.ceil(width / SHRINK)), kernel: 'nearest', fastShrinkOnLoad: true })
      .timeout({ seconds: this.work.decodeTimeoutSeconds })
      .raw()
      .toBuffer()
      .catch((error: unknown) => tooComplexOr(error, () => new ImageCorruptError()));
    return { width, height, orientation: meta.orientation ?? 1 };
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
