export type Role = 'user' | 'admin';
export const ROLES: Role[] = ['user', 'admin'];
