import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { TransformParamsDto } from '../dto/transform-params.dto';

export const MAX_LINK_SECONDS = 604_800;
export const DEFAULT_LINK_SECONDS = 3600;

export class CreateLinkDto extends TransformParamsDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_LINK_SECONDS,
    default: DEFAULT_LINK_SECONDS,
    example: 3600,
    description: 'Lifetime of the link in seconds',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_LINK_SECONDS)
  expiresIn?: number;
}
