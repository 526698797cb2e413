import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, MoreThan, Repository } from 'typeorm';
import { formatOfMimeType } from '../formats';
import { Image } from '../image.entity';
import { ImageRows } from '../image-rows';
import { ImageDecoder } from '../upload/image-decoder';
import { ImageWorkScheduler } from '../work/image-work-scheduler';

export interface BackfillOptions {
  batchSize: number;
  /** Images read at once (each still waits its turn in the image-work scheduler). */
  concurrency: number;
  onProgress?: (progress: BackfillProgress) => void;
}

export interface BackfillProgress {
  /** Rows without metadata when the run started. */
  total: number;
  filled: number;
  failed: string[];
}

/** Scheduler queue of the backfill: uploads by real users keep their fair share. */
const WORKER = 'metadata-backfill';

/**
 * Computes the metadata of images stored before it existed (rows whose thumbhash is null), from
 * their bytes, with the same decode as an upload; batches in id order, so a stopped run resumes
 * where rows are still null, and a second run finds nothing to do.
 */
@Injectable()
export class MetadataBackfill {
  private readonly logger = new Logger(MetadataBackfill.name);

  constructor(
    @InjectRepository(Image) private readonly images: Repository<Image>,
    private readonly decoder: ImageDecoder,
    private readonly work: ImageWorkScheduler,
    private readonly rows: ImageRows,
  ) {}

  async run(options: BackfillOptions): Promise<BackfillProgress> {
    const progress: BackfillProgress = { total: await this.images.countBy({ thumbhash: IsNull() }), filled: 0, failed: [] };
    let after = '';
    for (;;) {
      const batch = await this.images.find({
        where: { thumbhash: IsNull(), id: MoreThan(after) },
        order: { id: 'ASC' },
        take: options.batchSize,
      });
      if (!batch.length) return progress;
      after = batch[batch.length - 1].id;
      await eachBounded(batch, options.concurrency, async (image) => {
        if (await this.fill(image)) progress.filled += 1;
        else progress.failed.push(image.id);
      });
      options.onProgress?.(progress);
    }
  }

  /** One image: false when its bytes are missing or no longer pass validation (it stays null, and is reported). */
  async fill(image: Image): Promise<boolean> {
    const format = formatOfMimeType(image.mimeType);
    try {
      if (!format) throw new Error(`unknown type ${image.mimeType}`);
      const {
        width,
        height,
        orientation,
        metadata: m,
      } = await this.work.run(WORKER, 'backfill', () => this.decoder.verify(image.storageKey, format));
      // Where thumbhash is still null: an image replaced or filled meanwhile is left as it is.
      await this.images.update(
        { id: image.id, thumbhash: IsNull() },
        {
          width,
          height,
          orientation,
          thumbhash: m.thumbhash,
          dominantColor: m.dominantColor,
          takenAt: m.takenAt,
          camera: m.camera,
          frames: m.frames,
        },
      );
      this.rows.forget(image.id);
      return true;
    } catch (error) {
      this.logger.warn(`image ${image.id}: ${(error as Error).message ?? String(error)}`);
      return false;
    }
  }
}

async function eachBounded<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
