import { AuthUser } from '../auth/auth-user';
import { ListOthersForbiddenError } from './images.errors';

/** Who reaches which images: owners their own, admins everyone's. The one place admin power is written. */
export const imageAccess = {
  /** The condition an image must meet for `user` to read, change or delete it (another's answers as missing). */
  reachableBy(user: AuthUser): { ownerId?: string } {
    return user.role === 'admin' ? {} : { ownerId: user.id };
  },

  /** Whose images `user` lists: an admin's choice (undefined: everyone's), otherwise only their own. */
  listOwner(user: AuthUser, requested: string | undefined): string | undefined {
    if (user.role === 'admin') return requested;
    if (requested && requested !== user.id) throw new ListOthersForbiddenError();
    return user.id;
  },
};
