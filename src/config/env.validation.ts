import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { DatabaseTarget, parseBoolean, parseByteSize, parseDatabaseUrl, parseDuration, parsePositiveInt } from './parsers';
import { SUPPORTED_EXTENSIONS, uploadFormatForExtension } from '../images/formats';
import { PRESETS_EXAMPLE, TransformPresets, parsePresets } from '../images/delivery/presets';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const MIN_SECRET_LENGTH = 32;

export type NodeEnv = 'development' | 'production' | 'test';

export interface Env {
  nodeEnv: NodeEnv;
  port: number;
  logLevel: (typeof LOG_LEVELS)[number];
  secretKey: string;
  jwtSecretKey: string;
  jwtExpiresIn: number;
  refreshTokenExpiresIn: number;
  database: DatabaseTarget;
  allowedExtensions: string[];
  maxContentLength: number;
  maxImagePixels: number;
  maxImageSide: number;
  maxDecodeMemory: number;
  /** MAX_CONCURRENT_IMAGE_WORK (alias: MAX_CONCURRENT_TRANSFORMS). */
  maxConcurrentTransforms: number;
  uploadDir: string;
  storageDriver: 'local' | 's3';
  s3: {
    endpoint?: string;
    region: string;
    bucket: string;
    accessKeyId?: string;
    secretAccessKey?: string;
    forcePathStyle: boolean;
  };
  loginMaxAttempts: number;
  loginWindow: number;
  authRateLimit: number;
  corsOrigins: string[];
  admin?: { email: string; password: string };
  shutdownTimeout: number;
  headersTimeout: number;
  requestTimeout: number;
  /** Bytes of originals one user may keep; 0 is unlimited. */
  userQuotaBytes: number;
  metricsEnabled: boolean;
  metricsToken?: string;
  /** Read by scripts/start.sh before node starts; validated here, and the start-up line names the result. */
  memoryAllocator: 'auto' | 'system';
  warnings: string[];
  imageWork: {
    maxQueued: number;
    decodeTimeout: number;
    maxVariantsPerImage: number;
    transformRateLimit: number;
    variantSourceCache: number;
  };
  delivery: {
    presets: TransformPresets;
    presetsOnly: boolean;
    maxAnimationFrames: number;
    /** CONTENT_CACHE: bytes of small stored objects kept in memory for downloads (0: none). */
    contentCache: number;
  };
  /** RESUMABLE_UPLOAD_EXPIRY in seconds: an unfinished tus upload is removed after it. */
  resumableUploadExpiry: number;
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n` + problems.map((p) => `  - ${p}`).join('\n'),
    );
    this.name = 'ConfigValidationError';
  }
}

type Source = Record<string, string | undefined>;

/** Reads every variable, collects every problem, and throws them together. */
export function parseEnv(source: Source): Env {
  const reader = new EnvReader(source);
  const env = readAll(reader);
  if (reader.problems.length) throw new ConfigValidationError(reader.problems);
  return env;
}

function readAll(r: EnvReader): Env {
  const nodeEnv = r.nodeEnv();
  const production = nodeEnv === 'production';
  const storageDriver = r.oneOf('STORAGE_DRIVER', ['local', 's3'] as const, 'local');
  return {
    nodeEnv,
    port: r.value('PORT', '3000', parsePort, 'a TCP port from 1 to 65535, e.g. PORT=3000'),
    logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS, nodeEnv === 'test' ? 'silent' : 'info'),
    secretKey: r.secret('SECRET_KEY', production),
    jwtSecretKey: r.secret('JWT_SECRET_KEY', production),
    jwtExpiresIn: r.value('JWT_EXPIRES_IN', '15m', parseDuration, DURATION_HINT('JWT_EXPIRES_IN', '15m')),
    refreshTokenExpiresIn: r.value('REFRESH_TOKEN_EXPIRES_IN', '7d', parseDuration, DURATION_HINT('REFRESH_TOKEN_EXPIRES_IN', '7d')),
    database: r.value(
      'DATABASE_URL',
      'sqlite:./data/images.db',
      parseDatabaseUrl,
      'a database URL, e.g. DATABASE_URL=sqlite:./data/images.db or DATABASE_URL=mysql://user:pass@127.0.0.1:3306/images',
    ),
    allowedExtensions: r.value(
      'ALLOWED_FILE_EXTENSIONS',
      SUPPORTED_EXTENSIONS.join(','),
      parseExtensions,
      `a comma-separated list drawn from ${SUPPORTED_EXTENSIONS.join(', ')}, e.g. ALLOWED_FILE_EXTENSIONS=jpg,jpeg,png`,
    ),
    maxContentLength: r.value(
      'MAX_CONTENT_LENGTH',
      '5MB',
      parseByteSize,
      'a size in bytes or with a KB, MB or GB suffix (binary units), e.g. MAX_CONTENT_LENGTH=5MB, 512KB or 1048576',
    ),
    maxImagePixels: r.int('MAX_IMAGE_PIXELS', 50_000_000),
    maxImageSide: r.int('MAX_IMAGE_SIDE', 16384),
    maxDecodeMemory: r.value(
      'MAX_DECODE_MEMORY',
      '256MB',
      parseByteSize,
      'a size in bytes or with a KB, MB or GB suffix (binary units), e.g. MAX_DECODE_MEMORY=256MB',
    ),
    // MAX_CONCURRENT_TRANSFORMS is the older name of the same limit; the new one wins when both are set.
    maxConcurrentTransforms: r.raw('MAX_CONCURRENT_IMAGE_WORK')
      ? r.int('MAX_CONCURRENT_IMAGE_WORK', availableParallelism())
      : r.int('MAX_CONCURRENT_TRANSFORMS', availableParallelism()),
    uploadDir: r.raw('UPLOAD_DIR') || './uploads',
    storageDriver,
    s3: readS3(r, storageDriver === 's3'),
    loginMaxAttempts: r.int('LOGIN_MAX_ATTEMPTS', 5),
    loginWindow: r.value('LOGIN_WINDOW', '15m', parseDuration, DURATION_HINT('LOGIN_WINDOW', '15m')),
    authRateLimit: r.int('AUTH_RATE_LIMIT', 100),
    corsOrigins: r.value('CORS_ORIGINS', '', parseOrigins, 'a comma-separated list of origins, e.g. CORS_ORIGINS=https://app.example.com'),
    admin: readAdmin(r),
    shutdownTimeout: r.value('SHUTDOWN_TIMEOUT', '10s', parseDuration, DURATION_HINT('SHUTDOWN_TIMEOUT', '10s')),
    headersTimeout: r.value('HEADERS_TIMEOUT', '20s', parseDuration, DURATION_HINT('HEADERS_TIMEOUT', '20s')),
    requestTimeout: r.value('REQUEST_TIMEOUT', '300s', parseDuration, DURATION_HINT('REQUEST_TIMEOUT', '300s')),
    userQuotaBytes: r.value(
      'USER_QUOTA_BYTES',
      '0',
      parseQuota,
      'a size in bytes or with a KB, MB or GB suffix (binary units), or 0 for unlimited, e.g. USER_QUOTA_BYTES=1GB',
    ),
    metricsEnabled: r.value('METRICS_ENABLED', 'true', parseBoolean, 'true or false, e.g. METRICS_ENABLED=false'),
    metricsToken: readMetricsToken(r),
    memoryAllocator: r.oneOf('MEMORY_ALLOCATOR', ['auto', 'system'] as const, 'auto'),
    warnings: r.warnings,
    imageWork: readImageWork(r),
    delivery: readDelivery(r),
    resumableUploadExpiry: r.value('RESUMABLE_UPLOAD_EXPIRY', '24h', parseDuration, DURATION_HINT('RESUMABLE_UPLOAD_EXPIRY', '24h')),
  };
}

function readDelivery(r: EnvReader): Env['delivery'] {
  const { presets, problems } = parsePresets(r.raw('TRANSFORM_PRESETS') ?? '');
  for (const problem of problems) r.problem(`TRANSFORM_PRESETS: ${problem}, e.g. TRANSFORM_PRESETS=${PRESETS_EXAMPLE}`);
  const presetsOnly = r.value('TRANSFORM_PRESETS_ONLY', 'false', parseBoolean, 'true or false, e.g. TRANSFORM_PRESETS_ONLY=true');
  if (presetsOnly && !problems.length && !Object.keys(presets).length) {
    r.problem(`TRANSFORM_PRESETS_ONLY=true needs at least one preset in TRANSFORM_PRESETS, e.g. TRANSFORM_PRESETS=${PRESETS_EXAMPLE}`);
  }
  return {
    presets,
    presetsOnly,
    maxAnimationFrames: r.int('MAX_ANIMATION_FRAMES', 100),
    contentCache: r.value('CONTENT_CACHE', '32MB', parseCacheSize, CACHE_SIZE_HINT('CONTENT_CACHE', '32MB')),
  };
}

/** A memory budget: 0 (keep nothing) or a byte size. */
function parseCacheSize(raw: string): number | undefined {
  return raw.trim() === '0' ? 0 : parseByteSize(raw);
}

const CACHE_SIZE_HINT = (name: string, example: string) =>
  `0 or a size in bytes or with a KB, MB or GB suffix (binary units), e.g. ${name}=${example}`;

function readImageWork(r: EnvReader): Env['imageWork'] {
  return {
    maxQueued: r.int('MAX_QUEUED_IMAGE_WORK', 64),
    decodeTimeout: r.value('DECODE_TIMEOUT', '20s', parseDuration, DURATION_HINT('DECODE_TIMEOUT', '20s')),
    maxVariantsPerImage: r.int('MAX_VARIANTS_PER_IMAGE', 20),
    transformRateLimit: r.int('TRANSFORM_RATE_LIMIT', 120),
    variantSourceCache: r.value('VARIANT_SOURCE_CACHE', '64MB', parseCacheSize, CACHE_SIZE_HINT('VARIANT_SOURCE_CACHE', '64MB')),
  };
}

function readS3(r: EnvReader, required: boolean): Env['s3'] {
  const bucket = r.raw('S3_BUCKET');
  if (required && !bucket) r.problem('S3_BUCKET is required when STORAGE_DRIVER=s3, e.g. S3_BUCKET=images');
  const endpoint = r.raw('S3_ENDPOINT') || undefined;
  if (endpoint && !isHttpUrl(endpoint)) {
    r.problem(`S3_ENDPOINT='${endpoint}' is not an http(s) URL, e.g. S3_ENDPOINT=http://127.0.0.1:9000`);
  }
  const accessKeyId = r.raw('S3_ACCESS_KEY_ID') || undefined;
  const secretAccessKey = r.raw('S3_SECRET_ACCESS_KEY') || undefined;
  if (Boolean(accessKeyId) !== Boolean(secretAccessKey)) {
    r.problem('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together (or both left unset)');
  }
  return {
    endpoint,
    region: r.raw('S3_REGION') || 'us-east-1',
    bucket: bucket ?? '',
    accessKeyId,
    secretAccessKey,
    forcePathStyle: r.value('S3_FORCE_PATH_STYLE', 'false', parseBoolean, 'true or false, e.g. S3_FORCE_PATH_STYLE=true'),
  };
}

function readAdmin(r: EnvReader): Env['admin'] {
  const email = r.raw('ADMIN_EMAIL');
  const password = r.raw('ADMIN_PASSWORD');
  if (!email && !password) return undefined;
  if (!email || !password) {
    r.problem('ADMIN_EMAIL and ADMIN_PASSWORD must be set together (or both left unset)');
    return undefined;
  }
  if (!/^[^\s@\p{Cf}]+@[^\s@\p{Cf}]+\.[^\s@\p{Cf}]+$/u.test(email)) {
    r.problem(`ADMIN_EMAIL='${email}' is not an e-mail address, e.g. ADMIN_EMAIL=admin@example.com`);
  }
  if (password.length < 8 || password.length > 128) {
    r.problem('ADMIN_PASSWORD must be 8 to 128 characters long');
  }
  return { email: email.toLowerCase(), password };
}

const DURATION_HINT = (name: string, example: string) => `a duration in seconds or with an s, m, h or d suffix, e.g. ${name}=${example}`;

/** Unset = /metrics needs no token; otherwise a bearer token that fits in a header as is (never echoed). */
function readMetricsToken(r: EnvReader): string | undefined {
  const token = r.raw('METRICS_TOKEN');
  if (token && !/^[\x21-\x7e]{16,}$/.test(token)) {
    r.problem(
      `METRICS_TOKEN is not valid (${token.length} characters); expected at least 16 visible ASCII characters without spaces, e.g. METRICS_TOKEN=$(openssl rand -hex 24)`,
    );
  }
  return token;
}

function parsePort(raw: string): number | undefined {
  const port = parsePositiveInt(raw);
  return port !== undefined && port <= 65535 ? port : undefined;
}

/** Like MAX_CONTENT_LENGTH, and `0` (in any unit) for unlimited. */
function parseQuota(raw: string): number | undefined {
  return /^\s*0+(\.0+)?\s*(B|KB|MB|GB)?\s*$/i.test(raw) ? 0 : parseByteSize(raw);
}

function parseExtensions(raw: string): string[] | undefined {
  const list = raw
    .split(',')
    .map((e) => e.trim().toLowerCase().replace(/^\./, ''))
    .filter(Boolean);
  const formats = list.map(uploadFormatForExtension);
  if (!list.length || formats.some((f) => !f)) return undefined;
  // An extension implies its format's aliases (`jpg` ⇄ `jpeg`): they name one format.
  return [...new Set([...list, ...formats.flatMap((f) => f!.aliases)])];
}

function parseOrigins(raw: string): string[] | undefined {
  const list = raw
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  return list.every((o) => o === '*' || isHttpUrl(o)) ? list.map((o) => o.replace(/\/$/, '')) : undefined;
}

function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

class EnvReader {
  readonly problems: string[] = [];
  readonly warnings: string[] = [];

  constructor(private readonly source: Source) {}

  raw(name: string): string | undefined {
    const value = this.source[name]?.trim();
    return value === '' ? undefined : value;
  }

  problem(message: string): void {
    this.problems.push(message);
  }

  value<T>(name: string, fallback: string, parse: (raw: string) => T | undefined, hint: string): T {
    const raw = this.raw(name) ?? fallback;
    const parsed = parse(raw);
    if (parsed !== undefined) return parsed;
    this.problem(`${name}='${raw}' is not valid; expected ${hint}`);
    return parse(fallback) as T;
  }

  int(name: string, fallback: number): number {
    return this.value(name, String(fallback), parsePositiveInt, `a positive whole number, e.g. ${name}=${fallback}`);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = (this.raw(name) ?? fallback).toLowerCase();
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.problem(`${name}='${raw}' is not valid; expected one of ${allowed.join(', ')}, e.g. ${name}=${fallback}`);
    return fallback;
  }

  nodeEnv(): NodeEnv {
    const nodeEnv = this.raw('NODE_ENV');
    if (nodeEnv) return this.oneOf('NODE_ENV', ['development', 'production', 'test'] as const, 'development');
    // The seed's FLASK_ENV is read only when NODE_ENV is absent.
    const flask = this.raw('FLASK_ENV')?.toLowerCase();
    if (flask === 'production') return 'production';
    if (flask === 'testing' || flask === 'test') return 'test';
    return 'development';
  }

  secret(name: string, production: boolean): string {
    const value = this.raw(name);
    if (value && value.length >= MIN_SECRET_LENGTH) return value;
    if (production) {
      this.problem(
        value
          ? `${name} is too weak (${value.length} characters); production needs at least ${MIN_SECRET_LENGTH}, e.g. ${name}=$(openssl rand -hex 32)`
          : `${name} is required in production: at least ${MIN_SECRET_LENGTH} random characters, e.g. ${name}=$(openssl rand -hex 32)`,
      );
      return '';
    }
    if (value) {
      this.warnings.push(`${name} is shorter than ${MIN_SECRET_LENGTH} characters; production would refuse it`);
      return value;
    }
    this.warnings.push(`${name} is not set: using a random development secret (tokens and links end with the process)`);
    return randomBytes(32).toString('hex');
  }
}
