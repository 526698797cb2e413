import { Env } from './env.validation';

/** A module's typed view of the one parsed Env; inject with `@Inject(ns.KEY) cfg: ConfigType<typeof ns>`. */
export type ConfigNamespace<T> = ((env: Env) => T) & { readonly KEY: string };

/** Declares a namespace: a pure function of the parsed Env, provided under `CONFIGURATION(<name>)`. */
export function defineConfig<T>(name: string, derive: (env: Env) => T): ConfigNamespace<T> {
  return Object.assign((env: Env) => derive(env), { KEY: `CONFIGURATION(${name})` });
}
