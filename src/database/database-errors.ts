import { QueryFailedError } from 'typeorm';

/** Driver codes that mean "the database is not reachable", not "the query is wrong". */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
  'SQLITE_BUSY',
  'SQLITE_CANTOPEN',
  'SQLITE_IOERR',
  'SQLITE_FULL',
  'ENOSPC',
]);
/** TypeORM's and the drivers' words for a connection that is gone. */
const UNAVAILABLE_MESSAGE =
  /ConnectionNotFound|CannotExecuteNotConnected|is not established|Pool is closed|connection is in closed state|SQLITE_MISUSE/i;

type Chain = { code?: unknown; driverError?: unknown; cause?: unknown; message?: unknown } | undefined;

/** A unique index refused the row (MySQL ER_DUP_ENTRY, SQLite's UNIQUE constraint). */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driver = error.driverError as { code?: string };
  return driver.code === 'ER_DUP_ENTRY' || /UNIQUE constraint/.test(error.message);
}

/** A foreign key refused the row: what it points at is gone (deleted meanwhile). */
export function isForeignKeyViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driver = error.driverError as { code?: string };
  return /^ER_NO_REFERENCED_ROW/.test(driver.code ?? '') || /FOREIGN KEY constraint/.test(error.message);
}

/** The database (or, through the same codes, the disk under it) cannot be reached. */
export function isDatabaseUnavailable(error: unknown): boolean {
  let e = error as Chain;
  for (let depth = 0; e && depth < 4; depth++) {
    if (typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) return true;
    if (UNAVAILABLE_MESSAGE.test(String(e.message ?? ''))) return true;
    e = (e.driverError ?? e.cause) as Chain;
  }
  return false;
}
