import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { loadEnv } from '../config';
import { DEFAULT_GRACE_MS, StorageReconciler, summary } from '../images/reconcile/storage-reconciler';

/**
 * `npm run storage:reconcile [-- --apply] [--grace-minutes=N]`: lists orphan and stale
 * temporary objects, empty folders and rows whose bytes are missing; deletes all but the last with --apply.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const apply = args.includes('--apply');
  const grace = args.find((a) => a.startsWith('--grace-minutes='));
  const graceMs = grace ? Number(grace.split('=')[1]) * 60_000 : DEFAULT_GRACE_MS;
  if (!Number.isFinite(graceMs) || graceMs < 0) throw new Error('--grace-minutes takes a number of minutes, e.g. --grace-minutes=60');
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(loadEnv()), { logger: ['error', 'warn'], abortOnError: false });
  try {
    const report = await app.get(StorageReconciler).reconcile({ apply, graceMs });
    const lines = [
      ...report.orphans.map((k) => `orphan    ${k}`),
      ...report.staleTemporary.map((k) => `temporary ${k}`),
      ...report.missing.map((k) => `missing   ${k}`),
      ...report.emptyFolders.map((k) => `empty     ${k}/`),
      `${apply ? 'applied' : 'dry run'}: ${summary(report)}${apply ? `; deleted ${report.deleted}` : ' (use --apply to delete)'}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message ?? String(error)}\n`);
  process.exit(1);
});
