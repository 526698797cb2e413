import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type { Readable } from 'node:stream';
import sharp from 'sharp';
import { uploadConfig } from '../../config';
import { StorageDriver } from '../../storage/storage-driver';
import { EncodeFormat, Transform } from './transform-params';

export interface TransformOutput {
  /** The encoded bytes, to be streamed into storage. */
  stream: Readable;
  /** Resolves with the output's dimensions once sharp has encoded it. */
  info: Promise<sharp.OutputInfo>;
}

const DEFAULT_QUALITY: Partial<Record<EncodeFormat, number>> = { jpeg: 80, webp: 80, avif: 50 };

/** Resizes and converts a stored image with sharp: EXIF orientation applied, metadata stripped. */
@Injectable()
export class ImageTransformer {
  constructor(
    private readonly storage: StorageDriver,
    @Inject(uploadConfig.KEY) private readonly cfg: ConfigType<typeof uploadConfig>,
  ) {
    // Each variant is decoded once and then stored, so libvips' operation cache only costs memory.
    sharp.cache(false);
  }

  async transform(sourceKey: string, transform: Transform): Promise<TransformOutput> {
    const image = await this.load(sourceKey);
    const { w, h, fit, q } = transform.params;
    // Without keepMetadata/withMetadata sharp writes no EXIF, XMP or ICC; rotate() bakes the orientation in first.
    image.rotate();
    if (w !== undefined || h !== undefined) image.resize({ width: w, height: h, fit: fit ?? 'inside' });
    image.toFormat(transform.encodeAs, { quality: q ?? DEFAULT_QUALITY[transform.encodeAs] });
    const info = new Promise<sharp.OutputInfo>((resolve, reject) => {
      image.once('info', resolve);
      image.once('error', reject);
    });
    // The put consumes the stream and reports the error; this copy of it must not go unhandled.
    info.catch(() => undefined);
    return { stream: image, info };
  }

  private async load(key: string): Promise<sharp.Sharp> {
    const options: sharp.SharpOptions = { limitInputPixels: this.cfg.maxImagePixels, animated: false };
    const path = this.storage.localPath(key);
    if (path) return sharp(path, options);
    const image = sharp(options);
    const source = await this.storage.open(key);
    source.once('error', (error) => image.destroy(error));
    return source.pipe(image);
  }
}
