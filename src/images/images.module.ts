import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StorageModule } from '../storage/storage.module';
import { CompatController } from './compat.controller';
import { ContentSender } from './content/content-sender';
import { Image } from './image.entity';
import { ImagesController } from './images.controller';
import { ImagesService } from './images.service';
import { ContentAccess } from './links/content-access';
import { LinkSigner } from './links/link-signer';
import { LinksController } from './links/links.controller';
import { LinksService } from './links/links.service';
import { StorageReconciler } from './reconcile/storage-reconciler';
import { ImageDecoder } from './upload/image-decoder';
import { ImageFileValidationPipe } from './upload/image-file-validation.pipe';
import { UploadInterceptor } from './upload/upload.interceptor';
import { UploadMetrics } from './upload/upload.metrics';
import { ImageTransformer } from './variants/image-transformer';
import { ImageVariant } from './variants/variant.entity';
import { VariantMetrics } from './variants/variant.metrics';
import { VariantsService } from './variants/variants.service';

@Module({
  imports: [TypeOrmModule.forFeature([Image, ImageVariant]), StorageModule],
  controllers: [ImagesController, LinksController, CompatController],
  providers: [
    ImagesService,
    ContentSender,
    ImageDecoder,
    ImageFileValidationPipe,
    UploadInterceptor,
    StorageReconciler,
    VariantsService,
    ImageTransformer,
    LinkSigner,
    ContentAccess,
    LinksService,
    UploadMetrics,
    VariantMetrics,
  ],
})
export class ImagesModule {}
