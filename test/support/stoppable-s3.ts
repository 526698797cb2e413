import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestS3Server } from './s3-server';
import { newS3rver, S3rverInstance } from './s3rver';

/** An s3rver that can go down and come back on the same port with the same objects (an outage). */
export interface StoppableS3Server extends TestS3Server {
  /** Stops listening and cuts every open connection, keeping the objects on disk. */
  outage(): Promise<void>;
  /** Listens again on the same port, over the same objects. */
  recover(): Promise<void>;
}

export async function startStoppableS3Server(bucket = 'images'): Promise<StoppableS3Server> {
  const directory = mkdtempSync(join(tmpdir(), 'image-api-s3-'));
  let port = 0;
  let server: S3rverInstance | undefined;
  const listen = async () => {
    server = newS3rver(directory, bucket, port);
    port = (await server.run()).port;
  };
  const shut = async () => {
    if (!server) return;
    const closing = server.close();
    server.httpServer?.closeAllConnections();
    await closing;
    server = undefined;
  };
  await listen();
  return {
    env: {
      STORAGE_DRIVER: 's3',
      S3_ENDPOINT: `http://127.0.0.1:${port}`,
      S3_REGION: 'us-east-1',
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
    },
    outage: shut,
    recover: listen,
    stop: async () => {
      await shut();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
