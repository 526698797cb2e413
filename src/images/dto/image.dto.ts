import { ApiProperty } from '@nestjs/swagger';
import { FocalPointDto, NULLABLE_FOCAL_POINT_SCHEMA } from './focal-point.dto';
import { IMAGE_EXTENSIONS, IMAGE_MIME_TYPES } from '../formats';
import { Image } from '../image.entity';

export class ImageDto {
  @ApiProperty({ format: 'uuid', example: '0b6f2c4e-8d1a-4f3b-9c2e-7a5d6e4f3b21' })
  id!: string;

  @ApiProperty({ example: 'holiday photo.jpg', description: "The client's original file name (last path segment, at most 255 bytes)" })
  filename!: string;

  @ApiProperty({ enum: IMAGE_MIME_TYPES, example: 'image/jpeg', description: 'Detected from the bytes' })
  mimeType!: string;

  @ApiProperty({ enum: IMAGE_EXTENSIONS, example: 'jpg' })
  extension!: string;

  @ApiProperty({ example: 112640, description: 'Bytes' })
  size!: number;

  @ApiProperty({
    example: 1920,
    description: 'As displayed: EXIF orientation applied (a portrait photo stored sideways is taller than wide)',
  })
  width!: number;

  @ApiProperty({ example: 1080, description: 'As displayed: EXIF orientation applied' })
  height!: number;

  @ApiProperty({ example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', description: 'SHA-256 of the bytes, hex' })
  checksum!: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-23T22:51:49.000Z' })
  uploadedAt!: string;

  @ApiProperty({ format: 'uuid', example: '3f0e8c9a-2b7d-4c1e-9f6a-5d4b3c2a1e0f' })
  ownerId!: string;

  @ApiProperty({ example: '/images/0b6f2c4e-8d1a-4f3b-9c2e-7a5d6e4f3b21/content', description: 'Relative URL of the bytes' })
  url!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    maxLength: 1000,
    example: 'A red kite over the ridge at dusk',
    description: "The owner's alternative text; null when unset",
  })
  alt!: string | null;

  @ApiProperty({
    ...NULLABLE_FOCAL_POINT_SCHEMA,
    selfRequired: true,
    description: 'Where crops centre (0…1 from the top left); null when unset',
  })
  focalPoint!: FocalPointDto | null;

  @ApiProperty({
    type: String,
    nullable: true,
    format: 'byte',
    example: '1QcSHQRnh493V4dIh4eXh1h4kJUI',
    description:
      'Base64 ThumbHash of the image as displayed (a placeholder to paint before it loads); null until computed for images uploaded before it existed',
  })
  thumbhash!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    pattern: '^#[0-9a-f]{6}$',
    example: '#5a7d9a',
    description: 'The most common colour, `#rrggbb`; null until computed',
  })
  dominantColor!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    format: 'date-time',
    example: '2003-11-23T18:07:37.000Z',
    description:
      "EXIF DateTimeOriginal (else DateTimeDigitized); the camera's clock read as UTC unless EXIF gives its offset; null when absent",
  })
  takenAt!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'NIKON CORPORATION NIKON D2H',
    description: 'EXIF make and model; null when absent',
  })
  camera!: string | null;

  @ApiProperty({
    type: Boolean,
    nullable: true,
    example: false,
    description: 'An animated GIF/WebP (more than one frame); null until computed',
  })
  animated!: boolean | null;

  @ApiProperty({ type: Number, nullable: true, minimum: 1, example: 1, description: 'Frames (1 for a still image); null until computed' })
  frames!: number | null;

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
      alt: image.alt ?? null,
      focalPoint: image.focalX == null || image.focalY == null ? null : { x: image.focalX, y: image.focalY },
      thumbhash: image.thumbhash ?? null,
      dominantColor: image.dominantColor ?? null,
      takenAt: image.takenAt ? image.takenAt.toISOString() : null,
      camera: image.camera ?? null,
      animated: image.frames == null ? null : image.frames > 1,
      frames: image.frames ?? null,
    };
  }
}
