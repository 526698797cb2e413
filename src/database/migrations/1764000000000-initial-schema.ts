import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

const id = { name: 'id', type: 'varchar', length: '36', isPrimary: true };
const timestamp = (name: string, isNullable = false) => ({ name, type: 'datetime', precision: 3, isNullable });

/** Written with the schema builder so that SQLite and MySQL/MariaDB get the same schema. */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'users',
        columns: [
          id,
          { name: 'email', type: 'varchar', length: '254', isUnique: true },
          { name: 'password_hash', type: 'varchar', length: '255' },
          { name: 'role', type: 'varchar', length: '16', default: "'user'" },
          timestamp('created_at'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'refresh_tokens',
        columns: [
          id,
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'family_id', type: 'varchar', length: '36' },
          { name: 'token_hash', type: 'varchar', length: '64', isUnique: true },
          timestamp('expires_at'),
          timestamp('created_at'),
          timestamp('used_at', true),
          timestamp('revoked_at', true),
        ],
        indices: [new TableIndex({ name: 'idx_refresh_tokens_family', columnNames: ['family_id'] })],
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
    await q.createTable(
      new Table({
        name: 'login_failures',
        columns: [
          id,
          { name: 'email', type: 'varchar', length: '254' },
          { name: 'ip', type: 'varchar', length: '64' },
          timestamp('failed_at'),
        ],
        indices: [new TableIndex({ name: 'idx_login_failures_email_ip', columnNames: ['email', 'ip', 'failed_at'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'images',
        columns: [
          id,
          { name: 'owner_id', type: 'varchar', length: '36' },
          { name: 'filename', type: 'varchar', length: '255' },
          { name: 'storage_key', type: 'varchar', length: '255' },
          { name: 'mime_type', type: 'varchar', length: '32' },
          { name: 'extension', type: 'varchar', length: '8' },
          { name: 'size', type: 'bigint' },
          { name: 'width', type: 'integer' },
          { name: 'height', type: 'integer' },
          { name: 'checksum', type: 'varchar', length: '64' },
          timestamp('uploaded_at'),
        ],
        indices: [
          new TableIndex({ name: 'idx_images_owner_uploaded', columnNames: ['owner_id', 'uploaded_at'] }),
          new TableIndex({ name: 'idx_images_owner_size', columnNames: ['owner_id', 'size'] }),
          new TableIndex({ name: 'idx_images_owner_filename', columnNames: ['owner_id', 'filename'] }),
          new TableIndex({ name: 'idx_images_uploaded', columnNames: ['uploaded_at'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            columnNames: ['owner_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['images', 'login_failures', 'refresh_tokens', 'users']) await q.dropTable(table);
  }
}
