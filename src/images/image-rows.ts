import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { RecentReads } from '../database/recent-reads';
import { RowReader } from '../database/row-reader';
import { Image } from './image.entity';

/**
 * How stale the hot read of an image by id (metadata, content, links) may be. A change made through
 * this instance applies at once; one made elsewhere (another instance, a CLI) within this bound.
 */
export const IMAGE_LOOKUP_TTL_MS = 1000;
/** ~1–2 KB a row: a few MB at most. */
const IMAGE_LOOKUP_MAX = 4096;

/** Image rows by id for the hot reads: SQL made once, and each row read at most once a second per instance. */
@Injectable()
export class ImageRows {
  private readonly byId: RowReader<Image>;
  private readonly recent = new RecentReads<Image>(IMAGE_LOOKUP_TTL_MS, IMAGE_LOOKUP_MAX);

  constructor(@InjectRepository(Image) images: Repository<Image>) {
    this.byId = new RowReader(images, ['id']);
  }

  find(id: string): Promise<Image | null> {
    return this.recent.get(id, () => this.byId.find([id]));
  }

  /** After this instance changed or deleted the row: the next read goes to the database. */
  forget(id: string): void {
    this.recent.forget(id);
  }
}
