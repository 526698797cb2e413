import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { AppError } from '../../common/errors';
import { uploadConfig } from '../config/upload.config';
import { FileTooLargeError, QuotaExceededError } from '../images.errors';
import { QuotaService } from '../quota/quota.service';
import { MULTIPART_OVERHEAD } from './multipart-receiver';

/** How many bytes the file may have, and what to answer once it has more. */
export interface ByteLimit {
  bytes: number;
  exceeded: () => AppError;
}

const UPLOAD_ROUTE = /^\/(images|upload)\/?$/i;

/**
 * Step 2 of upload validation before any byte of the body is read: MAX_CONTENT_LENGTH and the
 * owner's quota against the announced Content-Length (plus MULTIPART_OVERHEAD), then the limit
 * the receiver cuts the stream at. Used by the upload interceptor and the Expect: 100-continue gate.
 */
@Injectable()
export class UploadAdmission {
  constructor(
    private readonly quota: QuotaService,
    @Inject(uploadConfig.KEY) private readonly cfg: ConfigType<typeof uploadConfig>,
  ) {}

  isUploadRoute(method: string | undefined, url: string | undefined): boolean {
    return method === 'POST' && UPLOAD_ROUTE.test((url ?? '').split('?')[0]);
  }

  /** An exact length announced ahead of the bytes (a resumable upload's Upload-Length): it fits, or this throws. */
  async admitLength(ownerId: string, bytes: number): Promise<void> {
    const max = this.cfg.maxContentLength;
    if (bytes > max) throw new FileTooLargeError(max);
    const remaining = await this.quota.remaining(ownerId);
    if (remaining !== undefined && bytes > remaining) throw new QuotaExceededError(this.quota.quotaBytes!);
  }

  async limitFor(ownerId: string, contentLength: string | undefined): Promise<ByteLimit> {
    const max = this.cfg.maxContentLength;
    const announced = contentLength !== undefined && /^\d+$/.test(contentLength) ? Number(contentLength) : undefined;
    if (announced !== undefined && announced > max + MULTIPART_OVERHEAD) throw new FileTooLargeError(max);
    const remaining = await this.quota.remaining(ownerId);
    if (remaining === undefined || remaining >= max) return { bytes: max, exceeded: () => new FileTooLargeError(max) };
    const quota = this.quota.quotaBytes!;
    if (announced !== undefined && announced > remaining + MULTIPART_OVERHEAD) throw new QuotaExceededError(quota);
    return { bytes: remaining, exceeded: () => new QuotaExceededError(quota) };
  }
}
