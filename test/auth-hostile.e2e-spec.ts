import { SignOptions, sign } from 'jsonwebtoken';
import { LoginFailure } from '../src/auth/login-failure.entity';
import { LoginThrottleService } from '../src/auth/login-throttle.service';
import { User } from '../src/users/user.entity';
import { makeImage } from './support/images';
import { ManualClock } from './support/manual-clock';
import { expectProblem } from './support/problem-details';
import { TEST_JWT_SECRET, TestApp, createTestApp } from './support/test-app';
import { listeningPort, upload } from './support/uploads';
import { TestUser, login, registerUser, uniqueEmail } from './support/users';

const PASSWORD = 'correct horse battery';
const ISSUER = 'image-api';

function signed(payload: object, options: SignOptions = {}): string {
  return sign(payload, TEST_JWT_SECRET, { issuer: ISSUER, audience: ISSUER, expiresIn: 300, ...options, algorithm: 'HS256' });
}

describe('auth: hostile input', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { AUTH_RATE_LIMIT: '100000' } });
  });
  afterAll(async () => {
    await t.close();
  });

  describe('access tokens', () => {
    let user: TestUser;
    beforeAll(async () => {
      user = await registerUser(t);
    });

    const me = (token: string) => t.http.get('/auth/me').set('Authorization', `Bearer ${token}`);

    it('refuses a token without exp (it would never expire): 401 "The bearer token is invalid"', async () => {
      const token = sign({ sub: user.id, email: user.email, role: 'user' }, TEST_JWT_SECRET, {
        issuer: ISSUER,
        audience: ISSUER,
        algorithm: 'HS256',
      });
      expect(JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString())).not.toHaveProperty('exp');
      const res = await me(token);
      expectProblem(res, 401, 'UNAUTHORIZED');
      expect(res.body.detail).toBe('The bearer token is invalid');
    });

    it('says a token with an unknown role is invalid, not missing', async () => {
      const res = await me(signed({ sub: user.id, email: user.email, role: 'superuser' }));
      expectProblem(res, 401, 'UNAUTHORIZED');
      expect(res.body.detail).toBe('The bearer token is invalid');
      expect(res.headers['www-authenticate']).toMatch(/error="invalid_token"/);
    });

    it('refuses a token whose header has crit (RFC 7515 §4.1.11)', async () => {
      const token = signed({ sub: user.id, email: user.email, role: 'user' }, { header: { alg: 'HS256', crit: ['exp'] } as never });
      expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString())).toHaveProperty('crit');
      const res = await me(token);
      expectProblem(res, 401, 'UNAUTHORIZED');
      expect(res.body.detail).toBe('The bearer token is invalid');
    });

    it('still accepts a well-formed token it did not issue itself (control)', async () => {
      await me(signed({ sub: user.id, email: user.email, role: 'user' })).expect(200);
    });

    it('refuses at once a valid access token of an account that no longer exists, on every route (401, not 500)', async () => {
      const doomed = await registerUser(t);
      await t.dataSource.getRepository(User).delete({ id: doomed.id });
      const jpeg = await makeImage('jpeg', 8, 8);
      const answers = [
        await upload(t, doomed, jpeg, 'a.jpg'),
        await t.http.get('/images').set(doomed.auth),
        await t.http.get('/auth/me').set(doomed.auth),
      ];
      for (const res of answers) {
        expectProblem(res, 401, 'UNAUTHORIZED');
        expect(res.body.detail).toBe('The account no longer exists');
      }
    });
  });

  describe('e-mail look-alikes', () => {
    const tag = () => uniqueEmail('x').split('@')[0];

    it('maps NFC and NFD spellings, full-width letters and upper case to one account (NFKC, then lower-cased)', async () => {
      const local = tag();
      const nfc = `al\u00edce-${local}@example.com`;
      const reg = await t.http
        .post('/auth/register')
        .send({ email: nfc.normalize('NFD'), password: PASSWORD })
        .expect(201);
      expect(reg.body.data.email).toBe(nfc);
      expectProblem(await t.http.post('/auth/register').send({ email: nfc, password: PASSWORD }), 409, 'EMAIL_TAKEN');
      const fullWidth = `\uff21L\u00cdCE-${local.toUpperCase()}\uff20example.com`;
      expectProblem(await t.http.post('/auth/register').send({ email: fullWidth, password: PASSWORD }), 409, 'EMAIL_TAKEN');
      for (const spelling of [nfc, nfc.normalize('NFD'), fullWidth, nfc.toUpperCase()]) {
        const res = await t.http.post('/auth/login').send({ email: spelling, password: PASSWORD });
        expect({ spelling, status: res.status }).toEqual({ spelling, status: 200 });
        const me = await t.http.get('/auth/me').set('Authorization', `Bearer ${res.body.data.accessToken}`).expect(200);
        expect(me.body.data.id).toBe(reg.body.data.id);
      }
    });

    it('lower-cases a capital I with dot above as Unicode does (i + U+0307): ALİCE, alİce and the decomposed form are one account', async () => {
      const local = tag();
      const reg = await t.http
        .post('/auth/register')
        .send({ email: `AL\u0130CE-${local}@example.com`, password: PASSWORD })
        .expect(201);
      expect(reg.body.data.email).toBe(`ali\u0307ce-${local}@example.com`);
      for (const spelling of [`al\u0130ce-${local}@example.com`, `ALI\u0307CE-${local}@example.com`]) {
        expectProblem(await t.http.post('/auth/register').send({ email: spelling, password: PASSWORD }), 409, 'EMAIL_TAKEN');
      }
    });

    it.each([
      ['a zero-width space', 'alice\u200b@example.com'],
      ['a right-to-left override', 'ali\u202ece@example.com'],
      ['a soft hyphen', 'al\u00adice@example.com'],
      ['a leading byte-order mark', '\ufeffalice@example.com'],
    ])('refuses an e-mail with %s (Unicode Cf) on register and login: 400 naming the field', async (_name, email) => {
      for (const path of ['/auth/register', '/auth/login']) {
        const res = await t.http.post(path).send({ email, password: PASSWORD });
        expectProblem(res, 400, 'VALIDATION_FAILED');
        expect(res.body.errors).toEqual([{ field: 'email', message: expect.stringMatching(/formatting characters/) }]);
      }
    });
  });

  describe('validation messages and media types', () => {
    it.each([
      [
        'an empty body',
        {},
        [
          ['email', 'should not be empty'],
          ['password', 'should not be empty'],
        ],
      ],
      [
        'empty strings',
        { email: '', password: '' },
        [
          ['email', 'should not be empty'],
          ['password', 'should not be empty'],
        ],
      ],
      [
        'numbers',
        { email: 42, password: 12345678 },
        [
          ['email', 'must be a string'],
          ['password', 'must be a string'],
        ],
      ],
      [
        'a malformed e-mail and a short password',
        { email: 'nope', password: 'short' },
        [
          ['email', 'must be an email'],
          ['password', 'must be 8 to 128 characters long'],
        ],
      ],
      [
        'a 255-character e-mail',
        { email: `${'x'.repeat(243)}@example.com`, password: PASSWORD },
        [['email', 'must be shorter than or equal to 254 characters']],
      ],
    ])('register with %s names the rule actually broken', async (_name, body, expected) => {
      const res = await t.http.post('/auth/register').send(body);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors.map((e: { field: string; message: string }) => [e.field, e.message])).toEqual(expected);
    });

    it.each([
      ['/auth/login', 'application/x-www-form-urlencoded', 'email=a%40example.com&password=correct+horse+battery'],
      ['/auth/register', 'application/x-www-form-urlencoded', 'email=a%40example.com&password=correct+horse+battery'],
      ['/auth/login', 'text/plain', '{"email":"a@example.com","password":"correct horse battery"}'],
      ['/auth/refresh', 'application/x-www-form-urlencoded', 'refreshToken=abc'],
      ['/auth/logout', 'text/plain', 'abc'],
    ])('answers a non-JSON body on %s (%s) with 415 UNSUPPORTED_MEDIA_TYPE', async (path, type, body) => {
      const res = await t.http.post(path).set('Content-Type', type).send(body);
      expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect(res.body.detail).toMatch(/JSON expected/);
    });

    it('answers 415 on any other route that takes a JSON body (signed links), and still serves it without a body', async () => {
      const owner = await registerUser(t);
      const image = await upload(t, owner, await makeImage('png', 8, 8), 'a.png').expect(201);
      const path = `/images/${image.body.data.id}/links`;
      const form = await t.http.post(path).set(owner.auth).set('Content-Type', 'application/x-www-form-urlencoded').send('expiresIn=60');
      expectProblem(form, 415, 'UNSUPPORTED_MEDIA_TYPE');
      await t.http.post(path).set(owner.auth).expect(201);
    });

    it('still takes JSON with a charset or a +json type (control)', async () => {
      const email = uniqueEmail('json');
      const body = JSON.stringify({ email, password: PASSWORD });
      await t.http.post('/auth/register').set('Content-Type', 'application/json; charset=utf-8').send(body).expect(201);
      await t.http.post('/auth/login').set('Content-Type', 'application/vnd.api+json').send(body).expect(200);
    });
  });

  describe('refresh reuse race', () => {
    /** Raw, truly concurrent requests straight to a listening port. */
    async function refreshAt(port: number, refreshToken: string): Promise<{ status: number; body: { data?: { refreshToken: string } } }> {
      const res = await fetch(`http://127.0.0.1:${port}/auth/refresh`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refreshToken }),
      });
      return { status: res.status, body: (await res.json()) as { data?: { refreshToken: string } } };
    }

    it('leaves no working token of the session after two simultaneous refreshes with one token (20 rounds)', async () => {
      const port = await listeningPort(t);
      const email = uniqueEmail('race');
      await t.http.post('/auth/register').send({ email, password: PASSWORD }).expect(201);
      const survivors: string[] = [];
      for (let round = 0; round < 20; round++) {
        const { refreshToken } = await login(t, email, PASSWORD);
        const answers = await Promise.all([refreshAt(port, refreshToken), refreshAt(port, refreshToken)]);
        expect(answers.map((a) => a.status).sort()).toEqual(answers.some((a) => a.status === 200) ? [200, 401] : [401, 401]);
        for (const answer of answers.filter((a) => a.status === 200)) {
          const again = await refreshAt(port, answer.body.data!.refreshToken);
          if (again.status !== 401) survivors.push(`round ${round}: ${again.status}`);
        }
        expect((await refreshAt(port, refreshToken)).status).toBe(401);
      }
      expect(survivors).toEqual([]);
    });
  });
});

describe('auth: login_failures stay bounded', () => {
  const clock = new ManualClock();
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_WINDOW: '60s', AUTH_RATE_LIMIT: '100000' }, clock });
  });
  afterAll(async () => {
    await t.close();
  });

  const rows = () => t.dataSource.getRepository(LoginFailure).count();

  it('prunes failures by age, whatever the e-mail: 10 000 distinct e-mails leave at most one window of rows', async () => {
    const throttle = t.app.get(LoginThrottleService);
    // 10 failures a second of clock time, so one 60 s window holds at most 600 (+1 at its edge).
    const perWindow = 601;
    const counts: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      await throttle.recordFailure(`one-off-${i}@example.com`, '203.0.113.7');
      clock.advance(0.1);
      if (i % 1000 === 999) counts.push(await rows());
    }
    // The same path through HTTP, for a few more one-off e-mails.
    for (let i = 0; i < 3; i++) {
      const res = await t.http.post('/auth/login').send({ email: uniqueEmail('one-off'), password: PASSWORD });
      expectProblem(res, 401, 'INVALID_CREDENTIALS');
      clock.advance(0.1);
    }
    counts.push(await rows());
    expect(counts).toHaveLength(11);
    expect(Math.max(...counts)).toBeLessThanOrEqual(perWindow);
    // 20 000 durable commits: ~15 s on a quiet machine, several times that on a busy one.
  }, 240_000);
});

describe('auth: admin bootstrap with a look-alike ADMIN_EMAIL', () => {
  it('stores the admin e-mail normalised, so any spelling of it logs in', async () => {
    const t = await createTestApp({ env: { ADMIN_EMAIL: 'A\u0301dmin@Example.com', ADMIN_PASSWORD: 'admin password 123' } });
    try {
      for (const email of ['\u00e1dmin@example.com', '\u00c1DMIN@EXAMPLE.COM', '\uff41\u0301dmin@example.com']) {
        const res = await t.http.post('/auth/login').send({ email, password: 'admin password 123' });
        expect({ email, status: res.status }).toEqual({ email, status: 200 });
      }
    } finally {
      await t.close();
    }
  });
});
