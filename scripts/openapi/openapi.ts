import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../../src/app.module';
import { APP_OPTIONS, buildOpenApiDocument } from '../../src/app.setup';
import { parseEnv } from '../../src/config';

const ROOT = resolve(__dirname, '../..');
const SPEC = join(ROOT, 'openapi.json');
const CLIENT_TYPES = join(ROOT, 'test/client/schema.d.ts');

/** Only these variables reach the app, whatever the shell or a .env holds, so the document is the same on every machine. */
function fixedEnv(dir: string): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: `sqlite:${join(dir, 'openapi.db')}`,
    UPLOAD_DIR: join(dir, 'uploads'),
    STORAGE_DRIVER: 'local',
    JWT_SECRET_KEY: 'openapi-export-jwt-secret-0123456789abcdef',
    SECRET_KEY: 'openapi-export-secret-key-0123456789abcdef',
  };
}

/** Boots AppModule on a throw-away SQLite database and upload folder and returns the document. */
export async function generateDocument(): Promise<object> {
  const dir = mkdtempSync(join(tmpdir(), 'image-api-openapi-'));
  const app = await NestFactory.create(AppModule.forRoot(parseEnv(fixedEnv(dir))), { ...APP_OPTIONS, bufferLogs: false, logger: false });
  try {
    return buildOpenApiDocument(app);
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Keys sorted at every level, so that routes and schemas added in any module order give the same
 * file; a schema's `properties` keep their declared order, which follows the DTO and reads better.
 */
export function stableStringify(document: object): string {
  const sorted = sortKeys(document) as Record<string, unknown>;
  const head = TOP_LEVEL_ORDER.filter((key) => key in sorted);
  const ordered = Object.fromEntries(
    [...head, ...Object.keys(sorted).filter((key) => !head.includes(key))].map((key) => [key, sorted[key]]),
  );
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

/** The top level reads in the order the OpenAPI specification lists its fields. */
const TOP_LEVEL_ORDER = ['openapi', 'info', 'servers', 'security', 'tags', 'paths', 'components'];

function sortKeys(value: unknown, keepOrder = false): unknown {
  if (Array.isArray(value)) return value.map((item) => sortKeys(item));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (!keepOrder) keys.sort();
  return Object.fromEntries(keys.map((key) => [key, sortKeys((value as Record<string, unknown>)[key], key === 'properties')]));
}

function generateClientTypes(specPath: string, outPath: string): void {
  execFileSync(process.execPath, [join(__dirname, 'client-types.mjs'), specPath, outPath], { cwd: ROOT, stdio: 'inherit' });
}

function differs(path: string, expected: string, hint: string): boolean {
  let committed = '';
  try {
    committed = readFileSync(path, 'utf8');
  } catch {
    // a missing file is reported like a stale one
  }
  if (committed === expected) return false;
  process.stderr.write(`${path} is out of date with the code; run \`${hint}\` and commit the result.\n`);
  return true;
}

/** `export` writes openapi.json; `client` writes the client types from it; `check` compares both. */
export async function main([command = 'export']: string[]): Promise<number> {
  if (command === 'export') {
    writeFileSync(SPEC, stableStringify(await generateDocument()));
    return 0;
  }
  if (command === 'client') {
    generateClientTypes(SPEC, CLIENT_TYPES);
    return 0;
  }
  if (command !== 'check') throw new Error(`unknown command '${command}' (export | client | check)`);
  const tmp = mkdtempSync(join(tmpdir(), 'image-api-openapi-check-'));
  try {
    const spec = stableStringify(await generateDocument());
    writeFileSync(join(tmp, 'openapi.json'), spec);
    generateClientTypes(join(tmp, 'openapi.json'), join(tmp, 'schema.d.ts'));
    const stale = [
      differs(SPEC, spec, 'npm run openapi:export'),
      differs(CLIENT_TYPES, readFileSync(join(tmp, 'schema.d.ts'), 'utf8'), 'npm run openapi:export && npm run openapi:client'),
    ];
    return stale.some(Boolean) ? 1 : 0;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
