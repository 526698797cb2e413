import { defineConfig } from '../../config/config-namespace';

export const databaseConfig = defineConfig('database', (env) => env.database);
