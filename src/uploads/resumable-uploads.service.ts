import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThanOrEqual, Repository } from 'typeorm';
import { Clock } from '../common/clock';
import { resumableUploadConfig } from './config/resumable-upload.config';
import { ResumableUpload } from './resumable-upload.entity';

/** The database's record of uploads in progress: shared by every instance, read by the clock. */
@Injectable()
export class ResumableUploadsService {
  constructor(
    @InjectRepository(ResumableUpload) private readonly rows: Repository<ResumableUpload>,
    private readonly clock: Clock,
    @Inject(resumableUploadConfig.KEY) private readonly cfg: ConfigType<typeof resumableUploadConfig>,
  ) {}

  async create(id: string, ownerId: string, filename: string, length: number): Promise<ResumableUpload> {
    const now = this.clock.now();
    const row = this.rows.create({ id, ownerId, filename, length, createdAt: now, expiresAt: new Date(now.getTime() + this.cfg.expiryMs) });
    await this.rows.insert(row);
    return row;
  }

  /** The owner's upload that has not expired; someone else's is as absent as a missing one. */
  async findOwned(id: string, ownerId: string): Promise<ResumableUpload | null> {
    const row = await this.rows.findOneBy({ id, ownerId });
    return row && row.expiresAt > this.clock.now() ? row : null;
  }

  /** Takes the row away, once: the one caller that gets `true` finishes (or drops) the upload. */
  async claim(id: string): Promise<boolean> {
    return ((await this.rows.delete({ id })).affected ?? 0) === 1;
  }

  /** Claims an expired upload (on one instance only, when several run the job together). */
  async claimExpired(id: string): Promise<boolean> {
    return ((await this.rows.delete({ id, expiresAt: LessThanOrEqual(this.clock.now()) })).affected ?? 0) === 1;
  }

  async expired(): Promise<ResumableUpload[]> {
    return this.rows.findBy({ expiresAt: LessThanOrEqual(this.clock.now()) });
  }

  async live(): Promise<ResumableUpload[]> {
    const now = this.clock.now();
    return (await this.rows.find()).filter((row) => row.expiresAt > now);
  }
}
