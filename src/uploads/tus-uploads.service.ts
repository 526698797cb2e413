import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { AppError, ClientClosedRequestError, ErrorCode } from '../common/errors';
import { uploadConfig } from '../images/config/upload.config';
import { storageConfig } from '../storage/config/storage.config';
import { resumableUploadConfig } from './config/resumable-upload.config';
import { sanitiseFilename } from '../images/upload/filename';
import { ImageIntake } from '../images/upload/image-intake';
import { UploadAdmission } from '../images/upload/upload-admission';
import { StorageReconciler } from '../images/reconcile/storage-reconciler';
import { StorageDriver } from '../storage/storage-driver';
import { MysqlLocker } from './mysql-locker';
import { ResumableUploadsService } from './resumable-uploads.service';
import { NodeRequest, TusUpload, tus } from './tus-library';
import { TUS_PREFIX, TusStore, createTusStore } from './tus-stores';
import { TusProtocolError, UploadNotFoundError } from './uploads.errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What one request's hooks share: who asks, the error to answer with, the upload it finished. */
interface RequestContext {
  user?: AuthUser;
  error?: unknown;
  finished?: string;
}

/** Statuses the tus server answers on its own, as problem codes. */
const TUS_CODES: Record<number, ErrorCode> = {
  400: ErrorCode.VALIDATION_FAILED,
  403: ErrorCode.VALIDATION_FAILED,
  404: ErrorCode.UPLOAD_NOT_FOUND,
  409: ErrorCode.UPLOAD_OFFSET_MISMATCH,
  410: ErrorCode.UPLOAD_EXPIRED,
  412: ErrorCode.TUS_VERSION_UNSUPPORTED,
  413: ErrorCode.FILE_TOO_LARGE,
  415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
};

/**
 * tus 1.0.0 on /uploads through @tus/server: the protocol is the library's; this class supplies
 * the owner (the database row), the limits before any byte, the store, and the finish — which
 * hands the bytes to the images module's intake, the same validation and create as POST /images.
 */
@Injectable()
export class TusUploadsService implements OnModuleInit {
  private readonly logger = new Logger('ResumableUploads');
  private readonly tusStore: TusStore;
  private readonly server: InstanceType<typeof tus.Server>;
  private readonly contexts = new WeakMap<object, RequestContext>();
  /** Uploads finished by a request still running: tus reads them once more before it answers. */
  private readonly finished = new Map<string, TusUpload>();

  constructor(
    private readonly rows: ResumableUploadsService,
    private readonly intake: ImageIntake,
    private readonly admission: UploadAdmission,
    private readonly storage: StorageDriver,
    private readonly reconciler: StorageReconciler,
    @InjectDataSource() dataSource: DataSource,
    @Inject(storageConfig.KEY) storageCfg: ConfigType<typeof storageConfig>,
    @Inject(uploadConfig.KEY) uploadCfg: ConfigType<typeof uploadConfig>,
    @Inject(resumableUploadConfig.KEY) cfg: ConfigType<typeof resumableUploadConfig>,
  ) {
    this.tusStore = createTusStore(storageCfg, cfg.expiryMs);
    const store = this.tusStore.store;
    const read = store.getUpload.bind(store);
    store.getUpload = async (id: string) => this.finished.get(id) ?? read(id);
    this.server = new tus.Server({
      path: '/uploads',
      datastore: store,
      maxSize: uploadCfg.maxContentLength,
      locker: dataSource.options.type === 'mysql' ? new MysqlLocker(dataSource) : new tus.MemoryLocker(),
      // CORS is the app's (CORS_ORIGINS), not the library's.
      allowedOrigins: () => false,
      namingFunction: () => `${TUS_PREFIX}${randomUUID()}`,
      generateUrl: (_req, { id }) => `/uploads/${id.slice(TUS_PREFIX.length)}`,
      getFileIdFromRequest: (_req, last) => (last && UUID.test(last) ? `${TUS_PREFIX}${last.toLowerCase()}` : undefined),
      onIncomingRequest: (req, id) => this.hook(req, (ctx) => this.checkOwner(req.method, id, ctx)),
      onUploadCreate: (req, upload) => this.hook(req, (ctx) => this.admit(upload, ctx)),
      onUploadFinish: (req, upload) => this.hook(req, (ctx) => this.finish(upload, ctx)),
    });
  }

  onModuleInit(): void {
    this.reconciler.registerResumableUploads({ inProgress: () => this.inProgress(), expired: (apply) => this.expired(apply) });
  }

  /** Runs one tus request; every error it ends in is thrown for the problem-details filter. */
  async handle(req: Request, res: Response, user: AuthUser | undefined): Promise<void> {
    const request = new NodeRequest({ req, res });
    const ctx: RequestContext = { user };
    this.contexts.set(request, ctx);
    let response: globalThis.Response;
    try {
      response = await this.server.handleWeb(request);
    } finally {
      if (ctx.finished) await this.purge(ctx.finished);
    }
    if (ctx.error) throw ctx.error;
    if (response.status >= 400) throw await this.protocolError(req, response);
    if (req.method === 'DELETE') await this.terminated(this.fileIdOf(req));
    res.status(response.status);
    response.headers.forEach((value, name) => {
      if (!name.startsWith('access-control-')) res.setHeader(name, value);
    });
    res.end(response.status === 204 ? undefined : await response.text());
  }

  /** Removes uploads past RESUMABLE_UPLOAD_EXPIRY (their bytes, metadata and row); returns how many. */
  async removeExpired(): Promise<number> {
    let removed = 0;
    for (const row of await this.rows.expired()) {
      if (!(await this.rows.claimExpired(row.id))) continue;
      await this.removeStored(`${TUS_PREFIX}${row.id}`);
      removed += 1;
    }
    if (removed) this.logger.log(`Removed ${removed} expired resumable upload(s)`);
    return removed;
  }

  /** After tus removed it: the row, and a pending part @tus/s3-store's remove() leaves behind. */
  private async terminated(id: string): Promise<void> {
    await this.rows.claim(this.uuidOf(id));
    await this.purge(id);
  }

  private async expired(apply: boolean): Promise<number> {
    return apply ? this.removeExpired() : (await this.rows.expired()).length;
  }

  private async inProgress(): Promise<{ keys: string[]; bytes: number }> {
    const keys: string[] = [];
    let bytes = 0;
    for (const row of await this.rows.live()) {
      const key = `${TUS_PREFIX}${row.id}`;
      keys.push(key);
      bytes += await this.tusStore.store.getUpload(key).then(
        (upload) => upload.offset,
        () => 0,
      );
    }
    return { keys, bytes };
  }

  /** Hooks run with the request's context; an error is kept to be answered as itself. */
  private async hook<T>(req: object, body: (ctx: RequestContext) => Promise<T>): Promise<T> {
    const ctx = this.contexts.get(req) ?? {};
    try {
      return await body(ctx);
    } catch (error) {
      ctx.error = error;
      throw { status_code: 500, body: 'hook failed' };
    }
  }

  private async checkOwner(method: string, id: string, ctx: RequestContext): Promise<void> {
    if (method === 'POST') return;
    if (!(await this.rows.findOwned(this.uuidOf(id), ctx.user!.id))) throw new UploadNotFoundError();
  }

  /** Before any byte is stored: the name's extension, the size limit and the owner's quota. */
  private async admit(upload: TusUpload, ctx: RequestContext): Promise<{ metadata?: TusUpload['metadata'] }> {
    const filename = sanitiseFilename(upload.metadata?.filename ?? upload.metadata?.name ?? undefined);
    this.intake.checkFilename(filename);
    await this.admission.admitLength(ctx.user!.id, upload.size!);
    await this.rows.create(this.uuidOf(upload.id), ctx.user!.id, filename, upload.size!);
    return {};
  }

  /** The last byte is stored: the same validation and create as POST /images; the upload then goes. */
  private async finish(upload: TusUpload, ctx: RequestContext): Promise<{ headers: Record<string, string> }> {
    const row = await this.rows.findOwned(this.uuidOf(upload.id), ctx.user!.id);
    if (!row || !(await this.rows.claim(row.id))) throw new UploadNotFoundError();
    this.finished.set(upload.id, upload);
    ctx.finished = upload.id;
    // The SHA-256 is taken in validation's end-of-image scan (one read of the bytes, not two).
    const image = await this.intake.ingest(ctx.user!, { tempKey: upload.id, filename: row.filename, size: upload.offset });
    return { headers: { 'Image-Location': `/images/${image.id}` } };
  }

  private async purge(id: string): Promise<void> {
    this.finished.delete(id);
    await Promise.all(this.tusStore.keysOf(id).map((key) => this.storage.delete(key).catch(() => undefined)));
  }

  private async removeStored(id: string): Promise<void> {
    await this.tusStore.store.remove(id).catch(() => undefined);
    await this.purge(id);
  }

  private async protocolError(req: Request, response: globalThis.Response): Promise<AppError> {
    if (req.destroyed && !req.complete) return new ClientClosedRequestError();
    const detail = (await response.text()).trim() || 'The upload request was refused';
    const code = TUS_CODES[response.status] ?? ErrorCode.INTERNAL_ERROR;
    if (code === ErrorCode.INTERNAL_ERROR) this.logger.error(`tus answered ${response.status}: ${detail}`);
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      if (name.startsWith('tus-') || name.startsWith('upload-')) headers[name] = value;
    });
    return new TusProtocolError(code, code === ErrorCode.INTERNAL_ERROR ? 'The upload could not be stored' : detail, headers);
  }

  private fileIdOf(req: Request): string {
    return `${TUS_PREFIX}${(req.params as Record<string, string>).id}`;
  }

  private uuidOf(id: string): string {
    return id.slice(TUS_PREFIX.length);
  }
}
