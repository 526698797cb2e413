/**
 * A small upload's bytes, kept in memory as they stream to storage so that its validating decode
 * reads them from there: libvips, given a file, opens and reads it once per format it tries
 * (~28 opens of a 110 KB JPEG between the header read and the decode, on the thread pool), and the
 * upload is answered ~0.6 ms of CPU sooner without them (`npm run bench`). Bounded twice: an upload
 * keeps at most INLINE_UPLOAD_BYTES (a larger one is decoded from storage, as before), and all
 * uploads together at most INLINE_BUDGET_BYTES; past either, the bytes kept so far are let go.
 */
export const INLINE_UPLOAD_BYTES = 1024 * 1024;
export const INLINE_BUDGET_BYTES = 64 * 1024 * 1024;

/** The process-wide account of bytes kept. */
export class InlineBudget {
  private used = 0;

  constructor(readonly limit = INLINE_BUDGET_BYTES) {}

  get bytesInUse(): number {
    return this.used;
  }

  reserve(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}

export const inlineBudget = new InlineBudget();

/** A lease dropped without release() (a path that forgot it) still gives its bytes back when collected. */
const forgotten = new FinalizationRegistry<{ budget: InlineBudget; bytes: number }>(({ budget, bytes }) => budget.release(bytes));

/** One upload's kept bytes: chunks while they arrive, then one buffer; release() ends it for good. */
export class InlineBytes {
  private chunks: Buffer[] = [];
  private whole?: Buffer;
  private open = true;
  /** What this lease holds of the budget: also the registry's held value, so it cannot refer to `this`. */
  private readonly account: { budget: InlineBudget; bytes: number };

  constructor(
    private readonly budget: InlineBudget = inlineBudget,
    private readonly perUpload = INLINE_UPLOAD_BYTES,
  ) {
    this.account = { budget, bytes: 0 };
    forgotten.register(this, this.account, this);
  }

  /** Keeps `chunk` if both bounds allow; otherwise lets go of everything and keeps nothing more. */
  add(chunk: Buffer): void {
    if (!this.open) return;
    if (this.account.bytes + chunk.length > this.perUpload || !this.budget.reserve(chunk.length)) return this.release();
    this.chunks.push(chunk);
    this.account.bytes += chunk.length;
  }

  /** All the bytes, if every one was kept (undefined once released or past a bound). */
  bytes(): Buffer | undefined {
    if (!this.open) return undefined;
    if (!this.whole) {
      this.whole = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.account.bytes);
      this.chunks = [];
    }
    return this.whole;
  }

  release(): void {
    if (!this.open) return;
    this.open = false;
    this.chunks = [];
    this.whole = undefined;
    this.budget.release(this.account.bytes);
    this.account.bytes = 0;
    forgotten.unregister(this);
  }
}
