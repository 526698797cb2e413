import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { LessThan, MoreThan, Repository } from 'typeorm';
import { Clock } from '../../common/clock';
import { imageWorkConfig } from '../config/image-work.config';
import { TransformRateLimitedError } from '../images.errors';
import { VariantCreation } from './variant-creation.entity';

const WINDOW_MS = 60_000;

/**
 * TRANSFORM_RATE_LIMIT new variants per user per minute, counted in the database so that every
 * instance sees the same budget. A creation is recorded first and counted after: two racing
 * requests can both be refused at the bound, never both admitted past it. Records older than the
 * window count for nothing; each instance deletes them (everyone's) at most once per window, so a
 * new variant costs one durable write, not two.
 */
@Injectable()
export class VariantRateLimiter {
  constructor(
    @InjectRepository(VariantCreation) private readonly creations: Repository<VariantCreation>,
    private readonly clock: Clock,
    @Inject(imageWorkConfig.KEY) private readonly cfg: ConfigType<typeof imageWorkConfig>,
  ) {}

  /** When this instance last removed expired records (never yet: the first creation does). */
  private sweptAt = -Infinity;

  /** Records one new variant for `userId`; RATE_LIMITED (with Retry-After) past the limit. Returns the record's id. */
  async take(userId: string): Promise<string> {
    const now = this.clock.now();
    const windowStart = new Date(now.getTime() - WINDOW_MS);
    await this.sweepExpired(now, windowStart);
    const id = randomUUID();
    await this.creations.insert({ id, userId, createdAt: now });
    const inWindow = await this.creations.countBy({ userId, createdAt: MoreThan(windowStart) });
    if (inWindow <= this.cfg.transformRateLimit) return id;
    await this.refund(id);
    throw new TransformRateLimitedError(this.cfg.transformRateLimit, await this.secondsUntilRoom(userId, windowStart, now));
  }

  /** Gives a recorded creation back (its work was refused before it started). */
  async refund(id: string): Promise<void> {
    await this.creations.delete({ id });
  }

  /** Keeps the table at about one window of records. */
  private async sweepExpired(now: Date, windowStart: Date): Promise<void> {
    if (now.getTime() - this.sweptAt < WINDOW_MS) return;
    this.sweptAt = now.getTime();
    await this.creations.delete({ createdAt: LessThan(windowStart) });
  }

  private async secondsUntilRoom(userId: string, windowStart: Date, now: Date): Promise<number> {
    const oldest = await this.creations.findOne({ where: { userId, createdAt: MoreThan(windowStart) }, order: { createdAt: 'ASC' } });
    const freesAt = (oldest?.createdAt.getTime() ?? now.getTime()) + WINDOW_MS;
    return Math.max(1, Math.ceil((freesAt - now.getTime()) / 1000));
  }
}
