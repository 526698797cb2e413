import * as sqlite3 from 'sqlite3';
import { DataSourceOptions } from 'typeorm';
import { DatabaseTarget } from '../config/parsers';
import { migrations } from './migrations';

/**
 * TypeORM calls `verbose()` on the sqlite3 module, which records a stack trace on every query
 * (debugging aid, a fifth of a metadata request's CPU); hand it a module whose verbose() is itself.
 */
const QUIET_SQLITE3 = Object.create(sqlite3, { verbose: { value: () => sqlite3 } }) as typeof sqlite3;

/**
 * Run on every new connection: in WAL mode SQLite's default (NORMAL) may lose the last commits
 * on a power cut; FULL syncs the WAL at each commit, so a 201 means the row survives.
 * MySQL keeps InnoDB's defaults (innodb_flush_log_at_trx_commit=1), which are already durable.
 */
export const SQLITE_DURABILITY = 'PRAGMA synchronous = FULL';

/** The one place that turns a database target into TypeORM options; the CLI and Nest both use it. */
export function buildDataSourceOptions(target: DatabaseTarget): DataSourceOptions {
  const common = { migrations, migrationsTableName: 'migrations', synchronize: false, logging: false } as const;
  if (target.type === 'sqlite') {
    return {
      ...common,
      type: 'sqlite',
      database: target.database,
      enableWAL: target.database !== ':memory:',
      busyTimeout: 5000,
      driver: QUIET_SQLITE3,
    };
  }
  return {
    ...common,
    type: 'mysql',
    host: target.host,
    port: target.port,
    username: target.username,
    password: target.password,
    database: target.database,
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    connectTimeout: 5000,
    extra: { connectionLimit: 10, waitForConnections: true, enableKeepAlive: true },
  };
}
