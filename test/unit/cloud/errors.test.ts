import { ClientError, ServerError, ThrottlingError } from '@alicloud/openapi-core';
import { CrossroleError } from '../../../shared/domain/errors';
import { cloudCodeOf, describeCloudFailure, isRetryableFailure, translateCloudError } from '../../../shared/cloud/errors';
import { HTTP_STATUS } from '../../../shared/runtime/http/response';

const ctx = { service: 'RAM' as const, action: 'CreateRole', resource: 'crossrole-abc' };

const pop = (code: string, statusCode: number): ClientError =>
  new ClientError({ code, statusCode, message: `${code}: code: ${statusCode}, boom request id: R1`, requestId: 'R1', data: { Code: code, RequestId: 'R1', statusCode } });

/** @alicloud/mns: a plain Error whose only signal is its name and message. */
const mns = (code: string, status: number): Error => {
  const e = new Error(`GET http://127.0.0.1:9494/queues/q/messages failed with ${status}. requestid: X, hostid: h, message: m`);
  e.name = `MNS${code}Error`;
  return e;
};

describe('cloud error translation table', () => {
  it.each([
    ['EntityAlreadyExists.Role', 409, 'ALREADY_EXISTS'],
    ['EntityAlreadyExists.Policy', 409, 'ALREADY_EXISTS'],
    ['EntityNotExist.Role', 404, 'NOT_FOUND'],
    ['EntityNotExist.Role.Policy', 404, 'NOT_FOUND'],
    ['DeleteConflict.Role.Policy', 409, 'DELETE_CONFLICT'],
    ['DeleteConflict.Policy.Version', 409, 'DELETE_CONFLICT'],
    ['DeleteConflict.Policy.Role', 409, 'DELETE_CONFLICT'],
    ['LimitExceeded.Role', 409, 'LIMIT_EXCEEDED'],
    ['NoPermission', 403, 'CLOUD_ERROR'],
    ['Forbidden.RAM', 403, 'CLOUD_ERROR'],
    ['MalformedPolicyDocument', 400, 'INVALID_POLICY'],
    ['InvalidParameter.RoleName.InvalidChars', 400, 'VALIDATION'],
    ['InvalidAccessKeyId.NotFound', 404, 'CLOUD_ERROR'],
    ['MissingSecurityToken', 400, 'CLOUD_ERROR'],
    ['InternalError', 500, 'DEPENDENCY_UNAVAILABLE'],
    ['SomethingNew', 400, 'CLOUD_ERROR'],
  ])('%s (%d) -> %s, keeping the cloud code', (code, status, expected) => {
    const err = translateCloudError(status >= 500 ? new ServerError({ code, statusCode: status, message: code }) : pop(code, status), ctx);
    expect(err).toBeInstanceOf(CrossroleError);
    expect(err.code).toBe(expected);
    expect(err.details?.['cloudCode']).toBe(code);
    expect(err.details?.['action']).toBe('CreateRole');
    expect(HTTP_STATUS[err.code]).toBeDefined();
  });

  it('names the quota of LimitExceeded', () => {
    const err = translateCloudError(pop('LimitExceeded.Role.Policy', 409), ctx);
    expect(err.details?.['quota']).toBe('Role.Policy');
    expect(err.message).toContain('Role.Policy');
  });

  it('names the denied action for NoPermission and does not retry it', () => {
    const e = pop('NoPermission', 403);
    expect(isRetryableFailure(describeCloudFailure(e))).toBe(false);
    expect(translateCloudError(e, ctx).message).toMatch(/RAM CreateRole on crossrole-abc was denied \(NoPermission\)/);
  });

  it('DELETE_CONFLICT is an HTTP 409', () => {
    expect(HTTP_STATUS.DELETE_CONFLICT).toBe(409);
  });

  it.each([
    ['ThrottlingError', new ThrottlingError({ code: 'Throttling.User', statusCode: 400, message: 'x', retryAfter: 1500 })],
    ['Throttling.Api as ClientError', pop('Throttling.Api', 400)],
    ['ServerError 503', new ServerError({ code: 'ServiceUnavailable', statusCode: 503, message: 'x' })],
    ['ECONNREFUSED', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })],
    ['ECONNRESET', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['RequestTimeoutError', Object.assign(new Error('ConnectTimeout: Connect failed.'), { name: 'RequestTimeoutError' })],
    ['HTML from a proxy', new SyntaxError('Unexpected token \'<\'')],
    ['MNS 500', mns('InternalError', 500)],
  ])('%s is retryable and becomes DEPENDENCY_UNAVAILABLE when retries run out', (_name, e) => {
    expect(isRetryableFailure(describeCloudFailure(e))).toBe(true);
    const err = translateCloudError(e, ctx, 4);
    expect(err.code).toBe('DEPENDENCY_UNAVAILABLE');
    expect(err.details?.['attempts']).toBe(4);
  });

  it.each([
    ['EntityNotExist.Role', pop('EntityNotExist.Role', 404)],
    ['DeleteConflict.Role.Policy', pop('DeleteConflict.Role.Policy', 409)],
    ['MNS MessageNotExist', mns('MessageNotExist', 404)],
  ])('%s is not retryable', (_name, e) => {
    expect(isRetryableFailure(describeCloudFailure(e))).toBe(false);
  });

  it('reads the retry-after hint of throttling errors', () => {
    expect(describeCloudFailure(new ThrottlingError({ code: 'Throttling.User', statusCode: 400, message: 'x', retryAfter: 1500 })).retryAfterMs).toBe(1500);
  });

  it('reads MNS codes from the error name and the status from the message', () => {
    const f = describeCloudFailure(mns('QueueNotExist', 404));
    expect(f).toMatchObject({ code: 'QueueNotExist', statusCode: 404, transport: false });
    const err = translateCloudError(mns('QueueNotExist', 404), { service: 'MNS', action: 'SendMessage', resource: 'crossrole-provision' });
    expect(err.code).toBe('DEPENDENCY_UNAVAILABLE');
    expect(err.message).toMatch(/queue does not exist/);
  });

  it('reads FC codes from err.code', () => {
    const e = Object.assign(new Error('POST /services/crossrole/functions/x/invocations failed with 404. requestid: r, message: m.'), { name: 'FCFunctionNotFoundError', code: 'FunctionNotFound' });
    const err = translateCloudError(e, { service: 'FC', action: 'InvokeFunction' });
    expect(err.code).toBe('NOT_FOUND');
    expect(err.details).toMatchObject({ cloudCode: 'FunctionNotFound', cloudStatus: 404 });
  });

  it('passes CrossroleErrors through and exposes their cloud code', () => {
    const original = translateCloudError(pop('EntityNotExist.Role', 404), ctx);
    expect(translateCloudError(original, ctx)).toBe(original);
    expect(cloudCodeOf(original)).toBe('EntityNotExist.Role');
    expect(cloudCodeOf(pop('EntityAlreadyExists.Role.Policy', 409))).toBe('EntityAlreadyExists.Role.Policy');
  });
});
