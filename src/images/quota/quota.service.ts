import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { ApplyValueTransformers } from 'typeorm/util/ApplyValueTransformers';
import { uploadConfig } from '../config/upload.config';
import { UsersService } from '../../users';
import { Image } from '../image.entity';
import { QuotaExceededError } from '../images.errors';

export interface ImageUsage {
  images: number;
  bytes: number;
}

export interface QuotaSummary {
  usage: ImageUsage;
  /** null when unlimited. */
  quotaBytes: number | null;
}

/**
 * USER_QUOTA_BYTES over the sizes of a user's originals: what they use, what is left, and the
 * one insert that keeps concurrent uploads (even on several instances) from going past it.
 */
@Injectable()
export class QuotaService {
  readonly quotaBytes: number | null;
  private sql?: { plain: string; withinQuota: string };

  constructor(
    @InjectRepository(Image) private readonly images: Repository<Image>,
    private readonly users: UsersService,
    @Inject(uploadConfig.KEY) cfg: ConfigType<typeof uploadConfig>,
  ) {
    this.quotaBytes = cfg.userQuotaBytes;
  }

  async summary(ownerId: string): Promise<QuotaSummary> {
    return { usage: await this.usage(ownerId), quotaBytes: this.quotaBytes };
  }

  async usage(ownerId: string): Promise<ImageUsage> {
    const row = await this.images
      .createQueryBuilder('image')
      .select('COUNT(*)', 'images')
      .addSelect('COALESCE(SUM(image.size), 0)', 'bytes')
      .where('image.owner_id = :ownerId', { ownerId })
      .getRawOne<{ images: string | number; bytes: string | number }>();
    return { images: Number(row?.images ?? 0), bytes: Number(row?.bytes ?? 0) };
  }

  /** Bytes the owner may still add; undefined when unlimited. */
  async remaining(ownerId: string): Promise<number | undefined> {
    if (this.quotaBytes === null) return undefined;
    return Math.max(0, this.quotaBytes - (await this.usage(ownerId)).bytes);
  }

  /**
   * Writes the row only if the owner's originals stay within the quota, as one atomic step. The
   * check and the insert are one `INSERT … SELECT … WHERE sum + size <= quota`: SQLite runs each
   * statement under its single writer lock, so that alone is atomic there. InnoDB's INSERT … SELECT
   * takes shared locks, so two of them deadlock; on MySQL the user's row is locked first (FOR
   * UPDATE, in a transaction): one user's uploads commit one after another, other users' in parallel.
   */
  async insertWithinQuota(image: Image): Promise<void> {
    if (this.quotaBytes === null) {
      await this.insert(this.images.manager, image);
      return;
    }
    const quota = this.quotaBytes;
    const inserted =
      this.images.manager.connection.options.type === 'mysql'
        ? await this.images.manager.transaction(async (manager) => {
            await this.users.lockForUpdate(manager, image.ownerId);
            return this.insert(manager, image, quota);
          })
        : await this.insert(this.images.manager, image, quota);
    if (!inserted) throw new QuotaExceededError(quota);
  }

  /**
   * The row's one INSERT, written from the entity's columns as the repository's insert() would write
   * it (the same column order and value conversions), without a query builder per upload (~0.3 ms of
   * its main thread). With a quota, `INSERT … SELECT … WHERE sum + size <= quota`; true if a row went in.
   */
  private async insert(manager: EntityManager, image: Image, quota?: number): Promise<boolean> {
    const { columns } = this.images.metadata;
    const driver = manager.connection.driver;
    const values = columns.map((c) => {
      const value: unknown = c.getEntityValue(image);
      // A field left unset is NULL (the builder's DEFAULT: no column here has another default).
      return driver.preparePersistentValue(c.transformer ? ApplyValueTransformers.transformTo(c.transformer, value) : value, c) ?? null;
    });
    const statements = this.statements();
    const [sql, parameters] =
      quota === undefined ? [statements.plain, values] : [statements.withinQuota, [...values, image.ownerId, image.size, quota]];
    const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
    try {
      const result = await runner.query(sql, parameters, true);
      return quota === undefined || (result as { affected?: number }).affected === 1;
    } finally {
      if (!manager.queryRunner) await runner.release();
    }
  }

  /** The two INSERTs' text: the same for every row, written on first use (the schema is loaded by then). */
  private statements(): { plain: string; withinQuota: string } {
    if (this.sql) return this.sql;
    const { columns, tableName } = this.images.metadata;
    const driver = this.images.manager.connection.driver;
    const table = driver.escape(tableName);
    const into = `INSERT INTO ${table} (${columns.map((c) => driver.escape(c.databaseName)).join(', ')}) `;
    const placeholders = columns.map(() => '?').join(', ');
    this.sql = {
      plain: `${into}VALUES (${placeholders})`,
      withinQuota:
        `${into}SELECT ${placeholders} FROM (SELECT 1 AS one) AS single_row ` +
        `WHERE (SELECT COALESCE(SUM(size), 0) FROM ${table} WHERE owner_id = ?) + ? <= ?`,
    };
    return this.sql;
  }
}
