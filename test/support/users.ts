import { randomUUID } from 'node:crypto';
import { TestApp } from './test-app';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  auth: { Authorization: string };
}

let counter = 0;

export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}-${counter}-${randomUUID().slice(0, 8)}@example.com`;
}

/** Registers and logs in through the API, as a client would. */
export async function registerUser(t: TestApp, email = uniqueEmail(), password = 'correct horse battery'): Promise<TestUser> {
  const reg = await t.http.post('/auth/register').send({ email, password }).expect(201);
  return { ...(await login(t, email, password)), id: reg.body.data.id };
}

export async function login(t: TestApp, email: string, password: string): Promise<Omit<TestUser, 'id'> & { id?: string }> {
  const res = await t.http.post('/auth/login').send({ email, password }).expect(200);
  const { accessToken, refreshToken } = res.body.data;
  return { email, password, accessToken, refreshToken, auth: { Authorization: `Bearer ${accessToken}` } };
}
