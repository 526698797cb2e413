import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsNotEmpty, IsObject, IsOptional, IsString, ValidateBy, ValidateIf, ValidateNested } from 'class-validator';
import { sanitiseFilename } from '../upload/filename';
import { FocalPointDto, NULLABLE_FOCAL_POINT_SCHEMA } from './focal-point.dto';

export const MAX_ALT_LENGTH = 1000;

/** Counted in code points, as MariaDB's VARCHAR(1000) counts them. */
const MaxCharacters = (max: number) =>
  ValidateBy(
    { name: 'maxLength', validator: { validate: (value) => typeof value === 'string' && [...value].length <= max } },
    { message: `must be at most ${max} characters long` },
  );

/**
 * JSON merge semantics (RFC 7396): an absent field is left as it is, `null` clears `alt` and
 * `focalPoint`; a filename cannot be cleared. Decorators run bottom-up: the most basic rule last.
 */
export class UpdateImageDto {
  @ApiPropertyOptional({
    type: String,
    example: 'kite at dusk.jpg',
    description:
      "A new display name, sanitised like an upload's (last path segment, no control or formatting characters, at most 255 bytes); not nullable",
  })
  @Transform(({ value }) => (typeof value === 'string' ? sanitiseFilename(value) : value))
  @IsNotEmpty({ message: 'must not be empty (after removing path segments and invisible characters)' })
  @IsString()
  @ValidateIf((_, value) => value !== undefined)
  filename?: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: MAX_ALT_LENGTH,
    example: 'A red kite over the ridge at dusk',
    description: 'Alternative text; null clears it',
  })
  @MaxCharacters(MAX_ALT_LENGTH)
  @IsString()
  @IsOptional()
  alt?: string | null;

  @ApiPropertyOptional({ ...NULLABLE_FOCAL_POINT_SCHEMA, description: 'Where crops centre (0…1 from the top left); null clears it' })
  @ValidateNested()
  @Type(() => FocalPointDto)
  @IsObject()
  @IsOptional()
  focalPoint?: FocalPointDto | null;
}
