import { registerAs } from '@nestjs/config';
import { parseEnv } from './env.validation';

export const databaseConfig = registerAs('database', () => parseEnv().database);
