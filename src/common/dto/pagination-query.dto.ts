import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';

export class PaginationQueryDto {
  /** Page number, from 1. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page: number = 1;

  /** Items per page, 1 to 100. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 20;

  /** Sort direction. */
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order: 'asc' | 'desc' = 'desc';
}
