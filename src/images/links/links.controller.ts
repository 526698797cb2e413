import { Body, Controller, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../../auth/auth-user';
import { Authenticated } from '../../auth/decorators/authenticated.decorator';
import { CurrentUser } from '../../auth/decorators/current-user.decorator';
import { ApiData } from '../../common/decorators/api-envelope.decorator';
import { ApiProblems } from '../../common/decorators/api-problems.decorator';
import { UuidParamPipe } from '../../common/pipes/uuid-param.pipe';
import { Envelope, envelope } from '../../common/dto/envelope';
import { CreateLinkDto } from './create-link.dto';
import { LinkDto } from './link.dto';
import { LinksService } from './links.service';

@ApiTags('images')
@Authenticated()
@ApiProblems(500)
@Controller('images')
export class LinksController {
  constructor(private readonly links: LinksService) {}

  @Post(':id/links')
  @ApiOperation({
    summary: 'Create a signed link to the content',
    description: 'The URL works without a bearer token until it expires (e.g. in `<img src>`); it may carry transform parameters.',
  })
  @ApiParam({ name: 'id', format: 'uuid', description: 'Image id' })
  @ApiBody({ type: CreateLinkDto, required: false })
  @ApiData(LinkDto, { status: 201, description: 'Signed' })
  @ApiProblems(400, 404, 415, 503)
  createImageLink(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParamPipe) id: string,
    @Body() body: CreateLinkDto,
  ): Promise<Envelope<LinkDto>> {
    return this.links.create(user, id, body).then(envelope);
  }
}
