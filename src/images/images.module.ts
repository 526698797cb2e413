import { DeliveryPlanner } from './delivery/delivery-planner';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StorageModule } from '../storage/storage.module';
import { UsersModule } from '../users';
import { CompatController } from './compat.controller';
import { ContentCache } from './content/content-cache';
import { ContentSender } from './content/content-sender';
import { Image } from './image.entity';
import { ImagesController } from './images.controller';
import { ImagesService } from './images.service';
import { ContentAccess } from './links/content-access';
import { LinkSigner } from './links/link-signer';
import { LinksController } from './links/links.controller';
import { LinksService } from './links/links.service';
import { StorageReconciler } from './reconcile/storage-reconciler';
import { MetadataBackfill } from './metadata/metadata-backfill';
import { ImageDecoder } from './upload/image-decoder';
import { QuotaService } from './quota/quota.service';
import { ImageFileValidationPipe } from './upload/image-file-validation.pipe';
import { ImageIntake } from './upload/image-intake';
import { UploadAdmission } from './upload/upload-admission';
import { UploadInterceptor } from './upload/upload.interceptor';
import { UploadMetrics } from './upload/upload.metrics';
import { DecodedSources } from './variants/decoded-sources';
import { ImageTransformer } from './variants/image-transformer';
import { ImageVariant } from './variants/variant.entity';
import { VariantCreation } from './variants/variant-creation.entity';
import { VariantRateLimiter } from './variants/variant-rate-limiter';
import { VariantMetrics } from './variants/variant.metrics';
import { VariantsService } from './variants/variants.service';
import { ImageRows } from './image-rows';
import { ImageWorkScheduler } from './work/image-work-scheduler';
import { IdleHeapCollector } from './work/idle-heap-collector';

@Module({
  imports: [TypeOrmModule.forFeature([Image, ImageVariant, VariantCreation]), StorageModule, UsersModule],
  controllers: [ImagesController, LinksController, CompatController],
  providers: [
    ImagesService,
    ImageRows,
    DeliveryPlanner,
    ContentCache,
    ContentSender,
    ImageDecoder,
    ImageFileValidationPipe,
    UploadInterceptor,
    StorageReconciler,
    MetadataBackfill,
    VariantsService,
    ImageTransformer,
    DecodedSources,
    LinkSigner,
    ContentAccess,
    LinksService,
    QuotaService,
    UploadAdmission,
    VariantRateLimiter,
    ImageWorkScheduler,
    IdleHeapCollector,
    UploadMetrics,
    VariantMetrics,
    ImageIntake,
  ],
  // The quota summary for GET /auth/me, and the upload admission for the Expect: 100-continue gate;
  // the intake and the reconciler for resumable uploads (uploads/).
  exports: [QuotaService, UploadAdmission, ImageWorkScheduler, ImageIntake, StorageReconciler],
})
export class ImagesModule {}
