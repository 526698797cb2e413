import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { databaseConfig } from './config/database.config';
import { SQLITE_DURABILITY, buildDataSourceOptions } from './data-source-options';
import { runMigrationsLocked } from './run-migrations';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [databaseConfig.KEY],
      useFactory: (target: ConfigType<typeof databaseConfig>) => ({
        ...buildDataSourceOptions(target),
        autoLoadEntities: true,
        retryAttempts: 3,
        retryDelay: 1000,
      }),
      dataSourceFactory: async (options) => {
        const dataSource = await new DataSource(options!).initialize();
        // TypeORM's sqlite driver keeps one connection for the process, so this holds for every query.
        if (dataSource.options.type === 'sqlite') await dataSource.query(SQLITE_DURABILITY);
        await runMigrationsLocked(dataSource);
        return dataSource;
      },
    }),
  ],
})
export class DatabaseModule {}
