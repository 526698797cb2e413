import { Test } from '@nestjs/testing';
import { authConfig } from '../auth/config/auth.config';
import { linksConfig } from '../images/config/links.config';
import { AppConfigModule, ENV } from './app-config.module';
import { parseEnv } from './env.validation';

describe('AppConfigModule', () => {
  it('derives every namespace from the one Env it is given, development secrets included', async () => {
    const env = parseEnv({ LOGIN_MAX_ATTEMPTS: '7' });
    const moduleRef = await Test.createTestingModule({ imports: [AppConfigModule.forRoot(env, [authConfig, linksConfig])] }).compile();
    expect(moduleRef.get(ENV)).toBe(env);
    expect(moduleRef.get(authConfig.KEY)).toMatchObject({ jwtSecret: env.jwtSecretKey, loginMaxAttempts: 7 });
    expect(moduleRef.get(linksConfig.KEY)).toEqual({ secretKey: env.secretKey });
  });

  it('reads nothing from process.env', async () => {
    process.env.LOGIN_MAX_ATTEMPTS = '9';
    try {
      const moduleRef = await Test.createTestingModule({ imports: [AppConfigModule.forRoot(parseEnv({}), [authConfig])] }).compile();
      expect(moduleRef.get(authConfig.KEY)).toMatchObject({ loginMaxAttempts: 5 });
    } finally {
      delete process.env.LOGIN_MAX_ATTEMPTS;
    }
  });
});
