import { createHash } from 'node:crypto';
import { Transform, TransformCallback } from 'node:stream';
import { PutResult } from './storage-driver';

/** Passes bytes through while counting them and computing their SHA-256 (and shows them to `observe`). */
export class HashingStream extends Transform {
  private readonly hash = createHash('sha256');
  private size = 0;

  constructor(private readonly observe?: (chunk: Buffer) => void) {
    super();
  }

  _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.observe?.(chunk);
    this.hash.update(chunk);
    this.size += chunk.length;
    callback(null, chunk);
  }

  result(): PutResult {
    return { size: this.size, sha256: this.hash.digest('hex') };
  }
}
