import { MigrationInterface, QueryRunner, Table, TableColumn, TableForeignKey, TableIndex } from 'typeorm';

/**
 * Bounded variants: when each was last served (eviction picks the oldest), each image's EXIF
 * orientation (variant sizes are computed from the displayed size), and one row per new variant
 * a user caused (the per-minute rate limit, shared by every instance).
 */
export class BoundedVariants1767100000000 implements MigrationInterface {
  name = 'BoundedVariants1767100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('image_variants', new TableColumn({ name: 'last_served_at', type: 'datetime', precision: 3, isNullable: true }));
    await q.query('UPDATE image_variants SET last_served_at = created_at');
    await q.createIndex(
      'image_variants',
      new TableIndex({ name: 'idx_image_variants_image_served', columnNames: ['image_id', 'last_served_at'] }),
    );
    // Null for images stored before this column: read from the bytes once, then kept.
    await q.addColumn('images', new TableColumn({ name: 'orientation', type: 'smallint', isNullable: true }));
    await q.createTable(
      new Table({
        name: 'variant_creations',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'created_at', type: 'datetime', precision: 3 },
        ],
        indices: [new TableIndex({ name: 'idx_variant_creations_user_created', columnNames: ['user_id', 'created_at'] })],
        foreignKeys: [
          new TableForeignKey({
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('variant_creations');
    await q.dropColumn('images', 'orientation');
    await q.dropIndex('image_variants', 'idx_image_variants_image_served');
    await q.dropColumn('image_variants', 'last_served_at');
  }
}
