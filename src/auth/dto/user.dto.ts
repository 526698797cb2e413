import { ApiProperty } from '@nestjs/swagger';
import type { User } from '../../users';

export class UserDto {
  @ApiProperty({ format: 'uuid', example: '3f0e8c9a-2b7d-4c1e-9f6a-5d4b3c2a1e0f' })
  id!: string;

  @ApiProperty({ format: 'idn-email', example: 'ada@example.com' })
  email!: string;

  @ApiProperty({ enum: ['user', 'admin'], example: 'user' })
  role!: 'user' | 'admin';

  @ApiProperty({ format: 'date-time', example: '2026-11-23T22:51:49.000Z' })
  createdAt!: string;

  static from(user: User): UserDto {
    return { id: user.id, email: user.email, role: user.role, createdAt: user.createdAt.toISOString() };
  }
}
