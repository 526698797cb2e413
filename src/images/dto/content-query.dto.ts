import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';
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
}
