import { AuthUser } from '../auth/auth-user';
import { imageAccess } from './image-access.policy';
import { ListOthersForbiddenError } from './images.errors';

const ada: AuthUser = { id: 'ada', email: 'ada@example.com', role: 'user' };
const admin: AuthUser = { id: 'root', email: 'root@example.com', role: 'admin' };

describe('imageAccess', () => {
  it('reaches only the own images of a user, and every image of an admin', () => {
    expect(imageAccess.reachableBy(ada)).toEqual({ ownerId: 'ada' });
    expect(imageAccess.reachableBy(admin)).toEqual({});
  });

  it("lists a user's own images, refusing another owner", () => {
    expect(imageAccess.listOwner(ada, undefined)).toBe('ada');
    expect(imageAccess.listOwner(ada, 'ada')).toBe('ada');
    expect(() => imageAccess.listOwner(ada, 'bob')).toThrow(ListOthersForbiddenError);
  });

  it("lets an admin list everyone's images, or one owner's", () => {
    expect(imageAccess.listOwner(admin, undefined)).toBeUndefined();
    expect(imageAccess.listOwner(admin, 'bob')).toBe('bob');
  });
});
