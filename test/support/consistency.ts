import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { StorageDriver } from '../../src/storage/storage-driver';
import { listFiles } from './test-app';

/** What the consistency check needs: the rows (a DataSource), the bytes (a driver) and, for local disk, the folder. */
export interface StateHolder {
  dataSource: DataSource;
  storage: StorageDriver;
  /** Also scanned directly, to catch files beside the driver's view (`.part` files); local disk only. */
  uploadDir?: string;
  s3?: unknown;
}

interface RowRef {
  table: string;
  id: string;
  storage_key: string;
  size: number | string;
  checksum: string;
}

/**
 * Every row (original or variant) points to bytes that exist with its size and SHA-256, every
 * stored object belongs to a row, and nothing temporary (`tmp/`, `.part`) is left.
 * Returns the problems found, one line each, so a failing test says what is wrong.
 */
export async function consistencyProblems(state: StateHolder): Promise<string[]> {
  const rows = await referencingRows(state.dataSource);
  const problems: string[] = [];
  for (const row of rows) {
    const stat = await state.storage.stat(row.storage_key);
    if (!stat) {
      problems.push(`${row.table} ${row.id}: no bytes at ${row.storage_key}`);
      continue;
    }
    if (stat.size !== Number(row.size)) problems.push(`${row.table} ${row.id}: ${stat.size} bytes stored, row says ${row.size}`);
    const sha256 = await hashOf(state.storage, row.storage_key);
    if (sha256 !== row.checksum) problems.push(`${row.table} ${row.id}: stored bytes hash to ${sha256}, row says ${row.checksum}`);
  }
  const referenced = new Set(rows.map((row) => row.storage_key));
  const stored = new Set<string>();
  for await (const object of state.storage.list()) stored.add(object.key);
  if (state.uploadDir && !state.s3) listFiles(state.uploadDir).forEach((file) => stored.add(file));
  for (const key of [...stored].sort()) {
    if (!referenced.has(key)) problems.push(`${key}: stored, but no row points to it`);
  }
  return problems;
}

/** Jest assertion form of consistencyProblems. */
export async function expectConsistent(state: StateHolder): Promise<void> {
  await expect(consistencyProblems(state)).resolves.toEqual([]);
}

async function referencingRows(dataSource: DataSource): Promise<RowRef[]> {
  const tables = dataSource.entityMetadatas
    .filter((meta) => meta.columns.some((column) => column.databaseName === 'storage_key'))
    .map((meta) => meta.tableName);
  const rows: RowRef[] = [];
  for (const table of tables) {
    const found: Omit<RowRef, 'table'>[] = await dataSource.query(`SELECT id, storage_key, size, checksum FROM ${table}`);
    rows.push(...found.map((row) => ({ ...row, table })));
  }
  return rows;
}

async function hashOf(storage: StorageDriver, key: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of await storage.open(key)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
