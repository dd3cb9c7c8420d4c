/**
 * The local Function Compute service: load functions from s.yaml and serve them (HTTP triggers,
 * timers, MNS queue triggers, the FC 3.0 API and the older FC 2.0 invoke API) as a LocalService
 * of the local cloud.
 * `vpcs` declares the local VPCs and their internal endpoints (vpc.ts).
 *
 * Imports local/core and shared/domain's errors only: it learns FC from s.yaml and the FC docs,
 * never from the product's runtime or cloud code (eslint.config.mjs). Plugged into the server by
 * the launcher (local/stack.ts); tests create runtimes directly.
 */
import { dirname, resolve } from 'node:path';
import { loadFunctionsFromSYaml, type SYamlResolveOptions } from './s-yaml';
import { createFcRuntime, type FcRuntime, type FcRuntimeOptions } from './runtime';

export type { FcRuntime } from './runtime';

export type FcServiceOptions = Omit<FcRuntimeOptions, 'functions' | 'baseDir' | 'accountId'> & {
  /** Path of the project's s.yaml; code paths resolve against its directory. */
  sYamlPath: string;
  accountId: string;
  /** Values for `${env(...)}` in s.yaml. */
  sYamlEnv?: SYamlResolveOptions['env'];
  /** Keep only these functions (default: all fc3 resources). */
  only?: string[];
};

/** Load the functions of an s.yaml and start the local FC runtime for them. */
export function createFcService(options: FcServiceOptions): FcRuntime {
  const { sYamlPath, sYamlEnv, only, ...rest } = options;
  const path = resolve(sYamlPath);
  let functions = loadFunctionsFromSYaml(path, { env: sYamlEnv ?? {}, accountId: options.accountId });
  if (only !== undefined) functions = functions.filter((f) => only.includes(f.functionName));
  return createFcRuntime({ ...rest, functions, baseDir: dirname(path) });
}
