import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';

export class ContentQueryDto {
  @ApiPropertyOptional({ description: 'Serve as an attachment (Content-Disposition: attachment)', default: false })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value))
  @IsBoolean()
  download?: boolean;
}
