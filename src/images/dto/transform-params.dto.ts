import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { PRESET_NAME, PRESETS_EXAMPLE } from '../delivery/presets';
import { DEFAULT_FIT, FITS, Fit, MAX_DIMENSION, OUTPUT_FORMATS, OutputFormat, POSITIONS, Position } from '../variants/transform-params';

const REQUESTED_FORMATS = [...OUTPUT_FORMATS, 'auto'] as const;

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

  @ApiPropertyOptional({
    enum: REQUESTED_FORMATS,
    example: 'auto',
    description:
      "Output format; default: the original's. `auto`: AVIF if `Accept` lists image/avif, else WebP if it lists image/webp, " +
      "else the original's (an animated-capable original, GIF or WebP, never becomes AVIF); answered with `Vary: Accept`",
  })
  @IsOptional()
  @IsIn(REQUESTED_FORMATS)
  format?: OutputFormat | 'auto';

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, example: 80, description: 'Quality of jpeg, webp and avif output' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  q?: number;

  @ApiPropertyOptional({
    enum: POSITIONS,
    example: 'attention',
    description:
      "Where `fit=cover` crops: `center`, or sharp's `attention`/`entropy` strategies; default: the image's focalPoint, else the centre. " +
      'Accepted with `fit=contain` (which crops nothing, so it changes nothing); any other fit is a 400. ' +
      'Animated output is cropped at the centre (the strategies read one frame).',
  })
  @IsOptional()
  @IsIn(POSITIONS)
  position?: Position;

  @ApiPropertyOptional({
    type: 'string',
    pattern: PRESET_NAME.source,
    example: 'thumb',
    description:
      `A named transform from TRANSFORM_PRESETS (e.g. \`${PRESETS_EXAMPLE}\`); an unknown name is a 400. ` +
      "Parameters given beside it override the preset's; with TRANSFORM_PRESETS_ONLY=true only `preset` is accepted.",
  })
  @IsOptional()
  @Matches(PRESET_NAME)
  preset?: string;
}
