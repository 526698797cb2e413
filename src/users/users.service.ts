import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { EntityManager, Repository } from 'typeorm';
import { isUniqueViolation } from '../database/database-errors';
import { normaliseEmail } from './email';
import { DuplicateEmailError } from './users.errors';
import { Role } from './role';
import { User } from './user.entity';

@Injectable()
export class UsersService {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
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
  }

  /**
   * Locks the user's row until `manager`'s transaction ends (MySQL: SELECT … FOR UPDATE), so that
   * another module's per-user check and write (the image quota) run one at a time per user.
   */
  async lockForUpdate(manager: EntityManager, id: string): Promise<void> {
    await manager.getRepository(User).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }
}
