import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldErrorDto {
  @ApiProperty({ example: 'email' })
  field!: string;

  @ApiProperty({ example: 'must be an email' })
  message!: string;
}

/** RFC 9457 problem details, the body of every error response. */
export class ProblemDetailsDto {
  @ApiProperty({ example: 'about:blank' })
  type!: string;

  @ApiProperty({ example: 'Unsupported Media Type' })
  title!: string;

  @ApiProperty({ example: 415 })
  status!: number;

  @ApiProperty({ example: "'.exe' files are not accepted; allowed: jpg, jpeg, png, gif, webp" })
  detail!: string;

  @ApiProperty({ example: '/images' })
  instance!: string;

  @ApiProperty({ example: 'UNSUPPORTED_FILE_TYPE', description: 'Stable machine-readable error code' })
  code!: string;

  @ApiProperty({ example: '6f1c2b1e-3d4a-4b8e-9a51-0c2d7e9f1a23' })
  requestId!: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Present for field validation failures' })
  errors?: FieldErrorDto[];
}
