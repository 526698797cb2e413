import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { storageConfig } from './config/storage.config';
import { LocalDiskStorage } from './local-disk.storage';
import { StorageDriver } from './storage-driver';

@Module({
  providers: [
    {
      provide: StorageDriver,
      inject: [storageConfig.KEY],
      useFactory: async (cfg: ConfigType<typeof storageConfig>): Promise<StorageDriver> => {
        if (cfg.driver === 's3') {
          // Loaded only when chosen, so the AWS SDK costs nothing on local-disk deployments.
          const { S3Storage } = await import('./s3.storage');
          return new S3Storage(cfg.s3);
        }
        return new LocalDiskStorage(cfg.uploadDir);
      },
    },
  ],
  exports: [StorageDriver],
})
export class StorageModule {}
