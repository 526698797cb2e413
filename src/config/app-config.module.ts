import { DynamicModule, Module, Provider } from '@nestjs/common';
import { ConfigNamespace } from './config-namespace';
import { Env } from './env.validation';

/** The parsed Env itself; modules inject their namespace instead. */
export const ENV = Symbol('ENV');

/** Holds the one parsed Env and derives every namespace from it. */
@Module({})
export class AppConfigModule {
  static forRoot(env: Env, namespaces: ConfigNamespace<unknown>[]): DynamicModule {
    const providers: Provider[] = [
      { provide: ENV, useValue: env },
      ...namespaces.map((namespace) => ({ provide: namespace.KEY, useFactory: namespace, inject: [ENV] })),
    ];
    return { module: AppConfigModule, global: true, providers, exports: [ENV, ...namespaces.map((n) => n.KEY)] };
  }
}
