import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DestinationStream } from 'pino';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { APP_OPTIONS, configureApp, createHttpAdapter } from '../../src/app.setup';
import { Clock } from '../../src/common/clock';
import { parseEnv } from '../../src/config';
import { LOG_DESTINATION } from '../../src/common/logging/logger-params';
import { StorageDriver } from '../../src/storage/storage-driver';
import { TestS3Server, startS3Server, testStorage } from './s3-server';
import { conformingRequest } from './spec-conformance';
import { TestDatabase, createTestDatabase } from './test-database';
import { VariantsService } from '../../src/images/variants/variants.service';

export const TEST_JWT_SECRET = 'test-jwt-secret-0123456789abcdef0123456789';
export const TEST_SECRET_KEY = 'test-secret-key-0123456789abcdef0123456789';

export interface TestAppOptions {
  env?: Record<string, string>;
  clock?: Clock;
  /** Reuse a database (two instances sharing one state); by default a fresh one is made. */
  database?: TestDatabase;
  uploadDir?: string;
  /** Share an S3 server (two instances); by default TEST_STORAGE=s3 starts one per app. */
  s3?: TestS3Server;
  /** Where the app's log lines go (set LOG_LEVEL in `env` too: tests are silent by default). */
  logs?: DestinationStream;
}

export interface TestApp {
  app: INestApplication;
  http: ReturnType<typeof request>;
  database: TestDatabase;
  dataSource: DataSource;
  uploadDir: string;
  storage: StorageDriver;
  s3?: TestS3Server;
  close(): Promise<void>;
}

/** Boots AppModule exactly as main.ts does, on a fresh database and a temporary upload folder. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const uploadDir = options.uploadDir ?? mkdtempSync(join(tmpdir(), 'image-api-uploads-'));
  const s3 = options.s3 ?? (testStorage() === 's3' ? await startS3Server() : undefined);
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: database.url,
    UPLOAD_DIR: uploadDir,
    JWT_SECRET_KEY: TEST_JWT_SECRET,
    SECRET_KEY: TEST_SECRET_KEY,
    STORAGE_DRIVER: 'local',
    ...s3?.env,
    ...options.env,
  };
  // The configuration is handed in, parsed once; process.env is never touched.
  let builder = Test.createTestingModule({ imports: [AppModule.forRoot(parseEnv(env))] });
  if (options.clock) builder = builder.overrideProvider(Clock).useValue(options.clock);
  if (options.logs) builder = builder.overrideProvider(LOG_DESTINATION).useValue(options.logs);
  const moduleRef = await builder.compile();
  const app = configureApp(moduleRef.createNestApplication(createHttpAdapter(), APP_OPTIONS));
  await app.init();
  return {
    app,
    http: conformingRequest(app),
    database,
    dataSource: app.get(DataSource),
    uploadDir,
    storage: app.get(StorageDriver),
    s3,
    close: async () => {
      await app.close();
      if (s3 && !options.s3) await s3.stop();
      if (!options.database) await database.drop();
      if (!options.uploadDir) rmSync(uploadDir, { recursive: true, force: true });
    },
  };
}

/** Every regular file below `dir`, relative, e.g. `images/<id>`. */
export function listFiles(dir: string, sub = ''): string[] {
  const here = join(dir, sub);
  let entries: string[];
  try {
    entries = readdirSync(here);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const rel = sub ? `${sub}/${name}` : name;
    return statSync(join(dir, rel)).isDirectory() ? listFiles(dir, rel) : [rel];
  });
}

/**
 * Once the variants this app answered before storing them are stored (or given up): what the
 * database and storage hold is then settled (the same wait a delete or a shutdown does).
 */
export function variantsSettled(t: TestApp): Promise<void> {
  return t.app.get(VariantsService).settled();
}

/** Every stored object's key (`images/<id>`, `tmp/…`), through the app's own storage driver; variants settled first. */
export async function storedFiles(t: TestApp): Promise<string[]> {
  await variantsSettled(t);
  const keys: string[] = [];
  for await (const object of t.storage.list()) keys.push(object.key);
  return keys.sort();
}
