import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { Clock } from '../../common/clock';
import { AppError } from '../../common/errors';
import { uploadConfig } from '../../config';
import { ImageWorkMetrics } from '../../metrics/image-work.metrics';
import { StorageDriver } from '../../storage/storage-driver';
import { ObjectNotFoundError } from '../../storage/storage.errors';
import { Image } from '../image.entity';
import { ImageNotFoundError, TransformFailedError } from '../images.errors';
import { ImageTransformer } from './image-transformer';
import { TransformLimiter } from './transform-limiter';
import { VariantMetrics } from './variant.metrics';
import { EXTENSION_OF_FORMAT, MIME_OF_FORMAT, Transform, TransformParams, hashOfKey, normalizeTransform } from './transform-params';
import { ImageVariant } from './variant.entity';

/** Derived images: computed once per (image, canonical parameters), stored, then served like originals. */
@Injectable()
export class VariantsService {
  private readonly logger = new Logger(VariantsService.name);
  /** Requests for a variant already being looked up or computed here join that one promise. */
  private readonly inFlight = new Map<string, Promise<ImageVariant>>();
  private readonly limiter: TransformLimiter;

  constructor(
    @InjectRepository(ImageVariant) private readonly variants: Repository<ImageVariant>,
    private readonly storage: StorageDriver,
    private readonly transformer: ImageTransformer,
    private readonly clock: Clock,
    private readonly metrics: VariantMetrics,
    @Inject(uploadConfig.KEY) cfg: ConfigType<typeof uploadConfig>,
    imageWork: ImageWorkMetrics,
  ) {
    this.limiter = new TransformLimiter(cfg.maxConcurrentTransforms);
    imageWork.track(this.limiter);
  }

  /** The stored variant for these parameters (computing it the first time); null when they ask for the original. */
  async resolve(image: Image, requested: TransformParams): Promise<ImageVariant | null> {
    const transform = normalizeTransform(requested, image.mimeType);
    if (!transform) return null;
    const flightKey = `${image.id}?${transform.key}`;
    let pending = this.inFlight.get(flightKey);
    if (!pending) {
      pending = this.findOrCreate(image, transform).finally(() => this.inFlight.delete(flightKey));
      this.inFlight.set(flightKey, pending);
    }
    return pending;
  }

  /** Bytes first, then rows; a storage outage leaves the rows for a retry. */
  async removeAll(imageId: string): Promise<void> {
    const rows = await this.variants.findBy({ imageId });
    for (const row of rows) await this.storage.delete(row.storageKey);
    if (rows.length) await this.variants.delete({ imageId });
  }

  private async findOrCreate(image: Image, transform: Transform): Promise<ImageVariant> {
    const stored = await this.find(image.id, transform.key);
    if (stored) this.metrics.hit();
    else this.metrics.miss();
    return stored ?? this.limiter.run(() => this.create(image, transform));
  }

  private find(imageId: string, paramsKey: string): Promise<ImageVariant | null> {
    return this.variants.findOneBy({ imageId, paramsKey });
  }

  private async create(image: Image, transform: Transform): Promise<ImageVariant> {
    const storageKey = `variants/${image.id}/${hashOfKey(transform.key)}.${EXTENSION_OF_FORMAT[transform.encodeAs]}`;
    const output = await this.transformer.transform(image.storageKey, transform).catch(transformFailed);
    const stored = await this.storage.put(storageKey, output.stream).catch(transformFailed);
    const info = await output.info;
    const variant = this.variants.create({
      id: randomUUID(),
      imageId: image.id,
      paramsKey: transform.key,
      storageKey,
      mimeType: MIME_OF_FORMAT[transform.encodeAs],
      size: stored.size,
      width: info.width,
      height: info.height,
      checksum: stored.sha256,
      createdAt: this.clock.now(),
    });
    return this.insert(variant);
  }

  /** Another instance may have stored the same variant meanwhile: the unique key decides, and its row wins. */
  private async insert(variant: ImageVariant): Promise<ImageVariant> {
    try {
      await this.variants.insert(variant);
      return variant;
    } catch (error) {
      const existing = await this.find(variant.imageId, variant.paramsKey);
      if (existing) return existing;
      // Most likely the image was deleted while its variant was computed.
      await this.storage
        .delete(variant.storageKey)
        .catch((e: unknown) => this.logger.error(`orphan ${variant.storageKey} left: ${String(e)}`));
      throw error;
    }
  }
}

/** Storage faults keep their own status; anything else came from decoding or encoding the image. */
function transformFailed(error: unknown): never {
  if (error instanceof AppError) throw error;
  if (error instanceof ObjectNotFoundError) throw new ImageNotFoundError();
  throw new TransformFailedError(error);
}
