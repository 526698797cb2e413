import { appConfig } from './app.config';
import { authConfig } from './auth.config';
import { databaseConfig } from './database.config';
import { deliveryConfig } from './delivery.config';
import { imageWorkConfig } from './image-work.config';
import { metricsConfig } from './metrics.config';
import { resumableUploadConfig } from './resumable-upload.config';
import { storageConfig } from './storage.config';
import { throttleConfig } from './throttle.config';
import { uploadConfig } from './upload.config';

export {
  appConfig,
  authConfig,
  databaseConfig,
  deliveryConfig,
  imageWorkConfig,
  metricsConfig,
  resumableUploadConfig,
  storageConfig,
  throttleConfig,
  uploadConfig,
};
export const configNamespaces = [
  appConfig,
  authConfig,
  databaseConfig,
  storageConfig,
  throttleConfig,
  uploadConfig,
  imageWorkConfig,
  deliveryConfig,
  metricsConfig,
  resumableUploadConfig,
];
