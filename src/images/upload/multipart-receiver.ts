import busboy from 'busboy';
import type { Request } from 'express';
import { Readable } from 'node:stream';
import { ClientClosedRequestError } from '../../common/errors';
import { StorageDriver } from '../../storage/storage-driver';
import { storageKeys } from '../storage-keys';
import { sanitiseFilename } from './filename';
import { ReceivedUpload } from './received-upload';
import { UploadInspection } from './upload-inspection';
import { InlineBytes } from './inline-bytes';
import { FieldTooLargeError, FileRequiredError, MalformedMultipartError, TooManyFilesError } from '../images.errors';
import type { ByteLimit } from './upload-admission';

export const FILE_FIELD = 'file';
const MAX_FIELD_BYTES = 64 * 1024;
const MAX_FIELDS = 16;
/**
 * What a multipart body may carry besides the file: 16 KB of boundaries and part headers plus the
 * text fields busboy accepts. A Content-Length above the file limit plus this cannot be an upload that fits.
 */
export const MULTIPART_OVERHEAD = 16 * 1024 + MAX_FIELDS * MAX_FIELD_BYTES;

/**
 * Streams the single `file` part of a multipart request into storage under a temporary key,
 * hashing, counting and inspecting (UploadInspection) on the way; holds the file in memory only
 * within InlineBytes' bounds, for its decode. Hand-written over busboy
 * (rather than multer) to stream into any StorageDriver and to clean up on every failure path.
 */
export class MultipartReceiver {
  private tempKey?: string;
  private put?: Promise<ReceivedUpload>;
  private file?: Readable;
  private inline?: InlineBytes;
  private failure?: Error;
  private otherField?: string;

  constructor(
    private readonly storage: StorageDriver,
    private readonly limit: ByteLimit,
  ) {}

  async receive(req: Request): Promise<ReceivedUpload | undefined> {
    if (!req.is('multipart/form-data')) throw new FileRequiredError("Send the image as multipart/form-data in the field 'file'");
    await this.parse(req);
    const received = await this.put?.catch(async (error: unknown) => {
      await this.discard();
      throw this.failure ?? error;
    });
    if (this.failure) {
      await this.discard();
      throw this.failure;
    }
    if (!received && this.otherField !== undefined) {
      throw new FileRequiredError(`The file must be sent in the field 'file', not '${this.otherField}'`);
    }
    return received;
  }

  /** Removes what was written (and lets go of what was kept); also called by the interceptor when a later step rejects the upload. */
  async discard(): Promise<void> {
    this.inline?.release();
    if (this.tempKey) await this.storage.delete(this.tempKey).catch(() => undefined);
  }

  private parse(req: Request): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let parser: busboy.Busboy;
      try {
        parser = busboy({
          headers: req.headers,
          defParamCharset: 'utf8',
          // busboy flags a file that reaches fileSize as cut off; a file of exactly the limit is allowed.
          limits: { fileSize: this.limit.bytes + 1, files: 1, fields: MAX_FIELDS, fieldSize: MAX_FIELD_BYTES, parts: 32, headerPairs: 32 },
        });
      } catch {
        reject(new MalformedMultipartError('The multipart body has no boundary'));
        return;
      }
      const stop = (error: Error) => {
        this.failure ??= error;
        // Read no more: the answer goes out at once with Connection: close (the exception filter
        // sees the unread body), and Node closes the socket once it is flushed.
        req.unpipe(parser);
        req.pause();
        this.file?.destroy(error);
        resolve();
      };
      parser.on('file', (field, stream, info) => this.onFile(field, stream, info.filename, stop));
      // busboy silently cuts a field at fieldSize; a field that large is no honest upload form.
      parser.on('field', (_name, _value, info) => info.valueTruncated && stop(new FieldTooLargeError(MAX_FIELD_BYTES)));
      parser.on('filesLimit', () => stop(new TooManyFilesError()));
      parser.on('partsLimit', () => stop(new MalformedMultipartError('The multipart body has too many parts')));
      parser.on('fieldsLimit', () => stop(new MalformedMultipartError('The multipart body has too many fields')));
      parser.on('error', () => stop(new MalformedMultipartError('The multipart body is malformed or incomplete')));
      parser.on('close', () => resolve());
      req.once('close', () => {
        if (req.complete) return;
        this.failure ??= new ClientClosedRequestError();
        parser.destroy(this.failure);
        resolve();
      });
      req.pipe(parser);
    });
  }

  private onFile(field: string, stream: Readable, filename: string | undefined, stop: (error: Error) => void): void {
    if (field !== FILE_FIELD || this.put) {
      if (field !== FILE_FIELD) this.otherField = field;
      stream.resume();
      return;
    }
    // busboy may fail the stream before the driver attaches its own listeners; the failure is
    // reported through the parser and the driver's put, never as an unhandled 'error' (a crash).
    stream.on('error', () => undefined);
    stream.once('limit', () => stop(this.limit.exceeded()));
    this.file = stream;
    const tempKey = storageKeys.temporary();
    this.tempKey = tempKey;
    const name = sanitiseFilename(filename);
    this.inline = new InlineBytes();
    const inspection = new UploadInspection(this.inline);
    this.put = this.storage
      .put(tempKey, stream, { staged: true, observe: inspection.observe })
      .then(({ size, sha256 }) => ({ tempKey, filename: name, size, sha256, inspected: inspection.result() }));
    // A store that fails before reading everything stops reading the part: without `stop` the
    // parser would wait forever for it to drain, and the request would hang instead of a 503.
    this.put.catch((error: Error) => stop(error));
  }
}
