import { ApiProperty } from '@nestjs/swagger';
import { IsNumber, Max, Min } from 'class-validator';

/**
 * The same, inline, for `focalPoint: … | null`: OpenAPI 3.0 ignores `nullable` beside a `$ref`,
 * so a nullable reference would tell validators and generated clients that null is not allowed.
 */
export const NULLABLE_FOCAL_POINT_SCHEMA = {
  type: 'object' as const,
  nullable: true,
  required: ['x', 'y'],
  properties: {
    x: { type: 'number' as const, minimum: 0, maximum: 1, example: 0.62, description: 'From the left edge (0) to the right edge (1)' },
    y: { type: 'number' as const, minimum: 0, maximum: 1, example: 0.35, description: 'From the top edge (0) to the bottom edge (1)' },
  },
};

/** Where crops centre, as fractions of the displayed image from its top left corner. */
export class FocalPointDto {
  @ApiProperty({ minimum: 0, maximum: 1, example: 0.62, description: 'From the left edge (0) to the right edge (1)' })
  @Min(0)
  @Max(1)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  x!: number;

  @ApiProperty({ minimum: 0, maximum: 1, example: 0.35, description: 'From the top edge (0) to the bottom edge (1)' })
  @Min(0)
  @Max(1)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  y!: number;
}
