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

async function seedImages(dbFile, ownerId, count, { startMs = Date.UTC(2025, 0, 1) } = {}) {
  const db = new sqlite3.Database(dbFile);
  try {
    await promisify(db, 'run', 'PRAGMA busy_timeout = 10000');
    await promisify(db, 'run', 'BEGIN IMMEDIATE');
    const existing = (await promisify(db, 'get', 'SELECT COUNT(*) AS n FROM images WHERE owner_id = ?', [ownerId])).n;
    for (let done = 0; done < count; done += ROWS_PER_STATEMENT) {
      const rows = Math.min(ROWS_PER_STATEMENT, count - done);
      const params = [];
      for (let i = 0; i < rows; i++) {
        const n = existing + done + i;
        const id = randomUUID();
        params.push(id, ownerId, `photo-${String(n).padStart(6, '0')}.jpg`, `images/${id}`, 'image/jpeg', 'jpg',
          100_000 + (n % 5000), 800, 600, randomBytes(32).toString('hex'), sqliteDate(new Date(startMs + n * 1000)));
      }
      const placeholders = Array.from({ length: rows }, () => `(${COLUMNS.map(() => '?').join(',')})`).join(',');
      await promisify(db, 'run', `INSERT INTO images (${COLUMNS.join(',')}) VALUES ${placeholders}`, params);
    }
    await promisify(db, 'run', 'COMMIT');
    return (await promisify(db, 'get', 'SELECT COUNT(*) AS n FROM images')).n;
  } finally {
    await new Promise((resolve) => db.close(resolve));
  }
}

module.exports = { seedImages };
