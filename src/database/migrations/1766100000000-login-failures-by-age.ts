import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/** Expired failed logins are pruned by age alone (whatever the e-mail and IP): this keeps that cheap. */
export class LoginFailuresByAge1766100000000 implements MigrationInterface {
  name = 'LoginFailuresByAge1766100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex('login_failures', new TableIndex({ name: 'idx_login_failures_failed_at', columnNames: ['failed_at'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('login_failures', 'idx_login_failures_failed_at');
  }
}
