import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { testStorage } from './s3-server';
import { startStoppableS3Server } from './stoppable-s3';
import { createTestApp, TestApp, TestAppOptions } from './test-app';

type Labels = Record<string, string>;

interface Sample {
  name: string;
  labels: Labels;
  value: number;
}

/** Every sample line of a Prometheus text exposition. */
export function samples(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    out.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return out;
}

/** The value of the sample with exactly these labels, or undefined when there is none. */
export function sampleValue(text: string, name: string, labels: Labels = {}): number | undefined {
  const wanted = Object.entries(labels);
  return samples(text).find(
    (s) => s.name === name && Object.keys(s.labels).length === wanted.length && wanted.every(([k, v]) => s.labels[k] === v),
  )?.value;
}

/** Every value a label takes on a metric's samples. */
export function labelValues(text: string, name: string, label: string): string[] {
  return [
    ...new Set(
      samples(text)
        .filter((s) => s.name === name && label in s.labels)
        .map((s) => s.labels[label]),
    ),
  ].sort();
}

export interface BreakableApp {
  t: TestApp;
  /** Takes the storage away (local: UPLOAD_DIR becomes a file; S3: the server stops); resolves to a restore. */
  storageOutage(): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** An app whose storage can go down and come back, on either driver. */
export async function createBreakableApp(options: TestAppOptions = {}): Promise<BreakableApp> {
  const s3 = testStorage() === 's3' ? await startStoppableS3Server() : undefined;
  const t = await createTestApp({ ...options, s3 });
  return {
    t,
    async storageOutage() {
      if (s3) {
        await s3.outage();
        return () => s3.recover();
      }
      const aside = `${t.uploadDir}-aside`;
      renameSync(t.uploadDir, aside);
      writeFileSync(t.uploadDir, 'not a folder');
      return async () => {
        rmSync(t.uploadDir, { force: true });
        renameSync(aside, t.uploadDir);
      };
    },
    async close() {
      await t.close();
      await s3?.stop();
    },
  };
}
