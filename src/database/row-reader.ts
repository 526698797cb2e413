import { ObjectLiteral, Repository } from 'typeorm';
import { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/**
 * One row by equality on fixed columns, as `findOneBy` returns it, without building a
 * QueryBuilder per call (its query building was most of a hot read's TypeORM cost): the SQL is
 * made once, values are hydrated by the driver exactly as TypeORM's own reads do (dates,
 * transformers). Use for hot primary-key reads only; anything richer stays on the repository.
 */
export class RowReader<T extends ObjectLiteral> {
  private readonly sql: string;
  private readonly columns: ColumnMetadata[];

  constructor(
    private readonly repository: Repository<T>,
    keys: ReadonlyArray<keyof T & string>,
  ) {
    const { metadata, manager } = repository;
    const escape = (name: string) => manager.connection.driver.escape(name);
    this.columns = metadata.columns;
    const where = keys.map((key) => `${escape(metadata.findColumnWithPropertyName(key)!.databaseName)} = ?`);
    const selected = this.columns.map((column) => escape(column.databaseName));
    this.sql = `SELECT ${selected.join(', ')} FROM ${escape(metadata.tableName)} WHERE ${where.join(' AND ')} LIMIT 1`;
  }

  /** `values` in the order of the keys given to the constructor. */
  async find(values: unknown[]): Promise<T | null> {
    const rows: Record<string, unknown>[] = await this.repository.manager.query(this.sql, values);
    if (!rows.length) return null;
    const driver = this.repository.manager.connection.driver;
    const entity = this.repository.metadata.create() as T;
    for (const column of this.columns) column.setEntityValue(entity, driver.prepareHydratedValue(rows[0][column.databaseName], column));
    return entity;
  }
}
