export { appConfig } from './app.config';
export { throttleConfig } from './throttle.config';
export { AppConfigModule, ENV } from './app-config.module';
export { ConfigNamespace, defineConfig } from './config-namespace';
export { ConfigValidationError, Env, parseEnv } from './env.validation';
export { loadEnv } from './load-env';
