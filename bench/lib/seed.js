'use strict';
// Seeds the images table directly in SQLite (multi-row INSERTs in one transaction), as fast as
// the database allows, for the listing scenario. The rows have no bytes behind them: listing
// never opens storage.
const { randomUUID, randomBytes } = require('node:crypto');
const sqlite3 = require('sqlite3');

const COLUMNS = ['id', 'owner_id', 'filename', 'storage_key', 'mime_type', 'extension', 'size', 'width', 'height', 'checksum', 'uploaded_at'];
const ROWS_PER_STATEMENT = 500;

function promisify(db, method, sql, params = []) {
  return new Promise((resolve, reject) => db[method](sql, params, (error, result) => (error ? reject(error) : resolve(result))));
}

/** TypeORM's SQLite datetime(3) text form: `2026-11-24 18:44:38.733` (UTC). */
const sqliteDate = (date) => date.toISOString().replace('T', ' ').replace('Z', '');

/** Rows for `count` images of `ownerId`, numbered from `existing`. */
function rowsOf(ownerId, existing, done, rows, startMs) {
  const params = [];
  for (let i = 0; i < rows; i++) {
    const n = existing + done + i;
    const id = randomUUID();
    params.push(id, ownerId, `photo-${String(n).padStart(6, '0')}.jpg`, `images/${id}`, 'image/jpeg', 'jpg',
      100_000 + (n % 5000), 800, 600, randomBytes(32).toString('hex'), sqliteDate(new Date(startMs + n * 1000)));
  }
  return params;
}

const placeholders = (rows) => Array.from({ length: rows }, () => `(${COLUMNS.map(() => '?').join(',')})`).join(',');

/** `database` is the app's (`{ engine, url }`, see processes.js); MariaDB takes the same rows. */
async function seedImages(database, ownerId, count, { startMs = Date.UTC(2025, 0, 1) } = {}) {
  if (database.engine === 'mysql') return seedMysql(database.url, ownerId, count, startMs);
  const db = new sqlite3.Database(database.url.replace(/^sqlite:/, ''));
  try {
    await promisify(db, 'run', 'PRAGMA busy_timeout = 10000');
    await promisify(db, 'run', 'BEGIN IMMEDIATE');
    const existing = (await promisify(db, 'get', 'SELECT COUNT(*) AS n FROM images WHERE owner_id = ?', [ownerId])).n;
    for (let done = 0; done < count; done += ROWS_PER_STATEMENT) {
      const rows = Math.min(ROWS_PER_STATEMENT, count - done);
      const params = rowsOf(ownerId, existing, done, rows, startMs);
      await promisify(db, 'run', `INSERT INTO images (${COLUMNS.join(',')}) VALUES ${placeholders(rows)}`, params);
    }
    await promisify(db, 'run', 'COMMIT');
    return (await promisify(db, 'get', 'SELECT COUNT(*) AS n FROM images')).n;
  } finally {
    await new Promise((resolve) => db.close(resolve));
  }
}

async function seedMysql(url, ownerId, count, startMs) {
  const conn = await require('mysql2/promise').createConnection(url);
  try {
    await conn.beginTransaction();
    const [[{ n: existing }]] = await conn.query('SELECT COUNT(*) AS n FROM images WHERE owner_id = ?', [ownerId]);
    for (let done = 0; done < count; done += ROWS_PER_STATEMENT) {
      const rows = Math.min(ROWS_PER_STATEMENT, count - done);
      await conn.query(`INSERT INTO images (${COLUMNS.join(',')}) VALUES ${placeholders(rows)}`, rowsOf(ownerId, Number(existing), done, rows, startMs));
    }
    await conn.commit();
    const [[{ n }]] = await conn.query('SELECT COUNT(*) AS n FROM images');
    return Number(n);
  } finally {
    await conn.end();
  }
}

module.exports = { seedImages };
