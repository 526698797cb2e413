import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import sharp from 'sharp';
import { imageWorkConfig } from '../config/image-work.config';
import { uploadConfig } from '../config/upload.config';
import { StorageDriver } from '../../storage/storage-driver';
import { ImageFormat } from '../formats';
import { DecodeMemoryExceededError, ImageCorruptError, ImageDimensionsTooLargeError } from '../images.errors';
import { decodeCost } from './decode-cost';
import { HeaderMetadata, plainJpegHeader } from './jpeg-header';
import { loadStoredImage } from '../work/image-loader';
import { tooComplexOr } from '../work/sharp-errors';
import { describeImage } from '../metadata/describe-image';
import { ImageMetadata } from '../metadata/image-metadata';
import { PLACEHOLDER_SIDE } from '../metadata/placeholder';
import { displayedSize } from '../variants/transform-params';

/** libvips shrinks JPEG and WebP while decoding: every byte is still read, at a fraction of the work. */
const SHRINK = 8;

/** What one decode proves and tells: the size as displayed (EXIF orientation applied) and the metadata. */
export interface VerifiedImage {
  width: number;
  height: number;
  orientation: number;
  metadata: ImageMetadata;
}

/** An image whose header passed the limits, ready to decode. */
export interface InspectedImage {
  image: sharp.Sharp;
  meta: HeaderMetadata;
  width: number;
  height: number;
  /** For a header read in JavaScript: the same inspection by libvips. */
  recheck?: () => Promise<InspectedImage>;
}

/** Proves that stored bytes decode as the detected type, and within the pixel limit; describes them on the way. */
@Injectable()
export class ImageDecoder {
  constructor(
    private readonly storage: StorageDriver,
    @Inject(uploadConfig.KEY) private readonly cfg: ConfigType<typeof uploadConfig>,
    @Inject(imageWorkConfig.KEY) private readonly work: ConfigType<typeof imageWorkConfig>,
  ) {}

  /** `bytes`: the object's bytes when the caller holds them (a small upload), read instead of storage. */
  async verify(key: string, type: ImageFormat, bytes?: Buffer): Promise<VerifiedImage> {
    return this.decode(await this.inspect(key, type, bytes));
  }

  /**
   * The header alone, checked against the limits: a 30000×30000 claim is refused before any pixel
   * is decoded. Reads no pixels, so a caller may run it before it takes a slot for the decode.
   */
  async inspect(key: string, type: ImageFormat, bytes?: Buffer, { trustJpegHeader = true } = {}): Promise<InspectedImage> {
    const image = await this.load(key, bytes);
    // A plain JPEG in memory is read here, in JavaScript; anything else by libvips.
    const header = trustJpegHeader && bytes && type.name === 'jpeg' ? plainJpegHeader(bytes) : undefined;
    const meta: HeaderMetadata =
      header ??
      (await image.metadata().catch(() => {
        throw new ImageCorruptError();
      }));
    const width = meta.width ?? 0;
    const height = meta.pageHeight ?? meta.height ?? 0;
    if (meta.format !== type.name || !width || !height) throw new ImageCorruptError();
    if (width * (meta.height ?? height) > this.cfg.maxImagePixels)
      throw new ImageDimensionsTooLargeError(
        `The image is ${width}×${height} = ${width * height} pixels; the limit is ${this.cfg.maxImagePixels}`,
      );
    this.checkCost(meta);
    return { image, meta, width, height, ...(header && { recheck: () => this.inspect(key, type, bytes, { trustJpegHeader: false }) }) };
  }

  /** The decode that proves the bytes of an inspected image, and the metadata computed on the way. */
  async decode(inspected: InspectedImage): Promise<VerifiedImage> {
    const { image, meta, width, height } = inspected;
    const orientation = meta.orientation ?? 1;
    const shown = displayedSize({ width, height }, orientation);
    // The decode that proves the bytes: every row (JPEG and WebP shrink while decoding, which still
    // reads every byte), as displayed (rotate()), into a small 8-bit sRGB image of at least the
    // placeholder's size, which the metadata is computed from. Its output stays proportional to the
    // input's rows, so sharp's timeout, which libvips checks per output tile, can stop it.
    const outputWidth = Math.min(shown.width, Math.max(Math.ceil(shown.width / SHRINK), PLACEHOLDER_SIDE));
    const decoding = image.rotate().resize({
      width: outputWidth,
      kernel: 'nearest',
      fastShrinkOnLoad: true,
    });
    // Most uploads are 8-bit sRGB already: a conversion stage would cost them ~0.4 ms for nothing.
    if (!isPlainSrgb(meta)) decoding.toColourspace('srgb');
    const decoded = await decoding
      .timeout({ seconds: this.work.decodeTimeoutSeconds })
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true })
      .catch((error: unknown) => tooComplexOr(error, () => new ImageCorruptError()));
    // Belt and braces for a header read in JavaScript: libvips turned the image by its own reading of
    // the orientation; if the shape it decoded is not the one expected, its header is the one to trust.
    if (inspected.recheck && !hasShape(decoded.info, outputWidth, shown)) return this.decode(await inspected.recheck());
    return { width: shown.width, height: shown.height, orientation, metadata: describeImage(meta, decoded) };
  }

  /** Side and memory limits from the header. The decode reads one page (animated: false), and meta describes that page. */
  private checkCost(meta: HeaderMetadata): void {
    const { width = 0, height = 0 } = meta;
    const side = this.cfg.maxImageSide;
    if (width > side || height > side)
      throw new ImageDimensionsTooLargeError(`The image is ${width}×${height}; neither side may exceed ${side}`);
    const cost = decodeCost(meta);
    if (cost > this.cfg.maxDecodeMemory) throw new DecodeMemoryExceededError(cost, this.cfg.maxDecodeMemory);
  }

  private async load(key: string, bytes?: Buffer): Promise<sharp.Sharp> {
    // sharp's own limit would fail metadata() too, and report a huge image as corrupt; inspect()
    // checks the pixel count from the header before decoding anything, with its own error.
    // 'error', not 'truncated': a PNG whose chunk checksum fails is corrupt, not merely damaged at its end.
    const options: sharp.SharpOptions = { failOn: 'error', limitInputPixels: false, animated: false };
    return bytes ? sharp(bytes, options) : loadStoredImage(this.storage, key, options);
  }
}

/** The decode's output is `width` wide and as high as `shown`'s proportions make it (libvips rounds). */
function hasShape(info: sharp.OutputInfo, width: number, shown: { width: number; height: number }): boolean {
  return info.width === width && Math.abs(info.height - (shown.height * width) / shown.width) <= 1;
}

/** 8-bit sRGB with or without alpha: what describeImage takes as it is. */
function isPlainSrgb(meta: HeaderMetadata): boolean {
  return meta.space === 'srgb' && meta.depth === 'uchar' && (meta.channels === 3 || meta.channels === 4);
}
