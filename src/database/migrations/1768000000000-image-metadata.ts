import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';

const COLUMNS = [
  new TableColumn({ name: 'alt', type: 'varchar', length: '1000', isNullable: true }),
  new TableColumn({ name: 'focal_x', type: 'double', isNullable: true }),
  new TableColumn({ name: 'focal_y', type: 'double', isNullable: true }),
  new TableColumn({ name: 'thumbhash', type: 'varchar', length: '64', isNullable: true }),
  new TableColumn({ name: 'dominant_color', type: 'varchar', length: '7', isNullable: true }),
  new TableColumn({ name: 'taken_at', type: 'datetime', precision: 3, isNullable: true }),
  new TableColumn({ name: 'camera', type: 'varchar', length: '255', isNullable: true }),
  new TableColumn({ name: 'frames', type: 'integer', isNullable: true }),
];

/**
 * The metadata clients build UIs with (null until `npm run images:backfill` reads the bytes of
 * older rows), the owner's alt text and focal point, an index for `?checksum=`; and width/height
 * become the size as displayed: rows whose orientation is known to turn the pixels (5–8) swap them.
 * Rows whose orientation is still null keep the stored size until it is read (backfill or first variant).
 */
export class ImageMetadata1768000000000 implements MigrationInterface {
  name = 'ImageMetadata1768000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('images', COLUMNS);
    await q.createIndex('images', new TableIndex({ name: 'idx_images_owner_checksum', columnNames: ['owner_id', 'checksum'] }));
    await q.query(swapSql(q));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(swapSql(q));
    await q.dropIndex('images', 'idx_images_owner_checksum');
    await q.dropColumns('images', COLUMNS);
  }
}

/** SQLite reads every right-hand side before assigning; MySQL assigns left to right, hence the arithmetic. */
function swapSql(q: QueryRunner): string {
  return q.connection.options.type === 'mysql'
    ? 'UPDATE images SET width = width + height, height = width - height, width = width - height WHERE orientation >= 5'
    : 'UPDATE images SET width = height, height = width WHERE orientation >= 5';
}
