import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class RefreshTokenDto {
  @ApiProperty({ example: 'mF0bGx5LXJhbmRvbS1vcGFxdWUtdG9rZW4' })
  @IsString()
  @Length(1, 512)
  refreshToken!: string;
}
