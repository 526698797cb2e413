import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { parseEnv } from '../config/env.validation';
import { buildDataSourceOptions } from './data-source-options';

/** For the TypeORM CLI (`npm run migration:*`): the same options the app derives its own from. */
export default new DataSource(buildDataSourceOptions(parseEnv(process.env).database));
