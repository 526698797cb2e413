import { Logger } from '@nestjs/common';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { isUniqueViolation } from '../database-errors';

/** The normalisation of API.md revision 2 (NFKC, then lower-cased), frozen here as it was when this ran. */
function normalise(email: string): string {
  return email
    .normalize('NFKC')
    .replace(/^\p{White_Space}+|\p{White_Space}+$/gu, '')
    .toLowerCase()
    .normalize('NFKC');
}

/**
 * Rewrites stored e-mails into their normalised form. Rows whose forms collide are reported and left
 * as they are (merging accounts is a decision for a person, not a migration); so is a row the
 * database's own collation finds equal to another (MariaDB's accent-insensitive unique index).
 */
export class NormaliseEmails1766100000001 implements MigrationInterface {
  name = 'NormaliseEmails1766100000001';
  private readonly logger = new Logger('Migrations');

  async up(q: QueryRunner): Promise<void> {
    const rows: Array<{ id: string; email: string }> = await q.query('SELECT id, email FROM users');
    const byForm = new Map<string, Array<{ id: string; email: string }>>();
    for (const row of rows) byForm.set(normalise(row.email), [...(byForm.get(normalise(row.email)) ?? []), row]);
    let changed = 0;
    for (const [form, group] of byForm) {
      const stale = group.filter((row) => row.email !== form);
      if (!stale.length) continue;
      if (group.length > 1) {
        this.logger.warn(
          `e-mail collision left unchanged: users ${group.map((row) => row.id).join(', ')} normalise to one e-mail; merge or rename them by hand`,
        );
        continue;
      }
      if (await this.rewrite(q, stale[0].id, form)) changed += 1;
    }
    const invisible = rows.filter((row) => /\p{Cf}/u.test(row.email)).map((row) => row.id);
    if (invisible.length)
      this.logger.warn(`users with formatting characters in their e-mail (they cannot log in): ${invisible.join(', ')}`);
    this.logger.log(`normalised ${changed} of ${rows.length} stored e-mails`);
  }

  /** Nothing to undo: the old spellings are not kept, and the normalised ones work with the old code too. */
  async down(): Promise<void> {}

  private async rewrite(q: QueryRunner, id: string, form: string): Promise<boolean> {
    try {
      await q.query('UPDATE users SET email = ? WHERE id = ?', [form, id]);
      return true;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      this.logger.warn(
        `e-mail collision left unchanged: user ${id}'s normalised e-mail equals another account's under the database collation`,
      );
      return false;
    }
  }
}
