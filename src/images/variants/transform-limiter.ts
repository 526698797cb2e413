/**
 * A counting semaphore: at most `limit` tasks run at once, the rest wait in arrival order.
 * Hand-written because it is a dozen lines and the maintained packages (p-limit) are ESM-only.
 */
export class TransformLimiter {
  private busy = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`limit must be a positive integer, got ${limit}`);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  /** Tasks holding a slot. */
  get running(): number {
    return this.busy;
  }

  /** Tasks waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  private acquire(): Promise<void> {
    if (this.busy < this.limit) {
      this.busy += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next task, so `busy` stays the same.
    if (next) next();
    else this.busy -= 1;
  }
}
