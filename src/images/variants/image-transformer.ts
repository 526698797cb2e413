import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { buffer } from 'node:stream/consumers';
import sharp from 'sharp';
import { deliveryConfig } from '../config/delivery.config';
import { imageWorkConfig } from '../config/image-work.config';
import { uploadConfig } from '../config/upload.config';
import { StorageDriver } from '../../storage/storage-driver';
import { DecodeMemoryExceededError } from '../images.errors';
import { decodeCost } from '../upload/decode-cost';
import { loadStoredImage } from '../work/image-loader';
import { DecodedSource, DecodedSources } from './decoded-sources';
import { Intermediate, intermediateOf } from './intermediate';
import { DEFAULT_QUALITY, EncodeFormat, Transform } from './transform-params';

/**
 * Encoder effort (CPU per output pixel). libheif's and libwebp's encoders run after libvips' pipeline,
 * where DECODE_TIMEOUT cannot stop them, so effort is their bound: AVIF 0 keeps a q=100 AVIF of a
 * 12 MP photo at ~4 s of CPU here (libvips' default 4 takes several times that); WebP's default 4
 * stays ~2.6 s with half the bytes of effort 0. Figures in the README's performance section.
 */
export const ENCODER_EFFORT: Partial<Record<EncodeFormat, number>> = { avif: 0, webp: 4 };

/** Resizes, crops and converts a stored image with sharp: EXIF orientation applied, metadata stripped, animation kept where it can be. */
@Injectable()
export class ImageTransformer {
  constructor(
    private readonly storage: StorageDriver,
    @Inject(uploadConfig.KEY) private readonly cfg: ConfigType<typeof uploadConfig>,
    @Inject(imageWorkConfig.KEY) private readonly work: ConfigType<typeof imageWorkConfig>,
    @Inject(deliveryConfig.KEY) private readonly delivery: ConfigType<typeof deliveryConfig>,
    private readonly decoded: DecodedSources,
  ) {}

  /** The variant's encoded bytes in memory, with the output's dimensions. */
  async render(sourceKey: string, transform: Transform): Promise<{ data: Buffer; info: sharp.OutputInfo }> {
    const image = await this.prepare(sourceKey, transform);
    return image.toBuffer({ resolveWithObject: true });
  }

  /** The image's decodes kept for its variants are no longer wanted (it was deleted). */
  forget(sourceKey: string): void {
    this.decoded.forget(sourceKey);
  }

  private async prepare(sourceKey: string, transform: Transform): Promise<sharp.Sharp> {
    const intermediate = intermediateOf(transform);
    const { image, frames } = intermediate
      ? { image: await this.fromIntermediate(sourceKey, intermediate), frames: 1 }
      : await this.load(sourceKey, transform);
    // Without keepMetadata/withMetadata sharp writes no EXIF, XMP or ICC; rotate() bakes the orientation in first
    // (an intermediate has it baked in already).
    if (!intermediate) image.rotate();
    this.resize(image, transform, frames);
    const { encodeAs } = transform;
    image.toFormat(encodeAs, { quality: transform.params.q ?? DEFAULT_QUALITY[encodeAs], effort: ENCODER_EFFORT[encodeAs] });
    image.timeout({ seconds: this.work.decodeTimeoutSeconds });
    return image;
  }

  /**
   * The variant's input: the original decoded at 1/shrink (libjpeg's scaled decode, orientation
   * applied, colours in sRGB), once for all the variants asking for that shrink meanwhile.
   */
  private async fromIntermediate(key: string, { shrink, width, height }: Intermediate): Promise<sharp.Sharp> {
    const source = await this.decoded.get(`${key}@${shrink}`, async (): Promise<DecodedSource> => {
      const original = await loadStoredImage(this.storage, key, this.firstFrame);
      const { data, info } = await original
        .rotate()
        .resize({ width, height, fit: 'fill' })
        .raw()
        .timeout({ seconds: this.work.decodeTimeoutSeconds })
        .toBuffer({ resolveWithObject: true });
      return { data, width: info.width, height: info.height, channels: info.channels };
    });
    return sharp(source.data, { raw: { width: source.width, height: source.height, channels: source.channels } });
  }

  /** sharp's options for an original read as one frame, within MAX_IMAGE_PIXELS. */
  private get firstFrame(): sharp.SharpOptions {
    return { limitInputPixels: this.cfg.maxImagePixels, animated: false };
  }

  /** The size was resolved beforehand (no enlargement, at most 4096 a side): sharp is told it exactly. */
  private resize(image: sharp.Sharp, { resize, crop }: Transform, frames: number): void {
    if (!resize) return;
    // A focal crop cuts its region out first; the resize then only scales it (cover absorbs a pixel of rounding).
    if (crop && 'region' in crop) image.extract(crop.region);
    // libvips' attention/entropy read one page: an animation is cropped at the centre.
    const strategy = crop && 'strategy' in crop && frames === 1 ? sharp.strategy[crop.strategy] : undefined;
    image.resize({ ...resize, position: strategy ?? 'centre' });
  }

  /** The source, with every frame (up to MAX_ANIMATION_FRAMES) when the output keeps them; frames × pixels must fit MAX_DECODE_MEMORY. */
  private async load(key: string, transform: Transform): Promise<{ image: sharp.Sharp; frames: number }> {
    const single = this.firstFrame;
    if (!transform.animate) return { image: await loadStoredImage(this.storage, key, single), frames: 1 };
    // Animated sources are read whole first (at most MAX_CONTENT_LENGTH): the header decides how they load.
    const opened = await this.storage.openInput(key);
    const input = 'location' in opened ? opened.location : await buffer(opened.stream);
    const meta = await sharp(input, single).metadata();
    const frames = Math.min(meta.pages ?? 1, this.delivery.maxAnimationFrames);
    if (frames <= 1) return { image: sharp(input, single), frames: 1 };
    const cost = decodeCost({ ...meta, height: (meta.pageHeight ?? meta.height ?? 0) * frames });
    if (cost > this.cfg.maxDecodeMemory) throw new DecodeMemoryExceededError(cost, this.cfg.maxDecodeMemory);
    return { image: sharp(input, { pages: frames, limitInputPixels: this.cfg.maxImagePixels * frames }), frames };
  }
}
