import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { Page } from '../common/dto/page';
import { StorageDriver } from '../storage/storage-driver';
import { ObjectNotFoundError } from '../storage/storage.errors';
import { StoredContent } from './content/stored-content';
import { ContentQueryDto } from './dto/content-query.dto';
import { ImageDto } from './dto/image.dto';
import { ListImagesQueryDto } from './dto/list-images-query.dto';
import { Image } from './image.entity';
import { ImageNotFoundError, ListOthersForbiddenError } from './images.errors';
import { ContentAccess } from './links/content-access';
import { QuotaService } from './quota/quota.service';
import { ValidatedUpload } from './upload/received-upload';
import { variantFilename } from './variants/variant-filename';
import { VariantsService } from './variants/variants.service';

const SORT_COLUMNS = { uploadedAt: 'image.uploaded_at', size: 'image.size', filename: 'image.filename' } as const;

@Injectable()
export class ImagesService {
  private readonly logger = new Logger(ImagesService.name);

  constructor(
    @InjectRepository(Image) private readonly images: Repository<Image>,
    private readonly storage: StorageDriver,
    private readonly variants: VariantsService,
    private readonly access: ContentAccess,
    private readonly quota: QuotaService,
  ) {}

  /** Makes a validated upload permanent: the bytes move to their key, then the row is written. */
  async create(owner: AuthUser, upload: ValidatedUpload): Promise<ImageDto> {
    const id = randomUUID();
    const storageKey = `images/${id}`;
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
    return ImageDto.from(image);
  }

  async list(user: AuthUser, query: ListImagesQueryDto): Promise<Page<ImageDto>> {
    const qb = this.images.createQueryBuilder('image');
    const ownerId = this.listOwner(user, query.ownerId);
    if (ownerId) qb.andWhere('image.owner_id = :ownerId', { ownerId });
    if (query.mimeType) qb.andWhere('image.mime_type = :mimeType', { mimeType: query.mimeType });
    if (query.q) qb.andWhere("LOWER(image.filename) LIKE :q ESCAPE '!'", { q: `%${escapeLike(query.q.toLowerCase())}%` });
    const direction = query.order === 'asc' ? 'ASC' : 'DESC';
    qb.orderBy(SORT_COLUMNS[query.sort], direction)
      .addOrderBy('image.id', direction)
      .skip((query.page - 1) * query.limit)
      .take(query.limit);
    const [rows, total] = await qb.getManyAndCount();
    return new Page(rows.map(ImageDto.from), total, query.page, query.limit);
  }

  async findOne(user: AuthUser, id: string): Promise<ImageDto> {
    return ImageDto.from(await this.findOwned(user, id));
  }

  /**
   * Variants, then the original's bytes (a storage outage keeps the row for a retry), then the row.
   * Of concurrent deletes only the one whose DELETE removed the row answers 204; the byte deletes
   * before it are idempotent, so the others change nothing and answer 404.
   */
  async remove(user: AuthUser, id: string): Promise<void> {
    const image = await this.findOwned(user, id);
    await this.variants.removeAll(image.id);
    await this.storage.delete(image.storageKey);
    const { affected } = await this.images.delete({ id: image.id });
    if (!affected) throw new ImageNotFoundError();
  }

  /** The original's bytes, or a variant's when the query transforms it; by bearer token or signed link. */
  async openContent(user: AuthUser | undefined, id: string, query: ContentQueryDto): Promise<StoredContent> {
    const grant = this.access.grant(user, id, query);
    const image = grant.user ? await this.findOwned(grant.user, id) : await this.findById(id);
    const variant = await this.variants.resolve(image, query);
    const source = variant ?? image;
    return {
      size: source.size,
      mimeType: source.mimeType,
      checksum: source.checksum,
      lastModified: variant?.createdAt ?? image.uploadedAt,
      filename: variant ? variantFilename(image.filename, variant.mimeType) : image.filename,
      disposition: query.download ? 'attachment' : 'inline',
      cacheControl: grant.cacheControl,
      open: (range) =>
        this.storage.open(source.storageKey, range).catch((error: unknown) => {
          if (!(error instanceof ObjectNotFoundError)) throw error;
          this.logger.error(`image ${image.id} has no bytes at ${source.storageKey}`);
          throw new ImageNotFoundError();
        }),
    };
  }

  /** Another user's image answers exactly like a missing one. Admins reach every image. */
  private async findOwned(user: AuthUser, id: string): Promise<Image> {
    const image = await this.images.findOneBy(user.role === 'admin' ? { id } : { id, ownerId: user.id });
    if (!image) throw new ImageNotFoundError();
    return image;
  }

  private async findById(id: string): Promise<Image> {
    const image = await this.images.findOneBy({ id });
    if (!image) throw new ImageNotFoundError();
    return image;
  }

  private listOwner(user: AuthUser, requested: string | undefined): string | undefined {
    if (user.role === 'admin') return requested;
    if (requested && requested !== user.id) {
      throw new ListOthersForbiddenError();
    }
    return user.id;
  }
}

function escapeLike(value: string): string {
  return value.replace(/[!%_]/g, (c) => `!${c}`);
}
