import { ConfigValidationError, parseEnv } from './env.validation';

const STRONG = 'x'.repeat(32);

function problemsOf(source: Record<string, string>): string[] {
  try {
    parseEnv(source);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return (error as ConfigValidationError).problems;
  }
  throw new Error('parseEnv accepted the configuration');
}

describe('parseEnv', () => {
  it('needs nothing in development: SQLite under ./data, files under ./uploads, generated secrets with warnings', () => {
    const env = parseEnv({});
    expect(env).toMatchObject({
      nodeEnv: 'development',
      port: 3000,
      database: { type: 'sqlite', database: './data/images.db' },
      uploadDir: './uploads',
      storageDriver: 'local',
      maxContentLength: 5 * 1024 * 1024,
      allowedExtensions: expect.arrayContaining(['jpg', 'jpeg', 'png', 'gif', 'webp']),
      jwtExpiresIn: 900,
      refreshTokenExpiresIn: 7 * 86400,
      loginMaxAttempts: 5,
      loginWindow: 900,
      authRateLimit: 100,
      maxImagePixels: 50_000_000,
      userQuotaBytes: 0,
    });
    expect(env.secretKey.length).toBeGreaterThanOrEqual(32);
    expect(env.jwtSecretKey.length).toBeGreaterThanOrEqual(32);
    expect(env.warnings.join('\n')).toMatch(/SECRET_KEY/);
    expect(env.warnings.join('\n')).toMatch(/JWT_SECRET_KEY/);
  });

  it('generates one development secret per name and parse, with no state kept between parses', () => {
    const env = parseEnv({});
    expect(env.jwtSecretKey).not.toBe(env.secretKey);
    expect(parseEnv({}).jwtSecretKey).not.toBe(env.jwtSecretKey);
  });

  it("refuses the seed's MAX_CONTENT_LENGTH=5MBt, naming the variable and showing a good value", () => {
    const [problem, ...rest] = problemsOf({ MAX_CONTENT_LENGTH: '5MBt' });
    expect(rest).toEqual([]);
    expect(problem).toMatch(/MAX_CONTENT_LENGTH/);
    expect(problem).toMatch(/5MBt/);
    expect(problem).toMatch(/e\.g\. MAX_CONTENT_LENGTH=5MB/);
  });

  it('collects every problem into one error instead of stopping at the first', () => {
    const source = {
      MAX_CONTENT_LENGTH: '5MBt',
      PORT: '99999',
      DATABASE_URL: 'postgres://x',
      JWT_EXPIRES_IN: 'soon',
      ALLOWED_FILE_EXTENSIONS: 'jpg,svg',
      STORAGE_DRIVER: 'ftp',
      LOGIN_MAX_ATTEMPTS: '0',
    };
    const problems = problemsOf(source);
    for (const name of Object.keys(source)) expect(problems.filter((p) => p.startsWith(name))).toHaveLength(1);
    expect(problems).toHaveLength(Object.keys(source).length);
    for (const problem of problems) expect(problem).toMatch(/e\.g\. [A-Z_]+=/);
    let message = '';
    try {
      parseEnv(source);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^Invalid configuration \(7 problems\)/);
    for (const name of Object.keys(source)) expect(message).toContain(name);
  });

  it.each([
    ['sqlite:///./test.db', { type: 'sqlite', database: './test.db' }],
    ['mysql+pymysql://u:p@db:3306/images', { type: 'mysql', host: 'db', port: 3306, username: 'u', password: 'p', database: 'images' }],
  ])('reads DATABASE_URL=%s', (url, database) => {
    expect(parseEnv({ DATABASE_URL: url }).database).toEqual(database);
  });

  it('normalises ALLOWED_FILE_EXTENSIONS: case, dots, and jpg implying jpeg', () => {
    expect(parseEnv({ ALLOWED_FILE_EXTENSIONS: ' .JPG, png ' }).allowedExtensions.sort()).toEqual(['jpeg', 'jpg', 'png']);
  });

  it('needs ADMIN_EMAIL and ADMIN_PASSWORD together, and lower-cases the e-mail', () => {
    expect(problemsOf({ ADMIN_EMAIL: 'admin@example.com' })).toEqual([expect.stringMatching(/ADMIN_EMAIL and ADMIN_PASSWORD/)]);
    expect(parseEnv({ ADMIN_EMAIL: 'Admin@Example.com', ADMIN_PASSWORD: 'long enough' }).admin).toEqual({
      email: 'admin@example.com',
      password: 'long enough',
    });
  });

  it('refuses an ADMIN_EMAIL with invisible formatting characters (Unicode Cf)', () => {
    expect(problemsOf({ ADMIN_EMAIL: 'ad\u200bmin@example.com', ADMIN_PASSWORD: 'long enough' })).toEqual([
      expect.stringMatching(/ADMIN_EMAIL=/),
    ]);
  });

  it('needs S3_BUCKET when STORAGE_DRIVER=s3', () => {
    expect(problemsOf({ STORAGE_DRIVER: 's3' })).toEqual([expect.stringMatching(/^S3_BUCKET/)]);
  });
});

describe('parseEnv: environment name', () => {
  it.each([
    [{ FLASK_ENV: 'production', SECRET_KEY: STRONG, JWT_SECRET_KEY: STRONG }, 'production'],
    [{ FLASK_ENV: 'development' }, 'development'],
    [{ FLASK_ENV: 'testing' }, 'test'],
    [{ NODE_ENV: 'test', FLASK_ENV: 'production' }, 'test'],
    [{ NODE_ENV: 'development', FLASK_ENV: 'production' }, 'development'],
    [{ NODE_ENV: 'production', FLASK_ENV: 'development', SECRET_KEY: STRONG, JWT_SECRET_KEY: STRONG }, 'production'],
  ])('%j → %s (FLASK_ENV is a fallback, NODE_ENV wins)', (source, nodeEnv) => {
    expect(parseEnv(source).nodeEnv).toBe(nodeEnv);
  });

  it('refuses an unknown NODE_ENV', () => {
    expect(problemsOf({ NODE_ENV: 'staging' })).toEqual([expect.stringMatching(/^NODE_ENV='staging'.*e\.g\. NODE_ENV=/)]);
  });
});

describe('parseEnv: production secrets', () => {
  it('refuses production without JWT_SECRET_KEY and SECRET_KEY, naming both', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems).toEqual([expect.stringMatching(/^SECRET_KEY is required/), expect.stringMatching(/^JWT_SECRET_KEY is required/)]);
  });

  it('refuses weak (shorter than 32 characters) secrets in production', () => {
    const problems = problemsOf({ NODE_ENV: 'production', SECRET_KEY: 'x'.repeat(31), JWT_SECRET_KEY: 'short' });
    expect(problems).toEqual([expect.stringMatching(/^SECRET_KEY is too weak/), expect.stringMatching(/^JWT_SECRET_KEY is too weak/)]);
  });

  it('also refuses them when production comes from FLASK_ENV', () => {
    expect(problemsOf({ FLASK_ENV: 'production' })).toHaveLength(2);
  });

  it('accepts 32-character secrets in production without warnings', () => {
    const env = parseEnv({ NODE_ENV: 'production', SECRET_KEY: STRONG, JWT_SECRET_KEY: 'y'.repeat(32) });
    expect(env).toMatchObject({ secretKey: STRONG, jwtSecretKey: 'y'.repeat(32), warnings: [] });
  });

  it('uses a weak secret outside production, with a warning', () => {
    const env = parseEnv({ JWT_SECRET_KEY: 'short', SECRET_KEY: STRONG });
    expect(env.jwtSecretKey).toBe('short');
    expect(env.warnings).toEqual([expect.stringMatching(/^JWT_SECRET_KEY is shorter than 32/)]);
  });

  it('never echoes a secret value in its problem message', () => {
    const problems = problemsOf({ NODE_ENV: 'production', SECRET_KEY: 'hunter2-secret', JWT_SECRET_KEY: STRONG });
    expect(problems.join('\n')).not.toContain('hunter2-secret');
  });

  it('reads USER_QUOTA_BYTES like MAX_CONTENT_LENGTH, with 0 (any unit) for unlimited, and names a bad value', () => {
    expect(parseEnv({ USER_QUOTA_BYTES: '1GB' }).userQuotaBytes).toBe(1024 ** 3);
    expect(parseEnv({ USER_QUOTA_BYTES: '524288' }).userQuotaBytes).toBe(524288);
    expect(parseEnv({ USER_QUOTA_BYTES: '0' }).userQuotaBytes).toBe(0);
    expect(parseEnv({ USER_QUOTA_BYTES: '0MB' }).userQuotaBytes).toBe(0);
    const [problem] = problemsOf({ USER_QUOTA_BYTES: '-5MB' });
    expect(problem).toMatch(/USER_QUOTA_BYTES='-5MB'.*e\.g\. USER_QUOTA_BYTES=1GB/);
  });
});

describe('parseEnv: header cost limits', () => {
  it('defaults MAX_IMAGE_SIDE to 16384 and MAX_DECODE_MEMORY to 256MB, and reads byte sizes', () => {
    expect(parseEnv({})).toMatchObject({ maxImageSide: 16384, maxDecodeMemory: 256 * 1024 ** 2 });
    expect(parseEnv({ MAX_IMAGE_SIDE: '8000', MAX_DECODE_MEMORY: '1GB' })).toMatchObject({
      maxImageSide: 8000,
      maxDecodeMemory: 1024 ** 3,
    });
  });

  it('names each bad value with an example of a good one', () => {
    const problems = problemsOf({ MAX_IMAGE_SIDE: '-1', MAX_DECODE_MEMORY: '256MBt' });
    expect(problems).toEqual([
      expect.stringMatching(/MAX_IMAGE_SIDE='-1'.*MAX_IMAGE_SIDE=16384/),
      expect.stringMatching(/MAX_DECODE_MEMORY='256MBt'.*MAX_DECODE_MEMORY=256MB/),
    ]);
  });
});

describe('parseEnv: bounded image work', () => {
  it('has defaults for every limit', () => {
    expect(parseEnv({}).imageWork).toEqual({
      maxQueued: 64,
      decodeTimeout: 20,
      maxVariantsPerImage: 20,
      transformRateLimit: 120,
      variantSourceCache: 64 * 1024 * 1024,
    });
  });

  it('reads VARIANT_SOURCE_CACHE as a size, 0 keeping none', () => {
    expect(parseEnv({ VARIANT_SOURCE_CACHE: '0' }).imageWork.variantSourceCache).toBe(0);
    expect(parseEnv({ VARIANT_SOURCE_CACHE: '16MB' }).imageWork.variantSourceCache).toBe(16 * 1024 * 1024);
  });

  it('reads MAX_CONCURRENT_IMAGE_WORK, and MAX_CONCURRENT_TRANSFORMS as its older name', () => {
    expect(parseEnv({ MAX_CONCURRENT_TRANSFORMS: '3' }).maxConcurrentTransforms).toBe(3);
    expect(parseEnv({ MAX_CONCURRENT_IMAGE_WORK: '5', MAX_CONCURRENT_TRANSFORMS: '3' }).maxConcurrentTransforms).toBe(5);
  });

  it('names each bad value', () => {
    const problems = problemsOf({
      MAX_CONCURRENT_IMAGE_WORK: '0',
      MAX_QUEUED_IMAGE_WORK: 'many',
      DECODE_TIMEOUT: '1x',
      MAX_VARIANTS_PER_IMAGE: '-1',
      TRANSFORM_RATE_LIMIT: '1.5',
      VARIANT_SOURCE_CACHE: 'lots',
    });
    for (const name of [
      'MAX_CONCURRENT_IMAGE_WORK',
      'MAX_QUEUED_IMAGE_WORK',
      'DECODE_TIMEOUT',
      'MAX_VARIANTS_PER_IMAGE',
      'TRANSFORM_RATE_LIMIT',
      'VARIANT_SOURCE_CACHE',
    ]) {
      expect(problems.join('\n')).toContain(name);
    }
  });
});

describe('parseEnv: metrics', () => {
  it('turns metrics on without a token by default; METRICS_ENABLED and METRICS_TOKEN are read', () => {
    expect(parseEnv({})).toMatchObject({ metricsEnabled: true, metricsToken: undefined });
    const token = 'abcdefghijklmnop-0123';
    expect(parseEnv({ METRICS_ENABLED: 'false', METRICS_TOKEN: token })).toMatchObject({ metricsEnabled: false, metricsToken: token });
  });

  it('refuses a bad METRICS_ENABLED and a short or spaced METRICS_TOKEN without echoing the token', () => {
    expect(problemsOf({ METRICS_ENABLED: 'maybe' })).toEqual([
      expect.stringMatching(/^METRICS_ENABLED='maybe' is not valid; expected true or false/),
    ]);
    for (const token of ['short-token', 'has a space in it 0123456789']) {
      const problems = problemsOf({ METRICS_TOKEN: token });
      expect(problems).toEqual([
        expect.stringMatching(/^METRICS_TOKEN is not valid \(\d+ characters\); expected at least 16 visible ASCII/),
      ]);
      expect(problems.join('\n')).not.toContain(token);
    }
  });
});

describe('parseEnv: delivery (presets, animation, content cache)', () => {
  it('has no presets, free parameters, 100 animation frames and a 32 MB content cache by default', () => {
    expect(parseEnv({}).delivery).toEqual({ presets: {}, presetsOnly: false, maxAnimationFrames: 100, contentCache: 32 * 1024 * 1024 });
  });

  it('reads CONTENT_CACHE as a size, 0 keeping none, and names a bad one', () => {
    expect(parseEnv({ CONTENT_CACHE: '0' }).delivery.contentCache).toBe(0);
    expect(parseEnv({ CONTENT_CACHE: '512KB' }).delivery.contentCache).toBe(512 * 1024);
    expect(problemsOf({ CONTENT_CACHE: 'plenty' })).toEqual([
      expect.stringMatching(/^CONTENT_CACHE='plenty' is not valid; expected 0 or a size/),
    ]);
  });

  it('reads TRANSFORM_PRESETS, TRANSFORM_PRESETS_ONLY and MAX_ANIMATION_FRAMES', () => {
    const env = parseEnv({
      TRANSFORM_PRESETS: 'thumb=w:200,h:200,fit:cover;card=w:640',
      TRANSFORM_PRESETS_ONLY: 'true',
      MAX_ANIMATION_FRAMES: '12',
    });
    expect(env.delivery).toEqual({
      presets: { thumb: { w: 200, h: 200, fit: 'cover' }, card: { w: 640 } },
      presetsOnly: true,
      maxAnimationFrames: 12,
      contentCache: 32 * 1024 * 1024,
    });
  });

  it('stops start-up on a bad preset, naming the variable and the preset', () => {
    const problems = problemsOf({ TRANSFORM_PRESETS: 'thumb=w:200,fit:crop;card=w:640' });
    expect(problems).toEqual([expect.stringMatching(/^TRANSFORM_PRESETS: preset 'thumb' has fit:crop; expected one of cover/)]);
    expect(problems[0]).toContain('e.g. TRANSFORM_PRESETS=thumb=w:200,h:200,fit:cover;card=w:640');
  });

  it('refuses presets-only mode without presets, and bad booleans and frame counts', () => {
    expect(problemsOf({ TRANSFORM_PRESETS_ONLY: 'true' })).toEqual([
      expect.stringContaining('TRANSFORM_PRESETS_ONLY=true needs at least one preset'),
    ]);
    expect(problemsOf({ TRANSFORM_PRESETS: 'a=w:1', TRANSFORM_PRESETS_ONLY: 'maybe', MAX_ANIMATION_FRAMES: '0' })).toEqual([
      expect.stringContaining("TRANSFORM_PRESETS_ONLY='maybe'"),
      expect.stringContaining("MAX_ANIMATION_FRAMES='0'"),
    ]);
  });
});

describe('RESUMABLE_UPLOAD_EXPIRY', () => {
  it('defaults to 24h and takes the duration syntax', () => {
    expect(parseEnv({}).resumableUploadExpiry).toBe(24 * 3600);
    expect(parseEnv({ RESUMABLE_UPLOAD_EXPIRY: '90m' }).resumableUploadExpiry).toBe(90 * 60);
  });

  it('names a bad value and what a good one looks like', () => {
    expect(() => parseEnv({ RESUMABLE_UPLOAD_EXPIRY: '1 day' })).toThrow(/RESUMABLE_UPLOAD_EXPIRY.*e\.g\. RESUMABLE_UPLOAD_EXPIRY=24h/);
  });
});
