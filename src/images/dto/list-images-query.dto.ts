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

  @ApiPropertyOptional({
    pattern: '^[0-9a-fA-F]{64}$',
    example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    description: 'Only images with exactly these bytes: their SHA-256, hex, any case (check before uploading the same file again)',
  })
  @IsOptional()
  @Matches(/^[0-9a-f]{64}$/, { message: 'must be a SHA-256: 64 hexadecimal characters' })
  @IsString()
  @Transform(({ value }) => (typeof value === 'string' ? value.toLowerCase() : value))
  checksum?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "Admins only: another user's images (any case)" })
  @IsOptional()
  @IsUUID()
  @Transform(({ value }) => (typeof value === 'string' ? value.toLowerCase() : value))
  ownerId?: string;
}
