import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Response } from 'express';
import { HealthCheck, HealthCheckResult, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../auth/decorators/public.decorator';
import { RawResponse } from '../common/decorators/raw-response.decorator';
import { HealthCheckDto, HealthIndicatorDto } from './dto/health-check.dto';
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
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({ operationId: 'getHealth', summary: 'Whether the database and the storage answer' })
  @ApiExtraModels(HealthIndicatorDto)
  @ApiOkResponse({ type: HealthCheckDto, description: 'Both answer' })
  @ApiServiceUnavailableResponse({
    description: 'One of them does not answer (the @nestjs/terminus shape monitors expect, not problem details)',
    content: {
      'application/json': {
        schema: { $ref: getSchemaPath(HealthCheckDto) },
        example: {
          status: 'error',
          info: { database: { status: 'up' } },
          error: { storage: { status: 'down', message: 'storage is not reachable' } },
          details: { database: { status: 'up' }, storage: { status: 'down', message: 'storage is not reachable' } },
        },
      },
    },
  })
  async check(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    try {
      return await this.health.check([() => this.db.pingCheck('database', { timeout: 3000 }), () => this.storage.check('storage')]);
    } catch (error) {
      // terminus reports a failed check as an exception; the report itself is the 503's body.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      res.status(503);
      return error.getResponse() as HealthCheckResult;
    }
  }
}
