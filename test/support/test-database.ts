import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';

export type TestEngine = 'sqlite' | 'mysql';

export interface TestDatabase {
  engine: TestEngine;
  url: string;
  drop(): Promise<void>;
}

/** The server that MySQL-backed tests use: MYSQL_TEST_URL, or the machine's MariaDB. */
const MYSQL_SERVER = process.env.MYSQL_TEST_URL ?? 'mysql://root@127.0.0.1:3306';

/**
 * Suites that need MySQL itself (not just "the current engine"): `npm test` sets MYSQL_AVAILABLE=0
 * when no server answers (a laptop with only Node), and CI never lets that happen (REQUIRE_MYSQL=1).
 */
export const describeWithMysql: jest.Describe = process.env.MYSQL_AVAILABLE === '0' ? describe.skip : describe;

export function testEngine(): TestEngine {
  return process.env.TEST_DB === 'mysql' ? 'mysql' : 'sqlite';
}

/** A fresh, empty database for one app instance; its name always marks it as a test database. */
export async function createTestDatabase(engine: TestEngine = testEngine()): Promise<TestDatabase> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'image-api-db-'));
    return { engine, url: `sqlite:${join(dir, 'test.db')}`, drop: async () => undefined };
  }
  const name = `image_api_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  assertTestDatabaseName(name);
  const server = await connectServer();
  await server.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await server.end();
  return {
    engine,
    url: `${MYSQL_SERVER.replace(/\/$/, '')}/${name}`,
    drop: async () => {
      const conn = await connectServer();
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await conn.end();
    },
  };
}

export function assertTestDatabaseName(name: string): void {
  if (!/test/i.test(name)) throw new Error(`refusing to use database '${name}': its name does not mark it as a test database`);
}

async function connectServer() {
  const url = new URL(MYSQL_SERVER);
  try {
    return await createConnection({
      host: url.hostname,
      port: Number(url.port || 3306),
      user: decodeURIComponent(url.username || 'root'),
      password: decodeURIComponent(url.password),
    });
  } catch (error) {
    throw new Error(`MySQL tests need a server at ${MYSQL_SERVER} (set MYSQL_TEST_URL): ${(error as Error).message}`);
  }
}
