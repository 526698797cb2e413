import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { DEFAULT_FIT, FITS, Fit, MAX_DIMENSION, OUTPUT_FORMATS, OutputFormat } from '../variants/transform-params';

/** Resize and convert parameters, shared by the content query and the signed-link body. */
export class TransformParamsDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_DIMENSION, example: 320, description: 'Target width in pixels' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_DIMENSION)
  w?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_DIMENSION, example: 240, description: 'Target height in pixels' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_DIMENSION)
  h?: number;

  @ApiPropertyOptional({
    enum: FITS,
    default: DEFAULT_FIT,
    example: 'cover',
    description: 'How the image fits w×h (as in sharp); only used with w or h',
  })
  @IsOptional()
  @IsIn(FITS)
  fit?: Fit;

  @ApiPropertyOptional({ enum: OUTPUT_FORMATS, example: 'webp', description: "Output format; default: the original's" })
  @IsOptional()
  @IsIn(OUTPUT_FORMATS)
  format?: OutputFormat;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, example: 80, description: 'Quality of jpeg, webp and avif output' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  q?: number;
}
