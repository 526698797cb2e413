import { Transform, TransformCallback } from 'node:stream';
import { ByteRange } from './storage-driver';

/** Cuts a whole-object stream down to one inclusive byte range. */
export class ByteRangeStream extends Transform {
  private offset = 0;

  constructor(private readonly range: ByteRange) {
    super();
  }

  _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const start = Math.max(this.range.start - this.offset, 0);
    const end = Math.min(this.range.end + 1 - this.offset, chunk.length);
    this.offset += chunk.length;
    callback(null, start < end ? chunk.subarray(start, end) : undefined);
  }
}
