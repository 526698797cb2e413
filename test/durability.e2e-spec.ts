import { createTestApp, TestApp } from './support/test-app';

/** A 201 must mean the row survives a power cut: the database is configured for durable commits. */
describe('durable commits', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('runs SQLite in WAL mode with synchronous=FULL, or MySQL with InnoDB flushing its log at each commit', async () => {
    if (t.dataSource.options.type === 'sqlite') {
      const [journal] = await t.dataSource.query('PRAGMA journal_mode');
      const [sync] = await t.dataSource.query('PRAGMA synchronous');
      expect({ journal: journal.journal_mode, synchronous: sync.synchronous }).toEqual({ journal: 'wal', synchronous: 2 });
    } else {
      const [row] = await t.dataSource.query('SELECT @@innodb_flush_log_at_trx_commit AS flush');
      expect(Number(row.flush)).toBe(1);
    }
  });
});
