import { existsSync, readFileSync } from 'node:fs';
import { parseEnv as parseDotenv } from 'node:util';
import { Env, parseEnv } from './env.validation';

/**
 * The process's configuration: its variables, then a `.env` file in the working directory for
 * those not set (never under NODE_ENV=test, so a developer's file cannot leak into tests).
 */
export function loadEnv(path = '.env'): Env {
  const fromFile = process.env.NODE_ENV !== 'test' && existsSync(path) ? parseDotenv(readFileSync(path, 'utf8')) : {};
  return parseEnv({ ...fromFile, ...process.env });
}
