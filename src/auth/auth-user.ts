import { Role } from '../users';

/** The authenticated principal that guards attach to the request and handlers receive. */
export interface AuthUser {
  id: string;
  email: string;
  role: Role;
}
