import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../auth/decorators/public.decorator';
import { RawResponse } from '../common/decorators/raw-response.decorator';
import { StorageHealthIndicator } from './storage.health';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly storage: StorageHealthIndicator,
  ) {}

  @Public()
  @RawResponse()
  @Get()
  @HealthCheck({ swaggerDocumentation: true })
  @ApiOperation({ operationId: 'getHealth', summary: 'Whether the database and the storage answer' })
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.db.pingCheck('database', { timeout: 3000 }), () => this.storage.check('storage')]);
  }
}
