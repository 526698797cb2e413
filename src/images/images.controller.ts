import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query, Req, Res, UseInterceptors } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AuthUser } from '../auth/auth-user';
import { Authenticated } from '../auth/decorators/authenticated.decorator';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { OptionalAuth } from '../auth/decorators/public.decorator';
import { ApiPage } from '../common/decorators/api-envelope.decorator';
import { ApiProblems } from '../common/decorators/api-problems.decorator';
import { Envelope, PageEnvelope, envelope, pageEnvelope } from '../common/dto/envelope';
import { UuidParamPipe } from '../common/pipes/uuid-param.pipe';
import { clientGone } from './content/client-gone';
import { ContentSender } from './content/content-sender';
import { ContentQueryDto } from './dto/content-query.dto';
import { ImageDto } from './dto/image.dto';
import { ListImagesQueryDto } from './dto/list-images-query.dto';
import { ApiDeleteImage, ApiGetImage, ApiImageContent, ApiUpdateImage, ApiUploadImage } from './images.docs';
import { UpdateImageDto } from './dto/update-image.dto';
import { ImagesService } from './images.service';
import { ImageFileValidationPipe } from './upload/image-file-validation.pipe';
import { ValidatedUpload } from './upload/received-upload';
import { UploadInterceptor } from './upload/upload.interceptor';
import { UploadedImage } from './upload/uploaded-image.decorator';

@ApiTags('images')
@Authenticated()
@ApiProblems(500)
@Controller('images')
export class ImagesController {
  constructor(
    private readonly images: ImagesService,
    private readonly sender: ContentSender,
  ) {}

  @Post()
  @UseInterceptors(UploadInterceptor)
  @ApiUploadImage('Upload an image')
  async uploadImage(
    @CurrentUser() user: AuthUser,
    @UploadedImage(ImageFileValidationPipe) upload: ValidatedUpload,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Envelope<ImageDto>> {
    const image = await this.images.create(user, upload);
    res.location(`/images/${image.id}`);
    return envelope(image);
  }

  @Get()
  @ApiOperation({ summary: "List images (the caller's; an admin's: everyone's, or ?ownerId=)" })
  @ApiPage(ImageDto)
  @ApiProblems(400, 403, 503)
  listImages(@CurrentUser() user: AuthUser, @Query() query: ListImagesQueryDto): Promise<PageEnvelope<ImageDto>> {
    return this.images.list(user, query).then(pageEnvelope);
  }

  @Get(':id')
  @ApiGetImage("An image's metadata")
  getImage(@CurrentUser() user: AuthUser, @Param('id', UuidParamPipe) id: string): Promise<Envelope<ImageDto>> {
    return this.images.findOne(user, id).then(envelope);
  }

  @Get(':id/content')
  @OptionalAuth()
  @ApiImageContent()
  async getImageContent(
    @CurrentUser() user: AuthUser | undefined,
    @Param('id', UuidParamPipe) id: string,
    @Query() query: ContentQueryDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    // A client that leaves while its variant waits for a slot takes the waiting job with it.
    await this.sender.send(req, res, await this.images.openContent(user, id, query, req.headers.accept, clientGone(res)));
  }

  @Patch(':id')
  @ApiUpdateImage()
  updateImage(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParamPipe) id: string,
    @Body() patch: UpdateImageDto,
  ): Promise<Envelope<ImageDto>> {
    return this.images.update(user, id, patch).then(envelope);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiDeleteImage('Delete an image')
  deleteImage(@CurrentUser() user: AuthUser, @Param('id', UuidParamPipe) id: string): Promise<void> {
    return this.images.remove(user, id);
  }
}
