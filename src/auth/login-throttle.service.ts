import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { LessThan, MoreThan, Repository } from 'typeorm';
import { Clock } from '../common/clock';
import { authConfig } from './config/auth.config';
import { LoginLockedError } from './auth.errors';
import { LoginFailure } from './login-failure.entity';

/** Locks an e-mail + IP pair out after too many failed logins within a sliding window. */
@Injectable()
export class LoginThrottleService {
  constructor(
    @InjectRepository(LoginFailure) private readonly failures: Repository<LoginFailure>,
    @Inject(authConfig.KEY) private readonly cfg: ConfigType<typeof authConfig>,
    private readonly clock: Clock,
  ) {}

  async assertNotLocked(email: string, ip: string): Promise<void> {
    const now = this.clock.now().getTime();
    const recent = await this.failures.find({
      where: { email, ip, failedAt: MoreThan(new Date(now - this.windowMs)) },
      order: { failedAt: 'DESC' },
      take: this.cfg.loginMaxAttempts,
    });
    if (recent.length < this.cfg.loginMaxAttempts) return;
    // The lock lifts when the oldest of the last N failures leaves the window.
    const unlockAt = recent[recent.length - 1].failedAt.getTime() + this.windowMs;
    const retryAfter = Math.max(1, Math.ceil((unlockAt - now) / 1000));
    throw new LoginLockedError(retryAfter);
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    const now = this.clock.now();
    await this.failures.insert({ id: randomUUID(), email, ip, failedAt: now });
    // Every expired failure, not only this pair's: otherwise one-off e-mails pile up for ever.
    await this.failures.delete({ failedAt: LessThan(new Date(now.getTime() - this.windowMs)) });
  }

  async reset(email: string, ip: string): Promise<void> {
    await this.failures.delete({ email, ip });
  }

  private get windowMs(): number {
    return this.cfg.loginWindowSeconds * 1000;
  }
}
