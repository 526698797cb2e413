import { DataSourceOptions } from 'typeorm';
import { DatabaseTarget } from '../config/parsers';
import { migrations } from './migrations';

/** The one place that turns a database target into TypeORM options; the CLI and Nest both use it. */
export function buildDataSourceOptions(target: DatabaseTarget): DataSourceOptions {
  const common = { migrations, migrationsTableName: 'migrations', synchronize: false, logging: false } as const;
  if (target.type === 'sqlite') {
    return { ...common, type: 'sqlite', database: target.database, enableWAL: target.database !== ':memory:', busyTimeout: 5000 };
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
