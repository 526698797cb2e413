import type { DataSource, QueryRunner } from 'typeorm';
import { TusLock, TusLocker, tus } from './tus-library';

/** How long a request waits for an upload another request (on any instance) is writing to. */
const MAX_WAIT_SECONDS = 30;

/**
 * One writer per upload across instances: MySQL's GET_LOCK on a connection held for the
 * request (a stopped instance's connection closes, which releases its locks). In-process, the
 * tus MemoryLocker comes first, so a stalled request is still asked to let go for a new one.
 */
export class MysqlLocker implements TusLocker {
  private readonly local = new tus.MemoryLocker();

  constructor(private readonly dataSource: DataSource) {}

  newLock(id: string): TusLock {
    return new MysqlLock(this.dataSource, `tus:${id}`, this.local.newLock(id));
  }
}

class MysqlLock implements TusLock {
  private runner?: QueryRunner;

  constructor(
    private readonly dataSource: DataSource,
    private readonly name: string,
    private readonly local: TusLock,
  ) {}

  async lock(signal: AbortSignal, cancelReq: () => Promise<void> | void): Promise<void> {
    await this.local.lock(signal, cancelReq);
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      for (let waited = 0; ; waited += 1) {
        if (signal.aborted || waited >= MAX_WAIT_SECONDS) throw tus.ERRORS.ERR_LOCK_TIMEOUT;
        const [row] = (await runner.query('SELECT GET_LOCK(?, 1) AS got', [this.name])) as { got: number | string | null }[];
        if (Number(row?.got) === 1) break;
      }
      this.runner = runner;
    } catch (error) {
      await runner.release();
      await this.local.unlock();
      throw error;
    }
  }

  async unlock(): Promise<void> {
    const runner = this.runner;
    this.runner = undefined;
    try {
      if (runner) await runner.query('SELECT RELEASE_LOCK(?)', [this.name]).finally(() => runner.release());
    } finally {
      await this.local.unlock();
    }
  }
}
