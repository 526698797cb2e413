import { ApiProblems } from '../common/decorators/api-problems.decorator';
import { Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Res, UseInterceptors } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AuthUser } from '../auth/auth-user';
import { Authenticated } from '../auth/decorators/authenticated.decorator';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { UuidParamPipe } from '../common/pipes/uuid-param.pipe';
import { Envelope, envelope } from '../common/dto/envelope';
import { ImageDto } from './dto/image.dto';
import { ApiDeleteImage, ApiGetImage, ApiUploadImage } from './images.docs';
import { ImagesService } from './images.service';
import { ImageFileValidationPipe } from './upload/image-file-validation.pipe';
import { ValidatedUpload } from './upload/received-upload';
import { UploadInterceptor } from './upload/upload.interceptor';
import { UploadedImage } from './upload/uploaded-image.decorator';

/** The original Flask service's routes, kept for its clients: same auth, validation and bodies. */
@ApiTags('compat')
@Authenticated()
@ApiProblems(500)
@Controller()
export class CompatController {
  constructor(private readonly images: ImagesService) {}

  @Post('upload')
  @UseInterceptors(UploadInterceptor)
  @ApiUploadImage('Upload an image (deprecated alias of POST /images)', true)
  async legacyUpload(
    @CurrentUser() user: AuthUser,
    @UploadedImage(ImageFileValidationPipe) upload: ValidatedUpload,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Envelope<ImageDto>> {
    const image = await this.images.create(user, upload);
    res.location(`/images/${image.id}`);
    return envelope(image);
  }

  @Get('image/:id')
  @ApiGetImage("An image's metadata (deprecated alias of GET /images/{id})", true)
  legacyGetImage(@CurrentUser() user: AuthUser, @Param('id', UuidParamPipe) id: string): Promise<Envelope<ImageDto>> {
    return this.images.findOne(user, id).then(envelope);
  }

  @Delete('image/:id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiDeleteImage('Delete an image (deprecated alias of DELETE /images/{id})', true)
  legacyDeleteImage(@CurrentUser() user: AuthUser, @Param('id', UuidParamPipe) id: string): Promise<void> {
    return this.images.remove(user, id);
  }
}
