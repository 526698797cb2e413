import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { EntityManager, Repository } from 'typeorm';
import { isUniqueViolation } from '../database/database-errors';
import { RecentReads } from '../database/recent-reads';
import { RowReader } from '../database/row-reader';
import { normaliseEmail } from './email';
import { DuplicateEmailError } from './users.errors';
import { Role } from './role';
import { User } from './user.entity';

/**
 * How stale the guard's account lookup may be. A change made through this instance applies at once;
 * one made elsewhere (another instance, or the database directly) within this bound.
 */
export const USER_LOOKUP_TTL_MS = 1000;
const USER_LOOKUP_MAX = 10_000;

@Injectable()
export class UsersService {
  private readonly byId: RowReader<User>;
  private readonly recent = new RecentReads<User>(USER_LOOKUP_TTL_MS, USER_LOOKUP_MAX);

  constructor(@InjectRepository(User) private readonly users: Repository<User>) {
    this.byId = new RowReader(users, ['id']);
  }

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  /** The account as it was at most USER_LOOKUP_TTL_MS ago (per request: one query per user per second, not per request). */
  findCurrent(id: string): Promise<User | null> {
    return this.recent.get(id, () => this.byId.find([id]));
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.findOneBy({ email: normaliseEmail(email) });
  }

  /** Throws DuplicateEmailError when the (case-insensitive) e-mail is taken, even in a race. */
  async create(email: string, passwordHash: string, role: Role = 'user'): Promise<User> {
    const user = this.users.create({ id: randomUUID(), email: normaliseEmail(email), passwordHash, role, createdAt: new Date() });
    try {
      return await this.users.save(user);
    } catch (error) {
      if (isUniqueViolation(error)) throw new DuplicateEmailError();
      throw error;
    }
  }

  async setRoleAndPassword(user: User, role: Role, passwordHash: string): Promise<void> {
    await this.users.update({ id: user.id }, { role, passwordHash });
    this.recent.forget(user.id);
  }

  /**
   * Locks the user's row until `manager`'s transaction ends (MySQL: SELECT … FOR UPDATE), so that
   * another module's per-user check and write (the image quota) run one at a time per user.
   */
  async lockForUpdate(manager: EntityManager, id: string): Promise<void> {
    await manager.getRepository(User).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }
}
