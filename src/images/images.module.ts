import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StorageModule } from '../storage/storage.module';
import { CompatController } from './compat.controller';
import { ContentSender } from './content/content-sender';
import { Image } from './image.entity';
import { ImagesController } from './images.controller';
import { ImagesService } from './images.service';
import { ImageDecoder } from './upload/image-decoder';
import { ImageFileValidationPipe } from './upload/image-file-validation.pipe';
import { UploadInterceptor } from './upload/upload.interceptor';

@Module({
  imports: [TypeOrmModule.forFeature([Image]), StorageModule],
  controllers: [ImagesController, CompatController],
  providers: [ImagesService, ContentSender, ImageDecoder, ImageFileValidationPipe, UploadInterceptor],
})
export class ImagesModule {}
