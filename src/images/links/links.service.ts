import { Injectable } from '@nestjs/common';
import { AuthUser } from '../../auth/auth-user';
import { DeliveryPlanner } from '../delivery/delivery-planner';
import { ImagesService } from '../images.service';
import { pickTransformParams, toQueryString } from '../variants/transform-params';
import { VariantsService } from '../variants/variants.service';
import { linkVersion } from './content-access';
import { CreateLinkDto, DEFAULT_LINK_SECONDS } from './create-link.dto';
import { LinkSigner } from './link-signer';
import { LinkDto } from './link.dto';

@Injectable()
export class LinksService {
  constructor(
    private readonly images: ImagesService,
    private readonly signer: LinkSigner,
    private readonly variants: VariantsService,
    private readonly planner: DeliveryPlanner,
  ) {}

  /**
   * A signed URL of the image (or of one of its variants); only those who can read the image may share it.
   * Plain parameters are signed normalised; a preset or `format=auto` is signed as asked (resolved per request).
   * `v` names the bytes, so caches may keep the answer as immutable.
   */
  async create(user: AuthUser, imageId: string, dto: CreateLinkDto): Promise<LinkDto> {
    const image = await this.images.findReadable(user, imageId);
    const transform = await this.variants.normalise(image, this.planner.plan(dto, image.mimeType, undefined).params);
    const asked = dto.preset !== undefined || dto.format === 'auto';
    const paramsQuery = asked ? toQueryString(pickTransformParams(dto)) : toQueryString(transform?.params ?? {});
    const signed = [paramsQuery, `v=${linkVersion(image.checksum)}`].filter(Boolean).join('&');
    const expires = this.signer.nowSeconds() + (dto.expiresIn ?? DEFAULT_LINK_SECONDS);
    const signature = this.signer.sign(image.id, signed, expires);
    const query = [signed, `expires=${expires}`, `sig=${signature}`].join('&');
    return { url: `/images/${image.id}/content?${query}`, expiresAt: new Date(expires * 1000).toISOString() };
  }
}
