import { SignOptions, sign } from 'jsonwebtoken';
import { performance } from 'node:perf_hooks';
import { ManualClock } from './support/manual-clock';
import { expectProblem, isUuid } from './support/problem-details';
import { TEST_JWT_SECRET, TestApp, createTestApp } from './support/test-app';
import { registerUser, uniqueEmail } from './support/users';

const PASSWORD = 'correct horse battery';
const ISSUER = 'image-api';

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function accessToken(payload: object, secret = TEST_JWT_SECRET, options: SignOptions = {}): string {
  return sign(payload, secret, { issuer: ISSUER, audience: ISSUER, expiresIn: 300, ...options, algorithm: 'HS256' });
}

describe('auth', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { AUTH_RATE_LIMIT: '100000' } });
  });
  afterAll(async () => {
    await t.close();
  });

  describe('register, login, me', () => {
    it('registers a user and returns it without any password data', async () => {
      const email = uniqueEmail('reg');
      const res = await t.http.post('/auth/register').send({ email, password: PASSWORD });
      expect(res.status).toBe(201);
      expect(Object.keys(res.body)).toEqual(['data']);
      expect(res.body.data).toEqual({ id: expect.any(String), email, role: 'user', createdAt: expect.any(String) });
      expect(isUuid(res.body.data.id)).toBe(true);
      expect(new Date(res.body.data.createdAt).toISOString()).toBe(res.body.data.createdAt);
      expect(res.text).not.toMatch(/argon|password|hash/i);
    });

    it('stores e-mails lower-cased and logs in whatever the case', async () => {
      const email = uniqueEmail('MiXeD').replace('@example.com', '@Example.COM');
      const reg = await t.http.post('/auth/register').send({ email, password: PASSWORD }).expect(201);
      expect(reg.body.data.email).toBe(email.toLowerCase());
      const login = await t.http.post('/auth/login').send({ email: email.toUpperCase(), password: PASSWORD });
      expect(login.status).toBe(200);
    });

    it('logs in with a bearer token pair and serves /auth/me', async () => {
      const email = uniqueEmail('login');
      const reg = await t.http.post('/auth/register').send({ email, password: PASSWORD }).expect(201);
      const login = await t.http.post('/auth/login').send({ email, password: PASSWORD });
      expect(login.status).toBe(200);
      expect(login.body.data).toEqual({
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: 900,
      });
      expect(login.body.data.accessToken.split('.')).toHaveLength(3);
      const me = await t.http.get('/auth/me').set('Authorization', `Bearer ${login.body.data.accessToken}`);
      expect(me.status).toBe(200);
      // A new account: no images yet, and no quota (USER_QUOTA_BYTES is unset).
      expect(me.body).toEqual({ data: { ...reg.body.data, usage: { images: 0, bytes: 0 }, quotaBytes: null } });
    });

    it('refuses a second account with the same e-mail in another case (409 EMAIL_TAKEN)', async () => {
      const email = uniqueEmail('dup');
      await t.http.post('/auth/register').send({ email, password: PASSWORD }).expect(201);
      const res = await t.http.post('/auth/register').send({ email: email.toUpperCase(), password: 'another password' });
      expectProblem(res, 409, 'EMAIL_TAKEN');
      expect(res.body.title).toBe('Conflict');
      expect(res.body.instance).toBe('/auth/register');
    });
  });

  describe('validation', () => {
    const cases: Array<[string, unknown, string[]]> = [
      ['an empty body', {}, ['email', 'password']],
      ['a malformed e-mail', { email: 'not-an-email', password: PASSWORD }, ['email']],
      ['a non-string e-mail', { email: 42, password: PASSWORD }, ['email']],
      ['a 7-character password', { email: 'a@example.com', password: '1234567' }, ['password']],
      ['a 129-character password', { email: 'a@example.com', password: 'x'.repeat(129) }, ['password']],
      ['a non-string password', { email: 'a@example.com', password: 12345678 }, ['password']],
      ['both wrong', { email: '', password: '' }, ['email', 'password']],
    ];

    it.each(cases)('register with %s → 400 VALIDATION_FAILED naming the fields', async (_name, body, fields) => {
      const res = await t.http.post('/auth/register').send(body as object);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(fields);
      for (const error of res.body.errors) expect(error).toEqual({ field: expect.any(String), message: expect.any(String) });
    });

    it('login validates its body the same way', async () => {
      const res = await t.http.post('/auth/login').send({ email: 'nope' });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'password']);
    });

    it('refuses an unknown field', async () => {
      const res = await t.http.post('/auth/register').send({ email: uniqueEmail(), password: PASSWORD, role: 'admin' });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors).toEqual([{ field: 'role', message: expect.any(String) }]);
    });

    it('refuses a refresh or logout body without a refresh token', async () => {
      for (const path of ['/auth/refresh', '/auth/logout']) {
        const res = await t.http.post(path).send({});
        expectProblem(res, 400, 'VALIDATION_FAILED');
        expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['refreshToken']);
      }
    });
  });

  describe('wrong credentials', () => {
    it('answers a wrong password and an unknown e-mail identically (401 INVALID_CREDENTIALS)', async () => {
      const user = await registerUser(t);
      const wrongPassword = await t.http.post('/auth/login').send({ email: user.email, password: 'wrong password' });
      const unknownEmail = await t.http.post('/auth/login').send({ email: uniqueEmail('ghost'), password: 'wrong password' });
      expectProblem(wrongPassword, 401, 'INVALID_CREDENTIALS');
      expectProblem(unknownEmail, 401, 'INVALID_CREDENTIALS');
      const { requestId: _a, ...a } = wrongPassword.body;
      const { requestId: _b, ...b } = unknownEmail.body;
      expect(a).toEqual(b);
      expect(wrongPassword.headers['www-authenticate']).toBe(unknownEmail.headers['www-authenticate']);
    });

    it('takes about the same time for a wrong password and an unknown e-mail', async () => {
      const user = await registerUser(t);
      const time = async (email: string) => {
        const start = performance.now();
        await t.http.post('/auth/login').send({ email, password: 'wrong password' }).expect(401);
        return performance.now() - start;
      };
      const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)];
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 3; i++) {
        known.push(await time(user.email));
        unknown.push(await time(uniqueEmail('ghost')));
      }
      // Loose bounds: an unknown e-mail must still pay for a hash verification.
      expect(median(unknown) / median(known)).toBeGreaterThan(0.33);
      expect(median(unknown) / median(known)).toBeLessThan(3);
    });
  });

  describe('bearer tokens', () => {
    let user: Awaited<ReturnType<typeof registerUser>>;
    beforeAll(async () => {
      user = await registerUser(t);
    });

    const bad: Array<[string, () => string | undefined]> = [
      ['no token', () => undefined],
      ['a garbage token', () => 'Bearer not.a.jwt'],
      ['a token that is not a JWT at all', () => 'Bearer abcdef'],
      ['another scheme', () => `Basic ${Buffer.from('a:b').toString('base64')}`],
      [
        'a token signed with another secret',
        () => `Bearer ${accessToken({ sub: user.id, email: user.email, role: 'user' }, 'another-secret-0123456789abcdef0123')}`,
      ],
      [
        'an unsigned token (alg none)',
        () =>
          `Bearer ${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: user.id, email: user.email, role: 'admin', iss: ISSUER, aud: ISSUER, exp: Math.floor(Date.now() / 1000) + 300 })}.`,
      ],
      [
        'a tampered payload',
        () => {
          const [header, , signature] = user.accessToken.split('.');
          const payload = JSON.parse(Buffer.from(user.accessToken.split('.')[1], 'base64url').toString());
          return `Bearer ${header}.${base64url({ ...payload, role: 'admin' })}.${signature}`;
        },
      ],
      [
        'a token for another issuer',
        () => `Bearer ${accessToken({ sub: user.id, email: user.email, role: 'user' }, TEST_JWT_SECRET, { issuer: 'someone-else' })}`,
      ],
      [
        'a token for another audience',
        () => `Bearer ${accessToken({ sub: user.id, email: user.email, role: 'user' }, TEST_JWT_SECRET, { audience: 'someone-else' })}`,
      ],
      ['a token without the claims the API needs', () => `Bearer ${accessToken({ sub: user.id })}`],
    ];

    it.each(bad)('refuses %s with 401 UNAUTHORIZED', async (_name, header) => {
      const req = t.http.get('/auth/me');
      const value = header();
      const res = await (value ? req.set('Authorization', value) : req);
      expectProblem(res, 401, 'UNAUTHORIZED');
    });

    it('accepts a token it did not issue itself but signed correctly (control for the cases above)', async () => {
      const token = accessToken({ sub: user.id, email: user.email, role: 'user' });
      await t.http.get('/auth/me').set('Authorization', `Bearer ${token}`).expect(200);
    });

    it('refuses an expired token with 401 TOKEN_EXPIRED', async () => {
      const now = Math.floor(Date.now() / 1000);
      const token = accessToken({ sub: user.id, email: user.email, role: 'user', iat: now - 3600 }, TEST_JWT_SECRET, { expiresIn: -60 });
      const res = await t.http.get('/auth/me').set('Authorization', `Bearer ${token}`);
      expectProblem(res, 401, 'TOKEN_EXPIRED');
    });

    it('still refuses a token it accepted before once it expires (verified tokens are remembered, not their validity)', async () => {
      const token = accessToken({ sub: user.id, email: user.email, role: 'user' }, TEST_JWT_SECRET, { expiresIn: 2 });
      const exp = (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { exp: number }).exp;
      for (let i = 0; i < 3; i++) await t.http.get('/auth/me').set('Authorization', `Bearer ${token}`).expect(200);
      // jsonwebtoken's rule: expired once the current second reaches `exp`.
      await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));
      const res = await t.http.get('/auth/me').set('Authorization', `Bearer ${token}`);
      expectProblem(res, 401, 'TOKEN_EXPIRED');
      // A tampered copy of a remembered token is verified in full, not recognised.
      const [head, body, signature] = token.split('.');
      const tampered = `${head}.${body}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
      expectProblem(await t.http.get('/auth/me').set('Authorization', `Bearer ${tampered}`), 401, 'UNAUTHORIZED');
    });

    it('protects image routes with the same guard', async () => {
      const res = await t.http.get('/images');
      expectProblem(res, 401, 'UNAUTHORIZED');
    });
  });

  describe('refresh and logout', () => {
    it('rotates: a refresh token gives a new pair once and then stops working', async () => {
      const user = await registerUser(t);
      const first = await t.http.post('/auth/refresh').send({ refreshToken: user.refreshToken });
      expect(first.status).toBe(200);
      expect(first.body.data).toEqual({
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: 900,
      });
      expect(first.body.data.refreshToken).not.toBe(user.refreshToken);
      await t.http.get('/auth/me').set('Authorization', `Bearer ${first.body.data.accessToken}`).expect(200);

      const replay = await t.http.post('/auth/refresh').send({ refreshToken: user.refreshToken });
      expectProblem(replay, 401, 'INVALID_REFRESH_TOKEN');
    });

    it('treats a replayed token as theft and revokes the newer token of that session too', async () => {
      const user = await registerUser(t);
      const rotated = await t.http.post('/auth/refresh').send({ refreshToken: user.refreshToken }).expect(200);
      await t.http.post('/auth/refresh').send({ refreshToken: user.refreshToken }).expect(401);
      const newer = await t.http.post('/auth/refresh').send({ refreshToken: rotated.body.data.refreshToken });
      expectProblem(newer, 401, 'INVALID_REFRESH_TOKEN');
    });

    it('leaves the other sessions of the user alone when one is revoked', async () => {
      const user = await registerUser(t);
      const other = await t.http.post('/auth/login').send({ email: user.email, password: user.password }).expect(200);
      await t.http.post('/auth/refresh').send({ refreshToken: user.refreshToken }).expect(200);
      await t.http.post('/auth/refresh').send({ refreshToken: user.refreshToken }).expect(401);
      await t.http.post('/auth/refresh').send({ refreshToken: other.body.data.refreshToken }).expect(200);
    });

    it('refuses an unknown refresh token', async () => {
      const res = await t.http.post('/auth/refresh').send({ refreshToken: 'never-issued' });
      expectProblem(res, 401, 'INVALID_REFRESH_TOKEN');
    });

    it('logs out without a bearer token; the refresh token then stops working', async () => {
      const user = await registerUser(t);
      const res = await t.http.post('/auth/logout').send({ refreshToken: user.refreshToken });
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      const after = await t.http.post('/auth/refresh').send({ refreshToken: user.refreshToken });
      expectProblem(after, 401, 'INVALID_REFRESH_TOKEN');
    });

    it('ends the whole session on logout, including tokens rotated from it', async () => {
      const user = await registerUser(t);
      const rotated = await t.http.post('/auth/refresh').send({ refreshToken: user.refreshToken }).expect(200);
      await t.http.post('/auth/logout').send({ refreshToken: rotated.body.data.refreshToken }).expect(204);
      await t.http.post('/auth/refresh').send({ refreshToken: rotated.body.data.refreshToken }).expect(401);
    });

    it('is idempotent: logging out twice or with an unknown token is still 204', async () => {
      const user = await registerUser(t);
      await t.http.post('/auth/logout').send({ refreshToken: user.refreshToken }).expect(204);
      await t.http.post('/auth/logout').send({ refreshToken: user.refreshToken }).expect(204);
      await t.http.post('/auth/logout').send({ refreshToken: 'never-issued' }).expect(204);
    });
  });

  describe('X-Request-Id', () => {
    it('echoes a valid client id on success and in error bodies', async () => {
      const ok = await t.http.get('/health').set('X-Request-Id', 'client-id_1.2');
      expect(ok.headers['x-request-id']).toBe('client-id_1.2');
      const err = await t.http.get('/auth/me').set('X-Request-Id', 'abc-123');
      expect(err.headers['x-request-id']).toBe('abc-123');
      expect(err.body.requestId).toBe('abc-123');
    });

    it.each([
      ['a space', 'has space'],
      ['a slash', 'a/b'],
      ['129 characters', 'x'.repeat(129)],
      ['a header-injection attempt', 'abc\u00e9'],
    ])('replaces an id with %s by a fresh UUID', async (_name, id) => {
      const res = await t.http.get('/auth/me').set('X-Request-Id', id);
      expect(isUuid(res.headers['x-request-id'])).toBe(true);
      expect(res.body.requestId).toBe(res.headers['x-request-id']);
    });

    it('accepts exactly 128 characters', async () => {
      const id = 'a'.repeat(128);
      const res = await t.http.get('/health').set('X-Request-Id', id);
      expect(res.headers['x-request-id']).toBe(id);
    });

    it('gives every request its own UUID when the client sends none', async () => {
      const a = await t.http.get('/auth/me');
      const b = await t.http.get('/auth/me');
      expect(isUuid(a.headers['x-request-id'])).toBe(true);
      expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
      expect(a.body.requestId).toBe(a.headers['x-request-id']);
    });
  });
});

describe('auth: admin bootstrap', () => {
  const env = { ADMIN_EMAIL: 'Root-Admin@Example.com', ADMIN_PASSWORD: 'admin password 123' };

  it('creates the admin at start-up, once, even when a second instance boots on the same database', async () => {
    const first = await createTestApp({ env });
    try {
      const login = await first.http.post('/auth/login').send({ email: 'root-admin@example.com', password: env.ADMIN_PASSWORD });
      expect(login.status).toBe(200);
      const me = await first.http.get('/auth/me').set('Authorization', `Bearer ${login.body.data.accessToken}`).expect(200);
      expect(me.body.data).toMatchObject({ email: 'root-admin@example.com', role: 'admin' });

      const second = await createTestApp({ database: first.database, uploadDir: first.uploadDir, env });
      try {
        const again = await second.http.post('/auth/login').send({ email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD }).expect(200);
        const me2 = await second.http.get('/auth/me').set('Authorization', `Bearer ${again.body.data.accessToken}`).expect(200);
        expect(me2.body.data).toEqual(me.body.data);
        const rows = await second.dataSource.query('SELECT COUNT(*) AS n FROM users WHERE email = ?', ['root-admin@example.com']);
        expect(Number(rows[0].n)).toBe(1);
      } finally {
        await second.close();
      }
    } finally {
      await first.close();
    }
  });

  it('refuses to register the admin e-mail again', async () => {
    const t = await createTestApp({ env });
    try {
      const res = await t.http.post('/auth/register').send({ email: env.ADMIN_EMAIL, password: PASSWORD });
      expectProblem(res, 409, 'EMAIL_TAKEN');
    } finally {
      await t.close();
    }
  });
});

describe('auth: login lockout', () => {
  let t: TestApp;
  const clock = new ManualClock();

  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_MAX_ATTEMPTS: '3', LOGIN_WINDOW: '15m' }, clock });
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(() => {
    clock.set(new Date());
  });

  const attempt = (email: string, password: string) => t.http.post('/auth/login').send({ email, password });

  it('answers 429 RATE_LIMITED with Retry-After after LOGIN_MAX_ATTEMPTS failures, even with the right password', async () => {
    const user = await registerUser(t);
    for (let i = 0; i < 3; i++) expectProblem(await attempt(user.email, 'wrong password'), 401, 'INVALID_CREDENTIALS');
    const locked = await attempt(user.email, 'wrong password');
    expectProblem(locked, 429, 'RATE_LIMITED');
    const retryAfter = Number(locked.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expectProblem(await attempt(user.email, user.password), 429, 'RATE_LIMITED');
  });

  it('locks only that e-mail: another account from the same address still logs in', async () => {
    const victim = await registerUser(t);
    const other = await registerUser(t);
    for (let i = 0; i < 4; i++) await attempt(victim.email, 'wrong password');
    await attempt(other.email, other.password).expect(200);
  });

  it('counts failures per e-mail whatever its case', async () => {
    const user = await registerUser(t);
    await attempt(user.email.toUpperCase(), 'wrong password').expect(401);
    await attempt(user.email, 'wrong password').expect(401);
    await attempt(user.email.toUpperCase(), 'wrong password').expect(401);
    expectProblem(await attempt(user.email, 'wrong password'), 429, 'RATE_LIMITED');
  });

  it('counts failures per e-mail whatever its Unicode spelling (NFD, full-width)', async () => {
    const email = uniqueEmail('l\u00f6ck');
    const user = await registerUser(t, email);
    await attempt(email.normalize('NFD'), 'wrong password').expect(401);
    await attempt(email.replace('l', '\uff4c'), 'wrong password').expect(401);
    await attempt(email.toUpperCase().normalize('NFD'), 'wrong password').expect(401);
    expectProblem(await attempt(user.email, user.password), 429, 'RATE_LIMITED');
  });

  it('resets the count on a successful login', async () => {
    const user = await registerUser(t);
    for (let i = 0; i < 2; i++) await attempt(user.email, 'wrong password').expect(401);
    await attempt(user.email, user.password).expect(200);
    for (let i = 0; i < 2; i++) await attempt(user.email, 'wrong password').expect(401);
    await attempt(user.email, user.password).expect(200);
  });

  it('lifts the lock when the window has passed', async () => {
    const user = await registerUser(t);
    for (let i = 0; i < 3; i++) await attempt(user.email, 'wrong password').expect(401);
    await attempt(user.email, user.password).expect(429);
    clock.advance(15 * 60 + 1);
    await attempt(user.email, user.password).expect(200);
  });
});

describe('auth: per-IP rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { AUTH_RATE_LIMIT: '5' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('limits all /auth routes together to AUTH_RATE_LIMIT a minute, with Retry-After', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const path = i % 2 ? '/auth/login' : '/auth/refresh';
      statuses.push((await t.http.post(path).send({})).status);
    }
    expect(statuses).toEqual([400, 400, 400, 400, 400]);
    const limited = await t.http.post('/auth/register').send({ email: uniqueEmail(), password: PASSWORD });
    expectProblem(limited, 429, 'RATE_LIMITED');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expectProblem(await t.http.get('/auth/me'), 429, 'RATE_LIMITED');
  });

  it('does not limit routes outside /auth', async () => {
    await t.http.get('/health').expect(200);
  });
});
