import { EndOp, EndParser, MalformedImageError } from './end-parser';

/**
 * Where the image ended, and what followed it: `trailingAt` is the offset of the first byte after
 * the end that is not zero padding. `truncated`: the bytes ran out first; `malformed`: the walk
 * met a structure the format does not allow.
 */
export type EndScan =
  | { status: 'ok'; end: number; size: number }
  | { status: 'trailing'; end: number; trailingAt: number }
  | { status: 'truncated' | 'malformed'; at: number };

const ZEROS = Buffer.alloc(64 * 1024);

/**
 * Runs a format's end parser over a stream, chunk by chunk: memory stays at one chunk plus the
 * few bytes of a pending read, and entropy-coded runs are crossed with Buffer.indexOf. Reading
 * stops at the first non-zero byte after the end.
 */
export async function scanImageEnd(source: AsyncIterable<Buffer>, parser: EndParser): Promise<EndScan> {
  const scanner = new EndScanner(parser);
  for await (const chunk of source) if (scanner.feed(chunk)) break;
  return scanner.result();
}

/** The same walk, fed by hand: over bytes as they stream in (an upload being stored), with no second read. */
export class EndScanner {
  private readonly walk: Walk;
  private offset = 0;
  /** Known before the bytes end: later bytes cannot change it. */
  private decided?: EndScan;

  constructor(parser: EndParser) {
    this.walk = new Walk(parser);
  }

  /** True once the outcome is known (malformed, or data after the end): later chunks need not be fed. */
  feed(chunk: Buffer): boolean {
    if (this.decided) return true;
    const walk = this.walk;
    const used = walk.done ? 0 : walk.feed(chunk);
    if (walk.failed) {
      this.decided = { status: 'malformed', at: this.offset + used };
      return true;
    }
    if (walk.done) {
      walk.end ??= this.offset + used;
      const nonZero = firstNonZero(chunk, used);
      if (nonZero >= 0) {
        this.decided = { status: 'trailing', end: walk.end, trailingAt: this.offset + nonZero };
        return true;
      }
    }
    this.offset += chunk.length;
    return false;
  }

  /** The outcome once every byte was fed (or as soon as it was decided). */
  result(): EndScan {
    if (this.decided) return this.decided;
    if (!this.walk.done) return { status: 'truncated', at: this.offset };
    return { status: 'ok', end: this.walk.end!, size: this.offset };
  }
}

function firstNonZero(chunk: Buffer, from: number): number {
  for (let at = from; at < chunk.length; at += ZEROS.length) {
    const piece = chunk.subarray(at, at + ZEROS.length);
    if (piece.equals(ZEROS.subarray(0, piece.length))) continue;
    for (let i = 0; i < piece.length; i++) if (piece[i] !== 0) return at + i;
  }
  return -1;
}

/** The driver's state between chunks: the current request and any partly gathered read. */
class Walk {
  done = false;
  failed = false;
  end?: number;
  private op: EndOp | undefined;
  private remaining = 0;
  /** A marker search saw 0xFF as the last byte of the previous chunk. */
  private afterFF = false;
  private parts: Buffer[] = [];

  constructor(private readonly parser: EndParser) {
    this.advance(undefined);
  }

  /** Consumes as much of `chunk` as the walk needs; returns how many bytes it consumed. */
  feed(chunk: Buffer): number {
    let at = 0;
    while (!this.done && !this.failed && at < chunk.length) {
      const op = this.op!;
      if (op.op === 'marker') {
        at = this.seekMarker(chunk, at, op.isData);
      } else {
        const take = Math.min(this.remaining, chunk.length - at);
        if (op.op === 'read') this.parts.push(chunk.subarray(at, at + take));
        at += take;
        this.remaining -= take;
        if (this.remaining === 0) this.complete(op);
      }
    }
    return at;
  }

  /** Runs to the next 0xFF in native code; only the byte after each one is looked at here. */
  private seekMarker(chunk: Buffer, from: number, isData: (code: number) => boolean): number {
    let at = from;
    while (at < chunk.length) {
      if (!this.afterFF) {
        const found = chunk.indexOf(0xff, at);
        if (found < 0) return chunk.length;
        at = found + 1;
        this.afterFF = true;
        continue;
      }
      const code = chunk[at++];
      if (code === 0xff) continue;
      this.afterFF = false;
      if (isData(code)) continue;
      this.advance(Buffer.from([code]));
      return at;
    }
    return at;
  }

  private complete(op: EndOp): void {
    if (op.op === 'skip') return this.advance(undefined);
    const bytes = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
    this.parts = [];
    this.advance(bytes);
  }

  private advance(value: Buffer | undefined): void {
    try {
      let step = this.parser.next(value as Buffer);
      // Empty requests are answered at once, so the chunk loop only sees work.
      while (!step.done && step.value.op !== 'marker' && step.value.n <= 0) {
        step = this.parser.next(step.value.op === 'read' ? Buffer.alloc(0) : (undefined as unknown as Buffer));
      }
      if (step.done) {
        this.done = true;
        return;
      }
      this.op = step.value;
      this.remaining = step.value.op === 'marker' ? 0 : step.value.n;
    } catch (error) {
      if (!(error instanceof MalformedImageError)) throw error;
      this.failed = true;
    }
  }
}
