/** Pure parsers for configuration values; each returns undefined when the value is malformed. */

const SIZE_UNITS: Record<string, number> = { '': 1, B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

/** `5MB`, `512KB`, `1048576`, `1.5MB`: binary units (1 MB = 1 048 576 bytes). */
export function parseByteSize(raw: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)?\s*$/i.exec(raw);
  if (!match) return undefined;
  const bytes = Math.floor(Number(match[1]) * SIZE_UNITS[(match[2] ?? '').toUpperCase()]);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

const DURATION_UNITS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

/** `900`, `90s`, `15m`, `1h`, `7d` → seconds. */
export function parseDuration(raw: string): number | undefined {
  const match = /^\s*(\d+)\s*([smhd])?\s*$/i.exec(raw);
  if (!match) return undefined;
  const seconds = Number(match[1]) * DURATION_UNITS[(match[2] ?? '').toLowerCase()];
  return Number.isSafeInteger(seconds) && seconds > 0 ? seconds : undefined;
}

export function parsePositiveInt(raw: string): number | undefined {
  if (!/^\s*\d+\s*$/.test(raw)) return undefined;
  const value = Number(raw);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

export function parseBoolean(raw: string): boolean | undefined {
  const value = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  return undefined;
}

export type DatabaseTarget =
  | { type: 'sqlite'; database: string }
  | {
      type: 'mysql';
      host: string;
      port: number;
      username: string;
      password: string;
      database: string;
    };

/**
 * `sqlite:./data/images.db`, the seed's SQLAlchemy forms `sqlite:///./test.db` (relative) and
 * `sqlite:////abs/path.db`, `sqlite::memory:`, and `mysql://user:pass@host:3306/db`
 * (also `mysql+pymysql://` and `mariadb://`).
 */
export function parseDatabaseUrl(raw: string): DatabaseTarget | undefined {
  const url = raw.trim();
  const sqlite = /^sqlite:(.*)$/i.exec(url);
  if (sqlite) return parseSqlitePath(sqlite[1]);
  const mysql = /^(?:mysql|mariadb)(?:\+[a-z0-9]+)?:\/\/(.*)$/i.exec(url);
  if (!mysql) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(`mysql://${mysql[1]}`);
  } catch {
    return undefined;
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!parsed.hostname || !database || database.includes('/')) return undefined;
  return {
    type: 'mysql',
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 3306,
    username: decodeURIComponent(parsed.username || 'root'),
    password: decodeURIComponent(parsed.password),
    database,
  };
}

function parseSqlitePath(rest: string): DatabaseTarget | undefined {
  if (rest === ':memory:' || rest === '///:memory:') return { type: 'sqlite', database: ':memory:' };
  // SQLAlchemy: three slashes then a relative path, four for an absolute one.
  const path = rest.startsWith('///') ? rest.slice(3) : rest.startsWith('//') ? undefined : rest;
  if (!path) return undefined;
  return { type: 'sqlite', database: path };
}
