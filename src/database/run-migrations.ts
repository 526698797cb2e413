import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

const LOCK_NAME = 'image_api_migrations';
const LOCK_TIMEOUT_SECONDS = 120;

/**
 * Runs pending migrations so that two instances starting together do not race: on MySQL one
 * takes a named lock and the other waits for it, then finds nothing left to do. SQLite's own
 * write lock serialises the migration transactions of processes sharing one file.
 */
export async function runMigrationsLocked(dataSource: DataSource, logger = new Logger('Migrations')): Promise<void> {
  if (dataSource.options.type !== 'mysql') {
    await runPending(dataSource, logger);
    return;
  }
  const runner = dataSource.createQueryRunner();
  try {
    const [row] = await runner.query('SELECT GET_LOCK(?, ?) AS acquired', [LOCK_NAME, LOCK_TIMEOUT_SECONDS]);
    if (Number(row.acquired) !== 1) throw new Error(`could not take the migration lock within ${LOCK_TIMEOUT_SECONDS}s`);
    try {
      await runPending(dataSource, logger);
    } finally {
      await runner.query('SELECT RELEASE_LOCK(?)', [LOCK_NAME]);
    }
  } finally {
    await runner.release();
  }
}

async function runPending(dataSource: DataSource, logger: Logger): Promise<void> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  if (applied.length) logger.log(`Applied ${applied.length} migration(s): ${applied.map((m) => m.name).join(', ')}`);
}
