import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

/** Derived images: one row per (image, canonical parameters), removed with their image. */
export class ImageVariants1765000000000 implements MigrationInterface {
  name = 'ImageVariants1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'image_variants',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'image_id', type: 'varchar', length: '36' },
          { name: 'params_key', type: 'varchar', length: '128' },
          { name: 'storage_key', type: 'varchar', length: '255' },
          { name: 'mime_type', type: 'varchar', length: '32' },
          { name: 'size', type: 'bigint' },
          { name: 'width', type: 'integer' },
          { name: 'height', type: 'integer' },
          { name: 'checksum', type: 'varchar', length: '64' },
          { name: 'created_at', type: 'datetime', precision: 3 },
        ],
        indices: [new TableIndex({ name: 'uq_image_variants_image_params', columnNames: ['image_id', 'params_key'], isUnique: true })],
        foreignKeys: [
          new TableForeignKey({
            columnNames: ['image_id'],
            referencedTableName: 'images',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('image_variants');
  }
}
