import { ApiProperty } from '@nestjs/swagger';

export class LinkDto {
  @ApiProperty({
    example: '/images/0b6f2c4e-8d1a-4f3b-9c2e-7a5d6e4f3b21/content?w=320&format=webp&expires=1795000000&sig=3f1c…',
    description: 'Relative URL of the content, signed; works without a bearer token until it expires',
  })
  url!: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-23T23:51:49.000Z' })
  expiresAt!: string;
}
