import { startS3Server } from '../../test/support/s3-server';
import { S3Storage } from './s3.storage';
import { describeStorageDriverContract } from '../../test/support/storage-driver.contract';

// The same contract as the local driver, against a real S3-protocol server on loopback.
describeStorageDriverContract('S3Storage', async () => {
  const server = await startS3Server('contract');
  const env = server.env;
  const driver = new S3Storage({
    endpoint: env.S3_ENDPOINT,
    region: env.S3_REGION,
    bucket: env.S3_BUCKET,
    accessKeyId: env.S3_ACCESS_KEY_ID,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY,
    forcePathStyle: true,
  });
  return { driver, cleanup: () => server.stop() };
});
