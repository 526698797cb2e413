import { Controller, Get, Res, ServiceUnavailableException, applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Response } from 'express';
import { HealthCheck, HealthCheckResult, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../auth/decorators/public.decorator';
import { HealthCheckDto, HealthIndicatorDto } from './dto/health-check.dto';
import { StorageHealthIndicator } from './storage.health';

/** The liveness body: the terminus shape with no indicators, since it checks nothing but the process. */
const ALIVE: HealthCheckResult = { status: 'ok', info: {}, error: {}, details: {} };

/** Readiness documentation, shared by /health and /health/ready. */
const ApiReadiness = (operationId: string, summary: string) =>
  applyDecorators(
    HealthCheck({ swaggerDocumentation: false }),
    ApiOperation({ operationId, summary }),
    ApiExtraModels(HealthIndicatorDto),
    ApiOkResponse({ type: HealthCheckDto, description: 'Both answer' }),
    ApiServiceUnavailableResponse({
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
    }),
  );

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly storage: StorageHealthIndicator,
  ) {}

  @Get()
  @ApiReadiness('getHealth', 'Whether the database and the storage answer (the same as /health/ready)')
  check(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    return this.readiness(res);
  }

  /** Readiness: whether to send this instance traffic. Image work never counts: busy is not unhealthy. */
  @Get('ready')
  @ApiReadiness('getReadiness', 'Readiness: whether the database and the storage answer')
  ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    return this.readiness(res);
  }

  /** Liveness: whether to restart this process. Touches no dependency, so an outage never restarts it. */
  @Get('live')
  @ApiOperation({ operationId: 'getLiveness', summary: 'Liveness: 200 while the process serves, whatever its dependencies do' })
  @ApiOkResponse({ type: HealthCheckDto, description: 'The process serves requests' })
  live(): HealthCheckResult {
    return ALIVE;
  }

  private async readiness(res: Response): Promise<HealthCheckResult> {
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
