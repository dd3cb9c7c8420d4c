/**
 * Secrets: KMS Secrets Manager's GetSecretValue (API 2016-01-20), read once at a function's cold
 * start to get the ledger's DATABASE_URL without it ever sitting in the function's configuration.
 *
 * How it is called: the same RPC request the official `@alicloud/kms20160120` client sends
 * (action GetSecretValue, version 2016-01-20, POST, style RPC, AK auth, JSON body), here through
 * `@alicloud/openapi-core`'s generic `callApi`, which every installed @alicloud SDK is built on.
 * The dedicated SDK is not a dependency of this project; if it is added, only
 * {@link createKmsSecretReader} changes: the port {@link SecretReader} stays.
 *
 * Facts (www.alibabacloud.com/help/en/kms/key-management-service/developer-reference/api-kms-2016-01-20-getsecretvalue):
 * - request `SecretName` (a name, or the secret's ARN `acs:kms:${region}:${account}:secret/${name}`),
 *   optional `VersionStage` (default ACSCurrent); response `SecretData`, `SecretDataType` (text | binary),
 *   `VersionId`, `RequestId`;
 * - "If a user-specified key is used to protect the secret value, the caller must have the
 *   kms:Decrypt permission on the corresponding master key";
 * - error `Forbidden.ResourceNotFound` (404) for a secret that does not exist (help.aliyun.com/document_detail/447562.html).
 * - endpoints: the shared gateway `kms.<region>.aliyuncs.com` (and `kms-vpc.<region>.aliyuncs.com`
 *   inside a VPC), doc-detail/69006; secrets are reachable over the Internet and the VPC by
 *   default (kms/.../access-keys-of-a-kms-instance-over-the-internet).
 */
import OpenApi, { $OpenApiUtil } from '@alicloud/openapi-core';
// The runtime-options model every @alicloud client passes to callApi (openapi-core's own dependency).
import { RuntimeOptions } from '@darabonba/typescript';
import { CrossroleError } from '../domain/errors';
import type { Logger } from '../domain/ports';
import { createCallRunner } from './call-runner';
import { cloudCodeOf } from './errors';
import { popConfig, type PopClientOptions } from './pop-config';
import { createTokenBucketLimiter, type RateLimiter } from './rate-limiter';
import type { RetryOptions } from './retry';

/** The port: the plaintext value of a secret, current version. */
export interface SecretReader {
  getSecretValue(secretName: string): Promise<string>;
}

interface KmsAdapterOptions extends PopClientOptions {
  logger: Logger;
  limiter?: RateLimiter;
  retry?: RetryOptions;
}

interface GetSecretValueBody {
  SecretData?: unknown;
  SecretDataType?: unknown;
  VersionId?: unknown;
}

export function createKmsSecretReader(options: KmsAdapterOptions): SecretReader {
  const client = new OpenApi(popConfig(options));
  const runner = createCallRunner({
    service: 'KMS',
    // One call per cold start; a burst of cold starts stays well under any KMS quota.
    limiter: options.limiter ?? createTokenBucketLimiter({ rates: {}, defaultRate: 20, burst: 10 }),
    logger: options.logger,
    ...(options.retry ? { retry: options.retry } : {}),
  });

  return {
    async getSecretValue(secretName) {
      const params = new $OpenApiUtil.Params({
        action: 'GetSecretValue',
        version: '2016-01-20',
        protocol: 'HTTPS',
        pathname: '/',
        method: 'POST',
        authType: 'AK',
        style: 'RPC',
        reqBodyType: 'formData',
        bodyType: 'json',
      });
      const request = new $OpenApiUtil.OpenApiRequest({ query: { SecretName: secretName, VersionStage: 'ACSCurrent' } });
      let response: { body?: unknown };
      try {
        response = await runner.run('GetSecretValue', secretName, () => client.callApi(params, request, new RuntimeOptions({})));
      } catch (e) {
        throw explainFailure(e, secretName);
      }
      const body = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as GetSecretValueBody;
      if (typeof body.SecretData !== 'string') throw new CrossroleError('CLOUD_ERROR', `KMS GetSecretValue on ${secretName} answered without SecretData`, { details: { service: 'KMS', action: 'GetSecretValue' } });
      // A binary secret comes back base64-encoded.
      return body.SecretDataType === 'binary' ? Buffer.from(body.SecretData, 'base64').toString('utf8') : body.SecretData;
    },
  };
}

/**
 * A secret that is missing or unreadable is the operator's mistake (INVALID_CONFIG: a 500 for
 * callers, and a cold start that is retried on the next invocation); throttling and transport
 * failures stay DEPENDENCY_UNAVAILABLE.
 */
function explainFailure(e: unknown, secretName: string): unknown {
  const code = cloudCodeOf(e);
  if (code === undefined || !(e instanceof CrossroleError)) return e;
  if (code === 'Forbidden.ResourceNotFound') {
    return new CrossroleError('INVALID_CONFIG', `the secret ${secretName} (DATABASE_SECRET_NAME) does not exist in KMS in this region`, { cause: e, field: 'DATABASE_SECRET_NAME', details: { ...(e.details ?? {}) } });
  }
  if (e.code === 'CLOUD_ERROR' && /^(?:Forbidden|NoPermission|AccessDenied)/.test(code)) {
    return new CrossroleError('INVALID_CONFIG', `reading the secret ${secretName} (DATABASE_SECRET_NAME) was denied (${code}): the execution role needs kms:GetSecretValue on it (and kms:Decrypt on its key); run crossrole bootstrap --database-secret ${secretName}`, {
      cause: e, field: 'DATABASE_SECRET_NAME', details: { ...(e.details ?? {}) },
    });
  }
  return e;
}
