import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type { Readable } from 'node:stream';
import sharp from 'sharp';
import { imageWorkConfig } from '../config/image-work.config';
import { uploadConfig } from '../config/upload.config';
import { StorageDriver } from '../../storage/storage-driver';
import { loadStoredImage } from '../work/image-loader';
import { DEFAULT_QUALITY, EncodeFormat, Transform } from './transform-params';

export interface TransformOutput {
  /** The encoded bytes, to be streamed into storage. */
  stream: Readable;
  /** Resolves with the output's dimensions once sharp has encoded it. */
  info: Promise<sharp.OutputInfo>;
}

/**
 * Encoder effort (CPU per output pixel). libheif's and libwebp's encoders run after libvips' pipeline,
 * where DECODE_TIMEOUT cannot stop them, so effort is their bound: AVIF 0 keeps a q=100 AVIF of a
 * 12 MP photo at ~4 s of CPU here (libvips' default 4 takes several times that); WebP's default 4
 * stays ~2.6 s with half the bytes of effort 0. Figures in the README's performance section.
 */
export const ENCODER_EFFORT: Partial<Record<EncodeFormat, number>> = { avif: 0, webp: 4 };

/** Resizes and converts a stored image with sharp: EXIF orientation applied, metadata stripped. */
@Injectable()
export class ImageTransformer {
  constructor(
    private readonly storage: StorageDriver,
    @Inject(uploadConfig.KEY) private readonly cfg: ConfigType<typeof uploadConfig>,
    @Inject(imageWorkConfig.KEY) private readonly work: ConfigType<typeof imageWorkConfig>,
  ) {}

  async transform(sourceKey: string, transform: Transform): Promise<TransformOutput> {
    const image = await this.load(sourceKey);
    // Without keepMetadata/withMetadata sharp writes no EXIF, XMP or ICC; rotate() bakes the orientation in first.
    image.rotate();
    // The size was resolved beforehand (no enlargement, at most 4096 a side): sharp is told it exactly.
    if (transform.resize) image.resize(transform.resize);
    const { encodeAs } = transform;
    image.toFormat(encodeAs, { quality: transform.params.q ?? DEFAULT_QUALITY[encodeAs], effort: ENCODER_EFFORT[encodeAs] });
    image.timeout({ seconds: this.work.decodeTimeoutSeconds });
    const info = new Promise<sharp.OutputInfo>((resolve, reject) => {
      image.once('info', resolve);
      image.once('error', reject);
    });
    // The put consumes the stream and reports the error; this copy of it must not go unhandled.
    info.catch(() => undefined);
    return { stream: image, info };
  }

  private load(key: string): Promise<sharp.Sharp> {
    return loadStoredImage(this.storage, key, { limitInputPixels: this.cfg.maxImagePixels, animated: false });
  }
}
