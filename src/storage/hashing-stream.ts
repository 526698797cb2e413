import { createHash } from 'node:crypto';
import { Transform, TransformCallback } from 'node:stream';
import { PutResult } from './storage-driver';

/** Passes bytes through while counting them and computing their SHA-256. */
export class HashingStream extends Transform {
  private readonly hash = createHash('sha256');
  private size = 0;

  _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    callback(null, chunk);
  }

  result(): PutResult {
    return { size: this.size, sha256: this.hash.digest('hex') };
  }
}
