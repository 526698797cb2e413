import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { loadEnv } from '../config';
import { BackfillProgress, MetadataBackfill } from '../images/metadata/metadata-backfill';

/**
 * `npm run images:backfill [-- --batch=100] [--concurrency=2]`: computes thumbhash, dominant colour,
 * EXIF facts, frames and the displayed size for images uploaded before they existed. Idempotent
 * and resumable: only rows still without metadata are read, in id order.
 */
async function main(): Promise<void> {
  const batchSize = numberArg('batch', 100);
  const concurrency = numberArg('concurrency', 2);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(loadEnv()), { logger: ['error', 'warn'], abortOnError: false });
  try {
    const started = Date.now();
    const result = await app.get(MetadataBackfill).run({ batchSize, concurrency, onProgress: (p) => process.stdout.write(`${line(p)}\n`) });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(`done in ${seconds}s: ${line(result)}${result.failed.length ? `; failed: ${result.failed.join(', ')}` : ''}\n`);
    if (result.failed.length) process.exitCode = 2;
  } finally {
    await app.close();
  }
}

function line({ total, filled, failed }: BackfillProgress): string {
  return `backfill: ${filled + failed.length}/${total} images (${filled} filled, ${failed.length} failed)`;
}

function numberArg(name: string, fallback: number): number {
  const arg = process.argv.slice(2).find((a) => a.startsWith(`--${name}=`));
  if (!arg) return fallback;
  const value = Number(arg.split('=')[1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} takes a whole number ≥ 1, e.g. --${name}=${fallback}`);
  return value;
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message ?? String(error)}\n`);
  process.exit(1);
});
