/**
 * openapi-core Config for the POP (RPC) clients, RAM and STS (@alicloud/openapi-core src/client.ts): the endpoint is
 * `host[:port]` WITHOUT a scheme plus a separate protocol; a scheme in the endpoint makes the SDK
 * resolve the host "http". Static keys go in directly (signed header `x-acs-credentials-provider:
 * static_ak|static_sts`); a provider is bridged to @alicloud/credentials.
 */
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { ValidationError } from '../domain/errors';
import { isCredentialProvider, toSdkCredential, type CredentialsInput } from './credentials';

export interface PopClientOptions {
  /** `host[:port]`, e.g. `ram.aliyuncs.com` or `127.0.0.1:9494`. */
  endpoint: string;
  protocol: 'http' | 'https';
  credentials: CredentialsInput;
  /**
   * Socket timeouts. openapi-core's default is an effective 3 s, and only setting both raises it
   * (@alicloud/openapi-core src/client.ts).
   */
  readTimeoutMs?: number;
  connectTimeoutMs?: number;
}

export function assertPopEndpoint(endpoint: string, field = 'endpoint'): void {
  if (!/^[A-Za-z0-9.-]+(?::\d{1,5})?$/.test(endpoint) && !/^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/.test(endpoint)) {
    throw new ValidationError('INVALID_CONFIG', field, `must be host[:port] without a scheme or path (got ${JSON.stringify(endpoint)})`);
  }
}

export function popConfig(options: PopClientOptions): $OpenApiUtil.Config {
  assertPopEndpoint(options.endpoint);
  const timeouts = {
    readTimeout: options.readTimeoutMs ?? 10_000,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
  };
  const c = options.credentials;
  if (isCredentialProvider(c)) {
    return new $OpenApiUtil.Config({ endpoint: options.endpoint, protocol: options.protocol, credential: toSdkCredential(c), ...timeouts });
  }
  return new $OpenApiUtil.Config({
    endpoint: options.endpoint,
    protocol: options.protocol,
    accessKeyId: c.accessKeyId,
    accessKeySecret: c.accessKeySecret,
    ...(c.securityToken ? { securityToken: c.securityToken } : {}),
    ...timeouts,
  });
}
