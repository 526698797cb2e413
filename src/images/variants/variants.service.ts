import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { OutputInfo } from 'sharp';
import { IsNull, Not, Repository } from 'typeorm';
import { Clock } from '../../common/clock';
import { AppError } from '../../common/errors';
import { imageWorkConfig } from '../config/image-work.config';
import { isForeignKeyViolation, isUniqueViolation } from '../../database/database-errors';
import { RowReader } from '../../database/row-reader';
import { StorageDriver } from '../../storage/storage-driver';
import { ObjectNotFoundError } from '../../storage/storage.errors';
import { Image } from '../image.entity';
import { ImageNotFoundError, ServiceBusyError, TransformFailedError, WorkCancelledError } from '../images.errors';
import { storageKeys } from '../storage-keys';
import { ImageWorkScheduler } from '../work/image-work-scheduler';
import { loadStoredImage } from '../work/image-loader';
import { isSharpTimeout, tooComplexOr } from '../work/sharp-errors';
import { focalPointOf } from '../delivery/focal-crop';
import { ImageTransformer } from './image-transformer';
import {
  EXTENSION_OF_FORMAT,
  MIME_OF_FORMAT,
  Transform,
  TransformParams,
  displayedSize,
  hashOfKey,
  normaliseTransform,
  requestsNothing,
} from './transform-params';
import { VariantRateLimiter } from './variant-rate-limiter';
import { VariantMetrics } from './variant.metrics';
import { ImageVariant } from './variant.entity';

interface Flight {
  promise: Promise<ImageVariant>;
  cancel: AbortController;
  /** Requests joined to it; only those that can go away (with a signal) ever leave. */
  waiting: number;
  /** Computed and answered, still being stored: whoever joins now is served what is already there (a hit). */
  computed: boolean;
}

/**
 * A just-computed variant up to this size answers its requesters from memory and is stored right
 * after the answer; a larger one is stored first and read back.
 */
const FRESH_BYTES_MAX = 4 * 1024 * 1024;

/**
 * Answered variants still being stored (count and bytes); past either the next one is stored before
 * its answer. An image thus holds at most MAX_VARIANTS_PER_IMAGE + STORING_MAX variants for as
 * long as the pending ones take to store and evict.
 */
const STORING_MAX = 8;
const STORING_BYTES_MAX = 32 * 1024 * 1024;

/** `last_served_at` is rewritten at most this often per variant: eviction needs the order, not the instant. */
const TOUCH_EVERY_MS = 60_000;

/**
 * Derived images: computed once per (image, canonical parameters), stored, then served like originals.
 * At most MAX_VARIANTS_PER_IMAGE are kept per image (the least recently served go first), and each new
 * one costs its requester a unit of TRANSFORM_RATE_LIMIT and a turn in the image-work scheduler.
 */
@Injectable()
export class VariantsService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(VariantsService.name);
  /** Requests for a variant already being looked up or computed here join that one flight. */
  private readonly inFlight = new Map<string, Flight>();
  /** Just-computed variants' bytes, while their entity (shared by the flight's requests) lives. */
  private readonly fresh = new WeakMap<ImageVariant, Buffer>();
  /** Answered variants being stored, by image: a delete or a focal-point change waits for them. */
  private readonly storing = new Map<string, Set<Promise<void>>>();
  private readonly storingOf = new WeakMap<ImageVariant, Promise<void>>();
  private storingBytes = 0;
  private storingCount = 0;
  private readonly byKey: RowReader<ImageVariant>;
  private readonly imageById: RowReader<Image>;

  constructor(
    @InjectRepository(ImageVariant) private readonly variants: Repository<ImageVariant>,
    @InjectRepository(Image) private readonly images: Repository<Image>,
    private readonly storage: StorageDriver,
    private readonly transformer: ImageTransformer,
    private readonly clock: Clock,
    private readonly work: ImageWorkScheduler,
    private readonly rateLimiter: VariantRateLimiter,
    @Inject(imageWorkConfig.KEY) private readonly cfg: ConfigType<typeof imageWorkConfig>,
    private readonly metrics: VariantMetrics,
  ) {
    this.byKey = new RowReader(variants, ['imageId', 'paramsKey']);
    this.imageById = new RowReader(images, ['id']);
  }

  /** The canonical transform of these parameters for this image (sizes as displayed); null for the original. */
  async normalise(image: Image, requested: TransformParams): Promise<Transform | null> {
    // Nothing asked for: the original, whatever its orientation (no read of a legacy row's bytes).
    if (requestsNothing(requested)) return null;
    if (image.orientation === null) await this.readOrientation(image);
    return normaliseTransform(requested, {
      mimeType: image.mimeType,
      width: image.width,
      height: image.height,
      focalPoint: focalPointOf(image),
    });
  }

  /** The focal point changed: variants cropped around the old one are gone (computed again on request). */
  async invalidateCrops(imageId: string): Promise<void> {
    await this.settled(imageId);
    const rows = (await this.variants.findBy({ imageId })).filter((row) => /(^|&)fit=(cover|contain)(&|$)/.test(row.paramsKey));
    for (const row of rows) await this.storage.delete(row.storageKey);
    if (rows.length) await this.variants.delete(rows.map((row) => row.id));
  }

  /**
   * The stored variant for this transform, computing it the first time (on behalf of `requesterId`).
   * When every request waiting for a new variant has gone (`signal`), its queued work is dropped.
   */
  resolve(image: Image, transform: Transform, requesterId: string, signal?: AbortSignal): Promise<ImageVariant> {
    const flightKey = `${image.id}?${transform.key}`;
    let flight = this.inFlight.get(flightKey);
    if (flight?.computed) this.metrics.hit();
    if (!flight) {
      const cancel = new AbortController();
      const promise = this.findOrCreate(image, transform, requesterId, cancel.signal);
      const started: Flight = { promise, cancel, waiting: 0, computed: false };
      // Open until the variant is stored: whoever asks meanwhile is answered from the same bytes.
      void promise
        .then(
          (variant) => {
            started.computed = true;
            return this.storingOf.get(variant);
          },
          () => undefined,
        )
        .finally(() => this.inFlight.delete(flightKey));
      flight = started;
      this.inFlight.set(flightKey, flight);
    }
    const joined = flight;
    joined.waiting += 1;
    signal?.addEventListener('abort', () => --joined.waiting === 0 && joined.cancel.abort(), { once: true });
    return joined.promise;
  }

  /** A variant whose bytes vanished (evicted by another instance): forget its row and compute it again. */
  async replace(image: Image, transform: Transform, stale: ImageVariant, requesterId: string): Promise<ImageVariant> {
    await this.variants.delete({ id: stale.id });
    return this.resolve(image, transform, requesterId);
  }

  /** The variant's bytes computed for one response and not stored: the last resort when eviction keeps winning the race. */
  async computeFresh(image: Image, transform: Transform, requesterId: string): Promise<{ bytes: Buffer; checksum: string }> {
    return this.work.run(requesterId, 'variant', async () => {
      try {
        const { data: bytes } = await this.transformer.render(image.storageKey, transform);
        return { bytes, checksum: createHash('sha256').update(bytes).digest('hex') };
      } catch (error) {
        return this.transformFailed(image.id, error);
      }
    });
  }

  /** Bytes first, then rows; a storage outage leaves the rows for a retry. The original's decodes kept in memory go too. */
  async removeAll({ id: imageId, storageKey }: Pick<Image, 'id' | 'storageKey'>): Promise<void> {
    this.transformer.forget(storageKey);
    await this.settled(imageId);
    const rows = await this.variants.findBy({ imageId });
    for (const row of rows) await this.storage.delete(row.storageKey);
    if (rows.length) await this.variants.delete({ imageId });
  }

  /** After the image's row is gone: bytes a variant computed meanwhile may have left under its prefix. */
  async sweepOrphans(imageId: string): Promise<void> {
    for await (const object of this.storage.list(storageKeys.variantsOf(imageId))) await this.storage.delete(object.key);
  }

  private async findOrCreate(image: Image, transform: Transform, requesterId: string, signal: AbortSignal): Promise<ImageVariant> {
    const found = await this.find(image.id, transform.key);
    if (found) {
      this.metrics.hit();
      await this.touch(found);
      return found;
    }
    this.metrics.miss();
    const creation = await this.rateLimiter.take(requesterId);
    try {
      return await this.work.run(requesterId, 'variant', () => this.create(image, transform), { signal });
    } catch (error) {
      // Refused or dropped before any work: it was not a new variant after all.
      if (error instanceof ServiceBusyError || error instanceof WorkCancelledError) await this.rateLimiter.refund(creation);
      throw error;
    }
  }

  /** Every request for a variant asks this first: SQL made once (RowReader), not a QueryBuilder per call. */
  private find(imageId: string, paramsKey: string): Promise<ImageVariant | null> {
    return this.byKey.find([imageId, paramsKey]);
  }

  private async imageExists(id: string): Promise<boolean> {
    return (await this.imageById.find([id])) !== null;
  }

  private async touch(variant: ImageVariant): Promise<void> {
    const now = this.clock.now();
    if (variant.lastServedAt && now.getTime() - variant.lastServedAt.getTime() < TOUCH_EVERY_MS) return;
    variant.lastServedAt = now;
    await this.variants.update({ id: variant.id }, { lastServedAt: now });
  }

  private async create(image: Image, transform: Transform): Promise<ImageVariant> {
    // A key of its own per computation: two instances computing one variant never share (or delete) each other's bytes.
    const name = `${hashOfKey(transform.key)}${randomBytes(4).toString('hex')}`;
    let data: Buffer;
    let info: OutputInfo;
    try {
      ({ data, info } = await this.transformer.render(image.storageKey, transform));
    } catch (error) {
      return this.transformFailed(image.id, error);
    }
    const now = this.clock.now();
    const variant = this.variants.create({
      id: randomUUID(),
      imageId: image.id,
      paramsKey: transform.key,
      storageKey: storageKeys.variant(image.id, name, EXTENSION_OF_FORMAT[transform.encodeAs]),
      mimeType: MIME_OF_FORMAT[transform.encodeAs],
      size: data.length,
      width: info.width,
      height: info.height,
      checksum: createHash('sha256').update(data).digest('hex'),
      createdAt: now,
      lastServedAt: now,
    });
    if (data.length > FRESH_BYTES_MAX || this.storingCount >= STORING_MAX || this.storingBytes + data.length > STORING_BYTES_MAX) {
      const stored = await this.store(variant, data);
      if (stored === variant && data.length <= FRESH_BYTES_MAX) this.fresh.set(variant, data);
      return stored;
    }
    // Deleted while it was computed: a 404, and nothing is stored.
    if (!(await this.imageExists(image.id))) throw new ImageNotFoundError();
    this.fresh.set(variant, data);
    this.storeAfterAnswer(variant, data);
    return variant;
  }

  /** Bytes first, then the row (readers never find a row without bytes), then the eviction; a row stored first elsewhere wins. */
  private async store(variant: ImageVariant, data: Buffer): Promise<ImageVariant> {
    try {
      await this.storage.put(variant.storageKey, Readable.from([data]));
    } catch (error) {
      // A failed put removes its partial bytes; the final key was never written.
      return this.transformFailed(variant.imageId, error);
    }
    const inserted = await this.insert(variant);
    if (inserted !== variant) return inserted;
    await this.evictBeyondLimit(variant.imageId, variant.id);
    return variant;
  }

  /**
   * Stores a variant whose requesters are answered from memory meanwhile. A failure leaves nothing
   * (the next request computes it again); an image deleted meanwhile takes its bytes and row with it.
   */
  private storeAfterAnswer(variant: ImageVariant, data: Buffer): void {
    const { imageId } = variant;
    const pending = this.storing.get(imageId) ?? new Set<Promise<void>>();
    this.storing.set(imageId, pending);
    this.storingBytes += data.length;
    this.storingCount += 1;
    const done: Promise<void> = this.store(variant, data)
      .then(
        () => undefined,
        (error: unknown) => {
          if (!(error instanceof ImageNotFoundError)) this.logger.error(`variant ${variant.storageKey} not stored: ${String(error)}`);
        },
      )
      .finally(() => {
        this.storingBytes -= data.length;
        this.storingCount -= 1;
        pending.delete(done);
        if (!pending.size && this.storing.get(imageId) === pending) this.storing.delete(imageId);
      });
    pending.add(done);
    this.storingOf.set(variant, done);
  }

  /** Once the variants answered before they were stored (of one image, or all) are stored or given up. */
  async settled(imageId?: string): Promise<void> {
    const sets = imageId === undefined ? [...this.storing.values()] : [this.storing.get(imageId) ?? new Set<Promise<void>>()];
    await Promise.all(sets.flatMap((set) => [...set]));
  }

  /** A stopping instance finishes storing what it has answered (before the database closes). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.settled();
  }

  /**
   * The bytes of a variant this instance just computed (those who asked for it are answered from
   * memory, not by reading back what was stored); undefined for any other.
   */
  freshBytes(variant: ImageVariant): Buffer | undefined {
    return this.fresh.get(variant);
  }

  /** Another instance may have stored the same variant meanwhile: the unique key decides, and its row wins. */
  private async insert(variant: ImageVariant, attempts = 3): Promise<ImageVariant> {
    try {
      await this.variants.insert(variant);
    } catch (error) {
      if (isUniqueViolation(error)) {
        const existing = await this.find(variant.imageId, variant.paramsKey);
        if (existing) {
          await this.discard(variant);
          return existing;
        }
        // That row was evicted in between: ours can take its place.
        if (attempts > 1) return this.insert(variant, attempts - 1);
      }
      await this.discard(variant);
      // The image was deleted while its variant was computed.
      if (isForeignKeyViolation(error)) throw new ImageNotFoundError();
      throw error;
    }
    // Deleted between the computation and the insert, on an engine whose cascade already ran: the row is gone too.
    if (!(await this.imageExists(variant.imageId))) {
      await this.variants.delete({ id: variant.id });
      await this.discard(variant);
      throw new ImageNotFoundError();
    }
    return variant;
  }

  /** Keeps at most MAX_VARIANTS_PER_IMAGE: the least recently served go, rows first (readers then recompute), then bytes. */
  private async evictBeyondLimit(imageId: string, keepId: string): Promise<void> {
    // Counted first: under the limit (the usual case) no row is read.
    const excess = (await this.variants.countBy({ imageId })) - this.cfg.maxVariantsPerImage;
    if (excess <= 0) return;
    const rows = await this.variants.find({
      select: { id: true, storageKey: true },
      where: { imageId, id: Not(keepId) },
      order: { lastServedAt: 'ASC', createdAt: 'ASC' },
      take: excess,
    });
    for (const row of rows) {
      const { affected } = await this.variants.delete({ id: row.id });
      await this.discard(row);
      // Another instance may have evicted the same row meanwhile: count each eviction once.
      if (affected) this.metrics.evicted();
    }
  }

  private async discard(variant: Pick<ImageVariant, 'storageKey'>): Promise<void> {
    await this.storage
      .delete(variant.storageKey)
      .catch((e: unknown) => this.logger.error(`orphan ${variant.storageKey} left: ${String(e)}`));
  }

  /** Timeouts are IMAGE_TOO_COMPLEX; a vanished original is a 404; storage faults keep their status; the rest is a corrupt image. */
  private async transformFailed(imageId: string, error: unknown): Promise<never> {
    if (error instanceof ObjectNotFoundError) throw new ImageNotFoundError();
    if (error instanceof AppError) throw error;
    if (isSharpTimeout(error)) tooComplexOr(error, () => new TransformFailedError(error));
    // sharp reports a deleted original as an unreadable input: ask the database before blaming the image.
    if (!(await this.imageExists(imageId))) throw new ImageNotFoundError();
    throw new TransformFailedError(error);
  }

  /**
   * Images stored before orientations were kept: read it from the header once, then remember it,
   * with width/height turned to the displayed size (rows with an orientation hold that size).
   */
  private async readOrientation(image: Image): Promise<void> {
    const input = await loadStoredImage(this.storage, image.storageKey).catch(() => Promise.reject(new ImageNotFoundError()));
    const orientation = (await input.metadata().catch(() => ({ orientation: undefined }))).orientation ?? 1;
    const shown = displayedSize(image, orientation);
    // Only where it is still null: a concurrent reader (or the backfill) may have turned it already.
    await this.images.update({ id: image.id, orientation: IsNull() }, { orientation, ...shown });
    Object.assign(image, { orientation, ...shown });
  }
}
