/** What other modules may use of users: the service, its errors, roles and e-mail rules; never the entity's repository. */
export { UsersModule } from './users.module';
export { UsersService } from './users.service';
export { DuplicateEmailError } from './users.errors';
export { ROLES, Role } from './role';
export { hasFormatCharacters, normaliseEmail } from './email';
export type { User } from './user.entity';
