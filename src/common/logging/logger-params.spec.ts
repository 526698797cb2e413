import { Writable } from 'node:stream';
import type { Options } from 'pino-http';
import { loggerParams } from './logger-params';

type Cfg = Parameters<typeof loggerParams>[0];
const cfg = (nodeEnv: Cfg['nodeEnv']) => ({ nodeEnv, logLevel: 'info' }) as Cfg;

function optionsOf(params: ReturnType<typeof loggerParams>): Options {
  return (Array.isArray(params.pinoHttp) ? params.pinoHttp[0] : params.pinoHttp) as Options;
}

describe('loggerParams', () => {
  const tty = process.stdout.isTTY;
  afterEach(() => {
    process.stdout.isTTY = tty;
  });

  it('writes through pino-pretty only in development on a terminal', () => {
    process.stdout.isTTY = true;
    expect(optionsOf(loggerParams(cfg('development'), null)).transport).toMatchObject({ target: 'pino-pretty' });
    expect(optionsOf(loggerParams(cfg('production'), null)).transport).toBeUndefined();
    process.stdout.isTTY = false;
    expect(optionsOf(loggerParams(cfg('development'), null)).transport).toBeUndefined();
  });

  it('writes JSON to a given destination, never through a transport', () => {
    process.stdout.isTTY = true;
    const destination = new Writable({ write: (_chunk, _encoding, done) => done() });
    const params = loggerParams(cfg('development'), destination);
    expect(Array.isArray(params.pinoHttp) && params.pinoHttp[1]).toBe(destination);
    expect(optionsOf(params).transport).toBeUndefined();
  });

  it('pino-pretty is installed as a regular dependency, so `npm start` in development finds it', () => {
    expect(() => require.resolve('pino-pretty')).not.toThrow();
  });
});
