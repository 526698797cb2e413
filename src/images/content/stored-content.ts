import type { Readable } from 'node:stream';
import { ByteRange } from '../../storage/storage-driver';

/** Everything needed to answer a content request: headers up front, bytes on demand. */
export interface StoredContent {
  size: number;
  mimeType: string;
  /** Hex SHA-256 of the bytes; the strong ETag. */
  checksum: string;
  lastModified: Date;
  filename: string;
  disposition: 'inline' | 'attachment';
  cacheControl: string;
  /** `Accept` when the format was negotiated (`format=auto`). */
  vary?: string;
  /** The bytes (of `range` when given): held in memory (a small object), or streamed from storage. */
  open(range?: ByteRange): Promise<Readable | Buffer>;
}
