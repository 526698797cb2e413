import { Logger } from '@nestjs/common';
import { DataSource, Table, TableForeignKey } from 'typeorm';
import { parseDatabaseUrl } from '../src/config/parsers';
import { buildDataSourceOptions } from '../src/database/data-source-options';
import { migrations } from '../src/database/migrations';
import { NormaliseEmails1766100000001 } from '../src/database/migrations/1766100000001-normalise-emails';
import { ImageMetadata1768000000000 } from '../src/database/migrations/1768000000000-image-metadata';
import { TestDatabase, TestEngine, createTestDatabase, describeWithMysql } from './support/test-database';

/** Type families: what the app relies on, not how each engine spells it. */
function typeFamily(type: string): string {
  const t = type
    .toLowerCase()
    .replace(/\(.*\)/, '')
    .trim();
  if (['varchar', 'character varying', 'nvarchar', 'char', 'text'].includes(t)) return 'string';
  if (['int', 'integer', 'smallint', 'mediumint', 'tinyint'].includes(t)) return 'integer';
  if (t === 'bigint') return 'bigint';
  if (['datetime', 'timestamp'].includes(t)) return 'datetime';
  return t;
}

/** Defaults as values: MariaDB reports literals quoted (TypeORM quotes them again) and NULL as a word. */
function defaultValue(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  let text = String(value);
  while (/^'.*'$/.test(text)) text = text.slice(1, -1);
  return text === 'NULL' ? undefined : text;
}

const key = (columns: string[]) => [...columns].sort().join(',');

function normalise(table: Table) {
  const uniqueSets = new Set<string>([
    ...table.columns.filter((c) => c.isUnique && !c.isPrimary).map((c) => c.name),
    ...table.uniques.map((u) => key(u.columnNames)),
    ...table.indices.filter((i) => i.isUnique).map((i) => key(i.columnNames)),
  ]);
  return {
    name: table.name,
    columns: table.columns
      .map((c) => ({
        name: c.name,
        type: typeFamily(c.type),
        // TypeORM reports MySQL's varchar(255) with an empty length: 255 is its default there.
        length: typeFamily(c.type) === 'string' ? Number(c.length) || 255 : undefined,
        nullable: c.isNullable,
        primary: c.isPrimary,
        default: defaultValue(c.default),
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    primaryKey: key(table.primaryColumns.map((c) => c.name)),
    unique: [...uniqueSets].sort(),
    // Order matters in an index (leftmost prefix), so column lists are kept in order here.
    indices: table.indices
      .filter((i) => !i.isUnique)
      .map((i) => i.columnNames.join(','))
      .sort(),
    foreignKeys: table.foreignKeys.map(describeForeignKey).sort(),
  };
}

function describeForeignKey(fk: TableForeignKey): string {
  return `${fk.columnNames.join(',')} -> ${fk.referencedTableName}(${fk.referencedColumnNames.join(',')}) on delete ${fk.onDelete}`;
}

/** The app's own tables, by name: as root on MariaDB, getTables() would read every database. */
async function appTables(dataSource: DataSource): Promise<Table[]> {
  const listing =
    dataSource.options.type === 'mysql'
      ? 'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()'
      : "SELECT name FROM sqlite_master WHERE type = 'table'";
  const names = ((await dataSource.query(listing)) as Array<{ name: string }>)
    .map((row) => row.name)
    .filter((name) => name !== 'migrations' && !name.startsWith('sqlite_'));
  const runner = dataSource.createQueryRunner();
  try {
    return names.length ? await runner.getTables(names) : [];
  } finally {
    await runner.release();
  }
}

async function migratedSchema(engine: TestEngine) {
  const database: TestDatabase = await createTestDatabase(engine);
  const dataSource = new DataSource(buildDataSourceOptions(parseDatabaseUrl(database.url)!));
  try {
    await dataSource.initialize();
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    expect(applied.map((m) => m.name)).toEqual(migrations.map((m) => new m().name));
    return (await appTables(dataSource)).map(normalise).sort((a, b) => a.name.localeCompare(b.name));
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await database.drop();
  }
}

const FOUNDATION = ['images', 'login_failures', 'refresh_tokens', 'users'];

describeWithMysql('schema: the migrations give SQLite and MariaDB the same schema', () => {
  let sqlite: Awaited<ReturnType<typeof migratedSchema>>;
  let mysql: Awaited<ReturnType<typeof migratedSchema>>;

  beforeAll(async () => {
    sqlite = await migratedSchema('sqlite');
    mysql = await migratedSchema('mysql');
  });

  it('creates the same tables on both, the foundation among them', () => {
    expect(sqlite.map((t) => t.name)).toEqual(expect.arrayContaining(FOUNDATION));
    expect(mysql.map((t) => t.name)).toEqual(sqlite.map((t) => t.name));
  });

  it('gives every table the same columns, types, nullability, keys, unique constraints, indices and foreign keys', () => {
    expect(mysql).toEqual(sqlite);
  });

  it('uses UUID-sized string primary keys, never integers', () => {
    for (const table of sqlite.filter((t) => FOUNDATION.includes(t.name))) {
      expect(table.primaryKey).toBe('id');
      expect(table.columns.find((c) => c.name === 'id')).toMatchObject({ type: 'string', length: 36 });
    }
  });

  it('makes e-mails and refresh-token hashes unique', () => {
    expect(sqlite.find((t) => t.name === 'users')!.unique).toEqual(['email']);
    expect(sqlite.find((t) => t.name === 'refresh_tokens')!.unique).toEqual(['token_hash']);
  });

  it('can be reverted and applied again', async () => {
    for (const engine of ['sqlite', 'mysql'] as const) {
      const database = await createTestDatabase(engine);
      const dataSource = new DataSource(buildDataSourceOptions(parseDatabaseUrl(database.url)!));
      try {
        await dataSource.initialize();
        await dataSource.runMigrations();
        for (let i = 0; i < migrations.length; i++) await dataSource.undoLastMigration();
        const left = (await appTables(dataSource)).map((t) => t.name);
        expect({ engine, left }).toEqual({ engine, left: [] });
        await expect(dataSource.runMigrations()).resolves.toHaveLength(migrations.length);
      } finally {
        if (dataSource.isInitialized) await dataSource.destroy();
        await database.drop();
      }
    }
  });
});

describe('schema: the e-mail normalisation migration', () => {
  const before = migrations.slice(0, migrations.indexOf(NormaliseEmails1766100000001));
  const rows: Array<[string, string, string]> = [
    ['00000000-0000-4000-8000-000000000001', 'ALICE@Example.COM', 'alice@example.com'],
    ['00000000-0000-4000-8000-000000000002', 'bo\u0301b@example.com', 'b\u00f3b@example.com'],
    ['00000000-0000-4000-8000-000000000003', '\uff43arol@example.com', 'carol@example.com'],
    // A collision on both engines (MariaDB's collation tells a mathematical bold d from a d): both stay.
    ['00000000-0000-4000-8000-000000000004', '\u{1D41D}ave@example.com', '\u{1D41D}ave@example.com'],
    ['00000000-0000-4000-8000-000000000005', 'Dave@example.com', 'Dave@example.com'],
    ['00000000-0000-4000-8000-000000000006', 'erin@example.com', 'erin@example.com'],
    ['00000000-0000-4000-8000-000000000007', 'fr\u00e1nk@example.com', 'fr\u00e1nk@example.com'],
  ];
  // Distinct after normalisation, but MariaDB's accent-insensitive unique index finds it equal to fránk.
  const frank = '00000000-0000-4000-8000-000000000008';
  const frankAfter = { sqlite: 'frank@example.com', mysql: '\u{1D41F}rank@example.com' };

  afterEach(() => jest.restoreAllMocks());

  const engines = process.env.MYSQL_AVAILABLE === '0' ? (['sqlite'] as const) : (['sqlite', 'mysql'] as const);
  it.each(engines)('normalises stored e-mails on %s and reports collisions without merging', async (engine) => {
    const database = await createTestDatabase(engine);
    const options = buildDataSourceOptions(parseDatabaseUrl(database.url)!);
    const old = new DataSource({ ...options, migrations: before });
    const current = new DataSource(options);
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      await old.initialize();
      await old.runMigrations();
      for (const [id, email] of [...rows, [frank, '\u{1D41F}rank@example.com']]) {
        await old.query('INSERT INTO users (id, email, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?)', [
          id,
          email,
          `hash-${id}`,
          'user',
          '2026-01-01 00:00:00.000',
        ]);
      }
      await old.destroy();

      await current.initialize();
      const applied = await current.runMigrations({ transaction: 'each' });
      expect(applied.map((m) => m.name)).toEqual(migrations.slice(before.length).map((m) => new m().name));
      const stored: Array<{ id: string; email: string; password_hash: string }> = await current.query(
        'SELECT id, email, password_hash FROM users ORDER BY id',
      );
      const expected = [...rows.map(([id, , after]) => [id, after]), [frank, frankAfter[engine]]];
      expect(stored.map((r) => [r.id, r.email])).toEqual(expected);
      expect(stored.map((r) => r.password_hash)).toEqual(expected.map(([id]) => `hash-${id}`));
      const collisions = warn.mock.calls.map((call) => String(call[0])).filter((m) => m.includes('collision'));
      expect(collisions[0]).toContain(rows[3][0]);
      expect(collisions[0]).toContain(rows[4][0]);
      expect(collisions.slice(1)).toEqual(engine === 'mysql' ? [expect.stringContaining(frank)] : []);
    } finally {
      if (old.isInitialized) await old.destroy();
      if (current.isInitialized) await current.destroy();
      await database.drop();
    }
  });
});

describe('schema: the image-metadata migration', () => {
  const before = migrations.slice(0, migrations.indexOf(ImageMetadata1768000000000));
  // Stored 70×50 pixels; orientations 5–8 display them as 50×70; null: not read yet (the backfill turns it).
  const rows: Array<[string, number | null, [number, number]]> = [
    ['00000000-0000-4000-8000-00000000000a', 1, [70, 50]],
    ['00000000-0000-4000-8000-00000000000b', 3, [70, 50]],
    ['00000000-0000-4000-8000-00000000000c', 5, [50, 70]],
    ['00000000-0000-4000-8000-00000000000d', 6, [50, 70]],
    ['00000000-0000-4000-8000-00000000000e', 8, [50, 70]],
    ['00000000-0000-4000-8000-00000000000f', null, [70, 50]],
  ];
  const owner = '00000000-0000-4000-8000-0000000000ff';

  const engines = process.env.MYSQL_AVAILABLE === '0' ? (['sqlite'] as const) : (['sqlite', 'mysql'] as const);
  it.each(engines)(
    'on %s: width/height become the displayed size where the orientation turns it; the new fields are null',
    async (engine) => {
      const database = await createTestDatabase(engine);
      const options = buildDataSourceOptions(parseDatabaseUrl(database.url)!);
      const old = new DataSource({ ...options, migrations: before });
      const current = new DataSource(options);
      try {
        await old.initialize();
        await old.runMigrations();
        await old.query('INSERT INTO users (id, email, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?)', [
          owner,
          'o@example.com',
          'h',
          'user',
          '2026-01-01 00:00:00.000',
        ]);
        for (const [id, orientation] of rows) {
          await old.query(
            'INSERT INTO images (id, owner_id, filename, storage_key, mime_type, extension, size, width, height, checksum, orientation, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
            [id, owner, 'a.jpg', `images/${id}`, 'image/jpeg', 'jpg', 10, 70, 50, 'c'.repeat(64), orientation, '2026-01-01 00:00:00.000'],
          );
        }
        await old.destroy();

        await current.initialize();
        await expect(current.runMigrations({ transaction: 'each' })).resolves.toHaveLength(migrations.length - before.length);
        const stored: Array<Record<string, unknown>> = await current.query('SELECT * FROM images ORDER BY id');
        expect(stored.map((r) => [r.id, [Number(r.width), Number(r.height)]])).toEqual(rows.map(([id, , size]) => [id, size]));
        for (const row of stored) {
          expect([row.alt, row.focal_x, row.focal_y, row.thumbhash, row.dominant_color, row.taken_at, row.camera, row.frames]).toEqual(
            Array(8).fill(null),
          );
        }
        // Back to before the image-metadata migration (and any that came after it).
        for (let i = before.length; i < migrations.length; i++) await current.undoLastMigration();
        const reverted: Array<Record<string, unknown>> = await current.query('SELECT width, height FROM images ORDER BY id');
        expect(reverted.map((r) => [Number(r.width), Number(r.height)])).toEqual(rows.map(() => [70, 50]));
      } finally {
        if (old.isInitialized) await old.destroy();
        if (current.isInitialized) await current.destroy();
        await database.drop();
      }
    },
  );
});
