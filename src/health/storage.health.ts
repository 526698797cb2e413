import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { StorageDriver } from '../storage/storage-driver';

@Injectable()
export class StorageHealthIndicator {
  constructor(
    private readonly storage: StorageDriver,
    private readonly indicator: HealthIndicatorService,
  ) {}

  async check(key: string): Promise<HealthIndicatorResult> {
    const session = this.indicator.check(key);
    try {
      await this.storage.check();
      return session.up();
    } catch {
      return session.down({ message: 'storage is not reachable' });
    }
  }
}
