import { ApiProperty } from '@nestjs/swagger';
import type { User } from '../../users';
import { UserDto } from './user.dto';

export class UsageDto {
  @ApiProperty({ description: "The caller's stored originals", example: 12 })
  images!: number;

  @ApiProperty({ description: 'Their total size in bytes (what USER_QUOTA_BYTES counts)', example: 3145728 })
  bytes!: number;
}

/** GET /auth/me: the user, with what their images use and the quota they count against. */
export class MeDto extends UserDto {
  usage!: UsageDto;

  @ApiProperty({ type: 'integer', nullable: true, description: 'USER_QUOTA_BYTES; null when unlimited', example: 1073741824 })
  quotaBytes!: number | null;

  static of(user: User, quota: { usage: UsageDto; quotaBytes: number | null }): MeDto {
    return { ...UserDto.from(user), usage: quota.usage, quotaBytes: quota.quotaBytes };
  }
}
