import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newS3rver } from './s3rver';

export interface TestS3Server {
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** A real S3-compatible server on 127.0.0.1 with one empty bucket, in a temp folder. */
export async function startS3Server(bucket = 'images'): Promise<TestS3Server> {
  const directory = mkdtempSync(join(tmpdir(), 'image-api-s3-'));
  const server = newS3rver(directory, bucket);
  const address = await server.run();
  return {
    env: {
      STORAGE_DRIVER: 's3',
      S3_ENDPOINT: `http://127.0.0.1:${address.port}`,
      S3_REGION: 'us-east-1',
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
    },
    stop: async () => {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

export function testStorage(): 'local' | 's3' {
  return process.env.TEST_STORAGE === 's3' ? 's3' : 'local';
}
