import { ApiProperty } from '@nestjs/swagger';
import { Image } from '../image.entity';

export class ImageDto {
  @ApiProperty({ format: 'uuid', example: '0b6f2c4e-8d1a-4f3b-9c2e-7a5d6e4f3b21' })
  id!: string;

  @ApiProperty({ example: 'holiday photo.jpg', description: "The client's original file name (last path segment, at most 255 bytes)" })
  filename!: string;

  @ApiProperty({ enum: ['image/jpeg', 'image/png', 'image/gif', 'image/webp'], example: 'image/jpeg', description: 'Detected from the bytes' })
  mimeType!: string;

  @ApiProperty({ enum: ['jpg', 'png', 'gif', 'webp'], example: 'jpg' })
  extension!: string;

  @ApiProperty({ example: 112640, description: 'Bytes' })
  size!: number;

  @ApiProperty({ example: 1920 })
  width!: number;

  @ApiProperty({ example: 1080 })
  height!: number;

  @ApiProperty({ example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', description: 'SHA-256 of the bytes, hex' })
  checksum!: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-23T22:51:49.000Z' })
  uploadedAt!: string;

  @ApiProperty({ format: 'uuid', example: '3f0e8c9a-2b7d-4c1e-9f6a-5d4b3c2a1e0f' })
  ownerId!: string;

  @ApiProperty({ example: '/images/0b6f2c4e-8d1a-4f3b-9c2e-7a5d6e4f3b21/content', description: 'Relative URL of the bytes' })
  url!: string;

  static from(image: Image): ImageDto {
    return {
      id: image.id,
      filename: image.filename,
      mimeType: image.mimeType,
      extension: image.extension,
      size: image.size,
      width: image.width,
      height: image.height,
      checksum: image.checksum,
      uploadedAt: image.uploadedAt.toISOString(),
      ownerId: image.ownerId,
      url: `/images/${image.id}/content`,
    };
  }
}
