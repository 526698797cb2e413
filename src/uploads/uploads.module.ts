import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ImagesModule } from '../images/images.module';
import { StorageModule } from '../storage/storage.module';
import { ResumableUpload } from './resumable-upload.entity';
import { ResumableUploadsService } from './resumable-uploads.service';
import { TusUploadsService } from './tus-uploads.service';
import { UploadExpiryJob } from './upload-expiry.job';
import { UploadsController } from './uploads.controller';

/** Resumable uploads (tus) on /uploads; finished bytes go to the images module's ImageIntake. */
@Module({
  imports: [TypeOrmModule.forFeature([ResumableUpload]), StorageModule, ImagesModule],
  controllers: [UploadsController],
  providers: [ResumableUploadsService, TusUploadsService, UploadExpiryJob],
})
export class UploadsModule {}
