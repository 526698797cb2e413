import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import { TransformParamsDto } from './transform-params.dto';

export class ContentQueryDto extends TransformParamsDto {
  @ApiPropertyOptional({ description: 'Serve as an attachment (Content-Disposition: attachment)', default: false })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value))
  @IsBoolean()
  download?: boolean;

  @ApiPropertyOptional({ type: 'integer', description: 'Signed links: expiry, Unix seconds' })
  @IsOptional()
  @IsInt()
  @Min(0)
  expires?: number;

  @ApiPropertyOptional({ description: 'Signed links: HMAC-SHA256 signature, hex (replaces the bearer token)' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  sig?: string;

  @ApiPropertyOptional({
    pattern: '^[0-9a-f]{16}$',
    example: '9f86d081884c7d65',
    description:
      "Signed links: the first 16 hex digits of the image's checksum. With it the answer is `Cache-Control: public, max-age=…, immutable`",
  })
  @IsOptional()
  @Matches(/^[0-9a-f]{16}$/)
  v?: string;
}
