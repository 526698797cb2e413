import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { Page } from '../common/dto/page';
import type { Readable } from 'node:stream';
import { ByteRange, StorageDriver } from '../storage/storage-driver';
import { ObjectNotFoundError } from '../storage/storage.errors';
import { ContentCache } from './content/content-cache';
import { StoredContent } from './content/stored-content';
import { ContentQueryDto } from './dto/content-query.dto';
import { ImageDto } from './dto/image.dto';
import { UpdateImageDto } from './dto/update-image.dto';
import { ListImagesQueryDto } from './dto/list-images-query.dto';
import { Image } from './image.entity';
import { imageAccess } from './image-access.policy';
import { ImageRows } from './image-rows';
import { ImageNotFoundError } from './images.errors';
import { DeliveryPlanner } from './delivery/delivery-planner';
import { ListTotals } from './list-totals';
import { ContentAccess, cacheControlFor } from './links/content-access';
import { ImageMetadata } from './metadata/image-metadata';
import { storageKeys } from './storage-keys';
import { QuotaService } from './quota/quota.service';
import { ValidatedUpload } from './upload/received-upload';
import { ImageVariant } from './variants/variant.entity';
import { variantFilename } from './variants/variant-filename';
import { VariantsService } from './variants/variants.service';

const SORT_COLUMNS = { uploadedAt: 'image.uploaded_at', size: 'image.size', filename: 'image.filename' } as const;

@Injectable()
export class ImagesService {
  private readonly logger = new Logger(ImagesService.name);
  private readonly totals = new ListTotals();

  constructor(
    @InjectRepository(Image) private readonly images: Repository<Image>,
    private readonly storage: StorageDriver,
    private readonly variants: VariantsService,
    private readonly access: ContentAccess,
    private readonly quota: QuotaService,
    private readonly planner: DeliveryPlanner,
    private readonly rows: ImageRows,
    private readonly content: ContentCache,
  ) {}

  /** Makes a validated upload permanent: the bytes move to their key, then the row is written. */
  async create(owner: AuthUser, upload: ValidatedUpload): Promise<ImageDto> {
    const id = randomUUID();
    const storageKey = storageKeys.original(id);
    await this.storage.move(upload.tempKey, storageKey);
    const image = this.images.create({
      id,
      ownerId: owner.id,
      filename: upload.filename,
      storageKey,
      mimeType: upload.mimeType,
      extension: upload.extension,
      size: upload.size,
      width: upload.width,
      height: upload.height,
      checksum: upload.sha256,
      orientation: upload.orientation,
      ...metadataColumns(upload.metadata),
      uploadedAt: new Date(),
    });
    try {
      // The quota is checked again here, atomically with the insert: concurrent uploads cannot overshoot.
      await this.quota.insertWithinQuota(image);
    } catch (error) {
      // No row, no bytes: the compensating delete keeps storage and database in step.
      await this.storage.delete(storageKey).catch((e: unknown) => this.logger.error(`orphan ${storageKey} left: ${String(e)}`));
      throw error;
    }
    this.totals.invalidate(owner.id);
    return ImageDto.from(image);
  }

  async list(user: AuthUser, query: ListImagesQueryDto): Promise<Page<ImageDto>> {
    const qb = this.images.createQueryBuilder('image');
    const ownerId = imageAccess.listOwner(user, query.ownerId);
    if (ownerId) qb.andWhere('image.owner_id = :ownerId', { ownerId });
    if (query.checksum) qb.andWhere('image.checksum = :checksum', { checksum: query.checksum });
    if (query.mimeType) qb.andWhere('image.mime_type = :mimeType', { mimeType: query.mimeType });
    if (query.q) qb.andWhere("LOWER(image.filename) LIKE :q ESCAPE '!'", { q: `%${escapeLike(query.q.toLowerCase())}%` });
    const direction = query.order === 'asc' ? 'ASC' : 'DESC';
    qb.orderBy(SORT_COLUMNS[query.sort], direction)
      .addOrderBy('image.id', direction)
      .skip((query.page - 1) * query.limit)
      .take(query.limit);
    const rows = await qb.getMany();
    const filter = { ownerId, mimeType: query.mimeType, q: query.q, checksum: query.checksum };
    const total = await this.totals.get(filter, () => qb.getCount());
    return new Page(rows.map(ImageDto.from), total, query.page, query.limit);
  }

  async findOne(user: AuthUser, id: string): Promise<ImageDto> {
    return ImageDto.from(await this.findOwned(user, id));
  }

  /** JSON merge: absent fields stay, null clears; a new focal point drops the crops made around the old one. */
  async update(user: AuthUser, id: string, patch: UpdateImageDto): Promise<ImageDto> {
    const image = await this.findOwned(user, id);
    const changes: Partial<Image> = {};
    if (patch.filename !== undefined) changes.filename = patch.filename;
    if (patch.alt !== undefined) changes.alt = patch.alt;
    if (patch.focalPoint !== undefined)
      Object.assign(changes, { focalX: patch.focalPoint?.x ?? null, focalY: patch.focalPoint?.y ?? null });
    const focalMoved = patch.focalPoint !== undefined && (changes.focalX !== image.focalX || changes.focalY !== image.focalY);
    if (Object.keys(changes).length) {
      await this.images.update({ id: image.id }, changes);
      this.rows.forget(image.id);
      // A new name changes which `q` listings count it.
      if ('filename' in changes) this.totals.invalidate(image.ownerId);
    }
    if (focalMoved) await this.variants.invalidateCrops(image.id);
    return ImageDto.from({ ...image, ...changes });
  }

  /**
   * Variants, then the original's bytes (a storage outage keeps the row for a retry), then the row;
   * then any bytes a variant computed meanwhile left behind (its own insert fails from here on).
   * Of concurrent deletes only the one whose DELETE removed the row answers 204; the byte deletes
   * before it are idempotent, so the others change nothing and answer 404.
   */
  async remove(user: AuthUser, id: string): Promise<void> {
    const image = await this.findOwned(user, id);
    await this.variants.removeAll(image);
    await this.storage.delete(image.storageKey);
    const { affected } = await this.images.delete({ id: image.id });
    this.rows.forget(image.id);
    this.content.forgetImage(image.id);
    this.totals.invalidate(image.ownerId);
    if (!affected) throw new ImageNotFoundError();
    await this.variants.sweepOrphans(image.id);
  }

  /** The image entity for content and links: by bearer token (owner or admin). */
  findReadable(user: AuthUser, id: string): Promise<Image> {
    return this.findOwned(user, id);
  }

  /** The original's bytes, or a variant's when the query transforms it; by bearer token or signed link. */
  async openContent(
    user: AuthUser | undefined,
    id: string,
    query: ContentQueryDto,
    accept: string | undefined,
    clientGone?: () => AbortSignal,
  ): Promise<StoredContent> {
    const grant = this.access.grant(user, id, query);
    const image = grant.user ? await this.findOwned(grant.user, id) : await this.findById(id);
    // A signed link's variants are on the owner's account: the owner shared it.
    const requesterId = grant.user?.id ?? image.ownerId;
    const plan = this.planner.plan(query, image.mimeType, accept);
    const transform = await this.variants.normalise(image, plan.params);
    let variant = transform ? await this.variants.resolve(image, transform, requesterId, clientGone?.()) : null;
    // One literal with every field: a spread of describe() followed by more fields gave each
    // request's object its own hidden class (~5 % of a 304's CPU in the profile).
    const { size, mimeType, checksum, lastModified, filename } = this.describe(image, variant);
    const content: StoredContent = {
      size,
      mimeType,
      checksum,
      lastModified,
      filename,
      disposition: query.download ? 'attachment' : 'inline',
      cacheControl: cacheControlFor(grant, image.checksum),
      vary: plan.negotiated ? 'Accept' : undefined,
      open: async (range) => {
        try {
          return await this.openBytes(image, variant, range);
        } catch (error) {
          if (!(error instanceof ObjectNotFoundError && variant && transform)) throw error;
        }
        // Another instance evicted it between our lookup and this open: compute and store it again...
        variant = await this.variants.replace(image, transform, variant, requesterId);
        Object.assign(content, this.describe(image, variant));
        try {
          return await this.openBytes(image, variant, range);
        } catch (error) {
          if (!(error instanceof ObjectNotFoundError)) throw error;
        }
        // ...and if eviction wins that race too, serve this response fresh, without storing it.
        const fresh = await this.variants.computeFresh(image, transform, requesterId);
        Object.assign(content, { size: fresh.bytes.length, checksum: fresh.checksum, lastModified: new Date() });
        return cut(fresh.bytes, range);
      },
    };
    return content;
  }

  private describe(
    image: Image,
    variant: ImageVariant | null,
  ): Pick<StoredContent, 'size' | 'mimeType' | 'checksum' | 'lastModified' | 'filename'> {
    const source = variant ?? image;
    return {
      size: source.size,
      mimeType: source.mimeType,
      checksum: source.checksum,
      lastModified: variant?.createdAt ?? image.uploadedAt,
      filename: variant ? variantFilename(image.filename, variant.mimeType) : image.filename,
    };
  }

  /** Opens a variant's bytes (ObjectNotFoundError passes through), or the original's (a missing original is logged and a 404). */
  private async openBytes(image: Image, variant: ImageVariant | null, range?: ByteRange): Promise<Readable | Buffer> {
    if (variant) {
      const fresh = this.variants.freshBytes(variant);
      if (fresh) return cut(fresh, range);
      return this.read(variant.storageKey, variant.size, range);
    }
    return this.read(image.storageKey, image.size, range).catch(async (error: unknown) => {
      if (!(error instanceof ObjectNotFoundError)) throw error;
      // The row may be one another instance deleted within IMAGE_LOOKUP_TTL_MS: only a row still there is a fault.
      this.rows.forget(image.id);
      if (await this.rows.find(image.id)) this.logger.error(`image ${image.id} has no bytes at ${image.storageKey}`);
      throw new ImageNotFoundError();
    });
  }

  /** A small object's bytes from memory (ContentCache: read whole once, then kept), a larger one's as a stream from storage. */
  private async read(key: string, size: number, range?: ByteRange): Promise<Readable | Buffer> {
    const whole = this.content.bytes(key, size, () => this.storage.open(key, undefined, size));
    return whole ? cut(await whole, range) : this.storage.open(key, range, size);
  }

  /** Another user's image answers exactly like a missing one. */
  private async findOwned(user: AuthUser, id: string): Promise<Image> {
    const { ownerId } = imageAccess.reachableBy(user);
    const image = await this.rows.find(id);
    if (!image || (ownerId !== undefined && image.ownerId !== ownerId)) throw new ImageNotFoundError();
    return image;
  }

  private async findById(id: string): Promise<Image> {
    const image = await this.rows.find(id);
    if (!image) throw new ImageNotFoundError();
    return image;
  }
}

function metadataColumns(m: ImageMetadata): Pick<Image, 'thumbhash' | 'dominantColor' | 'takenAt' | 'camera' | 'frames'> {
  return { thumbhash: m.thumbhash, dominantColor: m.dominantColor, takenAt: m.takenAt, camera: m.camera, frames: m.frames };
}

function escapeLike(value: string): string {
  return value.replace(/[!%_]/g, (c) => `!${c}`);
}

/** Bytes held in memory, cut to `range` when there is one. */
function cut(bytes: Buffer, range?: ByteRange): Buffer {
  return range ? bytes.subarray(range.start, range.end + 1) : bytes;
}
