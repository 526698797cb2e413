import { ApiProperty } from '@nestjs/swagger';

export class TokenPairDto {
  @ApiProperty({ example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…', description: 'JWT for the Authorization: Bearer header' })
  accessToken!: string;

  @ApiProperty({ example: 'mF0bGx5LXJhbmRvbS1vcGFxdWUtdG9rZW4', description: 'Opaque, single-use; rotate it with /auth/refresh' })
  refreshToken!: string;

  @ApiProperty({ enum: ['Bearer'], example: 'Bearer' })
  tokenType!: 'Bearer';

  @ApiProperty({ example: 900, description: "The access token's lifetime in seconds" })
  expiresIn!: number;
}
