import { Injectable } from '@nestjs/common';
import { AuthUser } from '../../auth/auth-user';
import { ImagesService } from '../images.service';
import { VariantsService } from '../variants/variants.service';
import { CreateLinkDto, DEFAULT_LINK_SECONDS } from './create-link.dto';
import { LinkSigner } from './link-signer';
import { LinkDto } from './link.dto';

@Injectable()
export class LinksService {
  constructor(
    private readonly images: ImagesService,
    private readonly signer: LinkSigner,
    private readonly variants: VariantsService,
  ) {}

  /** A signed URL of the image (or of one of its variants); only those who can read the image may share it. */
  async create(user: AuthUser, imageId: string, dto: CreateLinkDto): Promise<LinkDto> {
    const image = await this.images.findReadable(user, imageId);
    const paramsQuery = (await this.variants.normalise(image, dto))?.key ?? '';
    const expires = this.signer.nowSeconds() + (dto.expiresIn ?? DEFAULT_LINK_SECONDS);
    const signature = this.signer.sign(image.id, paramsQuery, expires);
    const query = [paramsQuery, `expires=${expires}`, `sig=${signature}`].filter(Boolean).join('&');
    return { url: `/images/${image.id}/content?${query}`, expiresAt: new Date(expires * 1000).toISOString() };
  }
}
