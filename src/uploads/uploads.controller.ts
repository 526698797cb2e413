import { Controller, Delete, Head, HttpCode, HttpStatus, Options, Param, Patch, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AuthUser } from '../auth/auth-user';
import { Authenticated } from '../auth/decorators/authenticated.decorator';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { Public } from '../auth/decorators/public.decorator';
import { ApiProblems } from '../common/decorators/api-problems.decorator';
import { UuidParamPipe } from '../common/pipes/uuid-param.pipe';
import { TusUploadsService } from './tus-uploads.service';
import { ApiTusCreate, ApiTusDelete, ApiTusHead, ApiTusOptions, ApiTusPatch } from './uploads.docs';
import { UploadLengthRequiredError } from './uploads.errors';

/**
 * tus 1.0.0 on /uploads, inside the app: the guard, request ids, logging and problem details apply
 * as everywhere; the protocol itself is @tus/server's (TusUploadsService), fed the raw request.
 */
@ApiTags('uploads')
@ApiProblems(500)
@Controller('uploads')
export class UploadsController {
  constructor(private readonly uploads: TusUploadsService) {}

  @Options()
  @HttpCode(HttpStatus.NO_CONTENT)
  @Public()
  @ApiTusOptions()
  tusCapabilities(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.uploads.handle(req, res, undefined);
  }

  @Post()
  @Authenticated()
  @ApiTusCreate()
  createUpload(@CurrentUser() user: AuthUser, @Req() req: Request, @Res() res: Response): Promise<void> {
    // The size and quota are checked before any byte: a deferred length (or a concatenation) cannot be.
    if (!/^\d+$/.test(String(req.headers['upload-length'] ?? '')) || req.headers['upload-concat']) throw new UploadLengthRequiredError();
    return this.uploads.handle(req, res, user);
  }

  @Head(':id')
  @Authenticated()
  @ApiTusHead()
  getUploadOffset(@CurrentUser() user: AuthUser, @Param('id', UuidParamPipe) _id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.uploads.handle(req, res, user);
  }

  @Patch(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Authenticated()
  @ApiTusPatch()
  appendToUpload(@CurrentUser() user: AuthUser, @Param('id', UuidParamPipe) _id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.uploads.handle(req, res, user);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Authenticated()
  @ApiTusDelete()
  terminateUpload(@CurrentUser() user: AuthUser, @Param('id', UuidParamPipe) _id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.uploads.handle(req, res, user);
  }
}
