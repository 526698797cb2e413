import { EndScan, EndScanner } from '../image-end/scan-image-end';
import { FormatName, MAGIC_BYTES_LENGTH, detectImageFormat } from '../formats';
import { InlineBytes } from './inline-bytes';

/** What validation reads of an upload's bytes, gathered while they were stored. */
export interface Inspected {
  /** The first MAGIC_BYTES_LENGTH bytes (fewer in a shorter file). */
  head: Buffer;
  /** The end-of-image walk for the format the head shows, when that format has one. */
  end?: { format: FormatName; scan: EndScan };
  /** The bytes themselves, when the upload was small enough to keep (see inline-bytes.ts); whoever validates releases them. */
  inline?: InlineBytes;
}

/**
 * Validation's two reads of a stored upload (the magic bytes, then the end-of-image walk over all
 * of it), done on the bytes as the receiver stores them instead: two reads of the object fewer per
 * upload (local disk: ~7 thread-pool calls; S3: two GETs). The walk is the validation pipe's own
 * (EndScanner), for the format the same head detects.
 */
export class UploadInspection {
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private head?: Buffer;
  private end?: { format: FormatName; scanner: EndScanner; decided: boolean };

  /** `inline`: where to keep the bytes as well, as far as its bounds allow. */
  constructor(private readonly inline?: InlineBytes) {}

  /** Every chunk, in order (PutOptions.observe). */
  readonly observe = (chunk: Buffer): void => {
    this.inline?.add(chunk);
    if (this.head) return this.scan(chunk);
    this.pending.push(chunk);
    this.pendingLength += chunk.length;
    if (this.pendingLength >= MAGIC_BYTES_LENGTH) this.start();
  };

  result(): Inspected {
    if (!this.head) this.start();
    return {
      head: this.head!,
      ...(this.end ? { end: { format: this.end.format, scan: this.end.scanner.result() } } : {}),
      ...(this.inline ? { inline: this.inline } : {}),
    };
  }

  private start(): void {
    // Nearly always one chunk (a socket read is far longer than the head): no copy of it then.
    const seen = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingLength);
    this.pending = [];
    // Twelve bytes copied, not a view keeping the whole first chunk alive until validation.
    this.head = Buffer.from(seen.subarray(0, MAGIC_BYTES_LENGTH));
    const format = detectImageFormat(this.head);
    if (format?.endOfImage) this.end = { format: format.name, scanner: new EndScanner(format.endOfImage()), decided: false };
    if (seen.length) this.scan(seen);
  }

  private scan(chunk: Buffer): void {
    if (this.end && !this.end.decided) this.end.decided = this.end.scanner.feed(chunk);
  }
}
