import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PaginationQueryDto } from '../../common/dto/pagination-query.dto';
import { IMAGE_MIME_TYPES } from '../formats';

export const IMAGE_SORT_FIELDS = ['uploadedAt', 'size', 'filename'] as const;

export class ListImagesQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: IMAGE_SORT_FIELDS, default: 'uploadedAt' })
  @IsOptional()
  @IsIn(IMAGE_SORT_FIELDS)
  sort: (typeof IMAGE_SORT_FIELDS)[number] = 'uploadedAt';

  @ApiPropertyOptional({ enum: IMAGE_MIME_TYPES, description: 'Only images of this type' })
  @IsOptional()
  @IsIn(IMAGE_MIME_TYPES)
  mimeType?: string;

  @ApiPropertyOptional({ description: 'Only images whose filename contains this (case-insensitive)', maxLength: 255 })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  // A NUL or other control character would make SQLite's LIKE stop early (a prefix match).
  @Matches(/^\P{Cc}*$/u, { message: '$property must not contain control characters' })
  q?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "Admins only: another user's images (any case)" })
  @IsOptional()
  @IsUUID()
  @Transform(({ value }) => (typeof value === 'string' ? value.toLowerCase() : value))
  ownerId?: string;
}
