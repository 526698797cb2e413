import { appConfig } from './app.config';
import { authConfig } from './auth.config';
import { databaseConfig } from './database.config';
import { imageWorkConfig } from './image-work.config';
import { resumableUploadConfig } from './resumable-upload.config';
import { storageConfig } from './storage.config';
import { throttleConfig } from './throttle.config';
import { uploadConfig } from './upload.config';

export { appConfig, authConfig, databaseConfig, storageConfig, throttleConfig, uploadConfig, imageWorkConfig, resumableUploadConfig };
export const configNamespaces = [appConfig, authConfig, databaseConfig, storageConfig, throttleConfig, uploadConfig, imageWorkConfig, resumableUploadConfig];
