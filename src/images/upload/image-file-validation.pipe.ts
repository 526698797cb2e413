import { Inject, Injectable, PipeTransform } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Readable, pipeline } from 'node:stream';
import { uploadConfig } from '../config/upload.config';
import { HashingStream } from '../../storage/hashing-stream';
import { StorageDriver } from '../../storage/storage-driver';
import { extensionOf } from './filename';
import { ImageDecoder, VerifiedImage } from './image-decoder';
import { ImageFormat, MAGIC_BYTES_LENGTH, detectImageFormat, uploadFormatForExtension } from '../formats';
import { EndScan, scanImageEnd } from '../image-end/scan-image-end';
import { ReceivedUpload, ValidatedUpload } from './received-upload';
import { ImageWorkScheduler } from '../work/image-work-scheduler';
import { ContentTypeMismatchError, EmptyFileError, ImageCorruptError, FileRequiredError, UnsupportedFileTypeError } from '../images.errors';

/**
 * The contract's validation steps, in order, each with its own error: present and non-empty →
 * (size was enforced while streaming) → extension → magic bytes → nothing after the image's end →
 * header limits and decode.
 */
@Injectable()
export class ImageFileValidationPipe implements PipeTransform<ReceivedUpload | undefined, Promise<ValidatedUpload>> {
  constructor(
    private readonly storage: StorageDriver,
    private readonly decoder: ImageDecoder,
    private readonly work: ImageWorkScheduler,
    @Inject(uploadConfig.KEY) private readonly cfg: ConfigType<typeof uploadConfig>,
  ) {}

  async transform(upload: ReceivedUpload | undefined): Promise<ValidatedUpload> {
    try {
      return await this.validate(upload);
    } finally {
      upload?.inspected?.inline?.release();
    }
  }

  private async validate(upload: ReceivedUpload | undefined): Promise<ValidatedUpload> {
    if (!upload) throw new FileRequiredError();
    if (upload.size === 0) throw new EmptyFileError();
    const claimed = this.checkExtension(upload.filename);
    const detected = detectImageFormat(upload.inspected?.head ?? (await this.readHead(upload.tempKey)));
    if (!detected || !this.cfg.allowedExtensions.includes(detected.extension)) {
      throw new UnsupportedFileTypeError(`The bytes are not an accepted image type (${this.allowed()})`);
    }
    if (detected !== claimed) {
      throw new ContentTypeMismatchError(`The file is named '.${extensionOf(upload.filename)}' but its bytes are ${detected.mimeType}`);
    }
    const sha256 = await this.checkEnd(upload, detected);
    const owner = upload.ownerId ?? 'anonymous';
    const verified = await this.verify(owner, upload, detected);
    const { inspected: _inspected, ...received } = upload;
    return { ...received, sha256, mimeType: detected.mimeType, extension: detected.extension, ...verified };
  }

  /**
   * The header checks, then the decode in an image-work slot. Bytes kept in memory have their header
   * read before the job takes its slot: reading it decodes no pixel and costs ~0.1 ms of CPU, but
   * held the slot for 3–5 ms under upload load (a pool thread, then the event loop, to wait for),
   * a third of the slot's time; an image refused by its header then takes no slot at all. A header in
   * storage is read in the slot, as the decode reads the file from there too.
   */
  private async verify(owner: string, upload: ReceivedUpload, type: ImageFormat): Promise<VerifiedImage> {
    const bytes = upload.inspected?.inline?.bytes();
    if (!bytes) return this.work.run(owner, 'verify', () => this.decoder.verify(upload.tempKey, type));
    const inspected = await this.decoder.inspect(upload.tempKey, type, bytes);
    return this.work.run(owner, 'verify', () => this.decoder.decode(inspected));
  }

  /** Step 3 alone: what a resumable upload checks from its announced name before any byte arrives. */
  checkExtension(filename: string) {
    const extension = extensionOf(filename);
    if (!extension) throw new UnsupportedFileTypeError(`Files without an extension are not accepted; allowed: ${this.allowed()}`);
    const type = this.cfg.allowedExtensions.includes(extension) ? uploadFormatForExtension(extension) : undefined;
    if (!type) throw new UnsupportedFileTypeError(`'.${extension}' files are not accepted; allowed: ${this.allowed()}`);
    return type;
  }

  /**
   * A polyglot (a ZIP, HTML or script after the image) is refused; zero padding is not data.
   * Returns the bytes' SHA-256: the receiver's, or hashed here on the way when it had none. The
   * walk over the stored bytes is skipped when the receiver already made it as they streamed in.
   */
  private async checkEnd(upload: ReceivedUpload, format: ImageFormat): Promise<string> {
    if (upload.sha256 !== undefined) {
      if (!format.endOfImage) return upload.sha256;
      const seen = upload.inspected?.end;
      if (seen?.format === format.name) {
        refuseUnlessEnded(seen.scan);
        return upload.sha256;
      }
    }
    const hashing = upload.sha256 === undefined ? new HashingStream() : undefined;
    const bytes = await this.storage.open(upload.tempKey);
    const source: Readable = hashing ? pipeline(bytes, hashing, () => undefined) : bytes;
    if (!format.endOfImage) {
      for await (const _chunk of source) continue;
      return hashing!.result().sha256;
    }
    refuseUnlessEnded(await scanImageEnd(source, format.endOfImage()));
    // 'ok' means the scan read every byte (nothing but zeros after the end), so the hash saw them all.
    return upload.sha256 ?? hashing!.result().sha256;
  }

  private async readHead(key: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.storage.open(key, { start: 0, end: MAGIC_BYTES_LENGTH - 1 })) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  private allowed(): string {
    return this.cfg.allowedExtensions.join(', ');
  }
}

/** Only an image that ends, followed by nothing but zero padding, passes. */
function refuseUnlessEnded(scan: EndScan): void {
  if (scan.status === 'trailing') {
    throw new ImageCorruptError(
      `Data follows the image's end (the image ends at byte ${scan.end}, other bytes follow at ${scan.trailingAt})`,
    );
  }
  if (scan.status !== 'ok') throw new ImageCorruptError();
}
