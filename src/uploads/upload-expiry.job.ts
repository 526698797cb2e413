import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { resumableUploadConfig } from './config/resumable-upload.config';
import { TusUploadsService } from './tus-uploads.service';

/** At most this long between sweeps; a short expiry is swept as often as it lasts. */
const MAX_INTERVAL_MS = 5 * 60_000;

/** Removes resumable uploads past RESUMABLE_UPLOAD_EXPIRY, on every instance (each claims its rows). */
@Injectable()
export class UploadExpiryJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(UploadExpiryJob.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly uploads: TusUploadsService,
    @Inject(resumableUploadConfig.KEY) private readonly cfg: ConfigType<typeof resumableUploadConfig>,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.sweep(), Math.min(MAX_INTERVAL_MS, this.cfg.expiryMs));
    // Never what keeps the process alive.
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  sweep(): void {
    if (this.running) return;
    this.running = this.uploads
      .removeExpired()
      .catch((error: unknown) => this.logger.warn(`Expired uploads not removed: ${String(error)}`))
      .finally(() => (this.running = undefined));
  }
}
