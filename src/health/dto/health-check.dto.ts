import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';

export class HealthIndicatorDto {
  @ApiProperty({ enum: ['up', 'down'], example: 'up' })
  status!: 'up' | 'down';

  @ApiPropertyOptional({ example: 'storage is not reachable' })
  message?: string;
}

const indicators = (description: string, example: object) => ({
  description,
  type: 'object' as const,
  additionalProperties: { $ref: getSchemaPath(HealthIndicatorDto) },
  example,
});

/** The @nestjs/terminus body, documented with this app's own indicators (database, storage). */
export class HealthCheckDto {
  @ApiProperty({ enum: ['ok', 'error', 'shutting_down'], example: 'ok' })
  status!: 'ok' | 'error' | 'shutting_down';

  @ApiPropertyOptional({
    ...indicators('Indicators that are up', { database: { status: 'up' }, storage: { status: 'up' } }),
    nullable: true,
  })
  info?: Record<string, HealthIndicatorDto> | null;

  @ApiPropertyOptional({ ...indicators('Indicators that are down', {}), nullable: true })
  error?: Record<string, HealthIndicatorDto> | null;

  @ApiProperty(indicators('Every indicator', { database: { status: 'up' }, storage: { status: 'up' } }))
  details!: Record<string, HealthIndicatorDto>;
}
