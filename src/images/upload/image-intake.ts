import { Injectable } from '@nestjs/common';
import { AuthUser } from '../../auth/auth-user';
import { StorageDriver } from '../../storage/storage-driver';
import { ImageDto } from '../dto/image.dto';
import { ImagesService } from '../images.service';
import { ImageFileValidationPipe } from './image-file-validation.pipe';
import { ReceivedUpload } from './received-upload';

/**
 * The images module's entry point for bytes received elsewhere (a finished resumable upload): the
 * same validation pipe and the same create as `POST /images`; on any failure the bytes are removed.
 */
@Injectable()
export class ImageIntake {
  constructor(
    private readonly validation: ImageFileValidationPipe,
    private readonly images: ImagesService,
    private readonly storage: StorageDriver,
  ) {}

  /** The name's extension, checked when a resumable upload is created (the same step as at the end). */
  checkFilename(filename: string): void {
    this.validation.checkExtension(filename);
  }

  async ingest(owner: AuthUser, upload: ReceivedUpload): Promise<ImageDto> {
    try {
      return await this.images.create(owner, await this.validation.transform({ ...upload, ownerId: owner.id }));
    } catch (error) {
      await this.storage.delete(upload.tempKey).catch(() => undefined);
      throw error;
    }
  }
}
