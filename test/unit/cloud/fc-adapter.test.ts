import { createFcInvoker, DEFAULT_FC_SERVICE, type FcClientFactory } from '../../../shared/cloud/fc-adapter';
import { CrossroleError } from '../../../shared/domain/errors';

interface Call { service: string; fn: string; event: string | Buffer; headers: Record<string, string> | undefined }

function fakeFc(answer: (call: Call) => Promise<{ headers: Record<string, string>; data: unknown }>) {
  const calls: Call[] = [];
  const configs: Array<Record<string, unknown>> = [];
  const factory: FcClientFactory = (_accountId, config) => {
    configs.push({ ...config });
    return {
      invokeFunction: (service: string, fn: string, event: string | Buffer, headers?: Record<string, string>) => {
        const call = { service, fn, event, headers };
        calls.push(call);
        return answer(call);
      },
    };
  };
  return { factory, calls, configs };
}

const base = { endpoint: 'http://127.0.0.1:9494', accountId: '1511928242963727', region: 'cn-hangzhou' };

describe('FC invoker (SDK faked, no network)', () => {
  it('invokes <service>/<fn> synchronously with a JSON event and parses a JSON result', async () => {
    const fc = fakeFc(async () => ({ headers: { 'x-fc-request-id': 'r1' }, data: '{"ok":true}' }));
    const invoker = createFcInvoker({ ...base, credentials: { accessKeyId: 'AK', accessKeySecret: 'SK' }, clientFactory: fc.factory });
    await expect(invoker.invoke('crossrole-expiry', { a: 1 })).resolves.toEqual({ requestId: 'r1', result: { ok: true } });
    expect(fc.calls).toEqual([{ service: DEFAULT_FC_SERVICE, fn: 'crossrole-expiry', event: '{"a":1}', headers: {} }]);
    expect(fc.configs[0]).toMatchObject({ accessKeyID: 'AK', accessKeySecret: 'SK', region: 'cn-hangzhou', endpoint: 'http://127.0.0.1:9494' });
  });

  it('invokes asynchronously with x-fc-invocation-type: Async', async () => {
    const fc = fakeFc(async () => ({ headers: { 'x-fc-request-id': 'r2' }, data: '' }));
    const invoker = createFcInvoker({ ...base, serviceName: 'svc', credentials: { accessKeyId: 'AK', accessKeySecret: 'SK' }, clientFactory: fc.factory });
    await expect(invoker.invoke('fn', 'raw', { async: true })).resolves.toEqual({ requestId: 'r2' });
    expect(fc.calls[0]).toMatchObject({ service: 'svc', event: 'raw', headers: { 'x-fc-invocation-type': 'Async' } });
  });

  it('turns a function failure (200 + x-fc-error-type) into CLOUD_ERROR with the message', async () => {
    const fc = fakeFc(async () => ({ headers: { 'x-fc-error-type': 'UnhandledInvocationError' }, data: { errorMessage: 'boom', errorType: 'Error' } }));
    const invoker = createFcInvoker({ ...base, credentials: { accessKeyId: 'AK', accessKeySecret: 'SK' }, clientFactory: fc.factory });
    const e = await invoker.invoke('fn', {}).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CrossroleError);
    expect(e).toMatchObject({ code: 'CLOUD_ERROR', details: { fcErrorType: 'UnhandledInvocationError' } });
    expect((e as Error).message).toContain('boom');
  });

  it('translates SDK errors (FunctionNotFound -> NOT_FOUND) and does not re-send by default', async () => {
    const fc = fakeFc(async () => { throw Object.assign(new Error('POST /services/crossrole/functions/x/invocations failed with 404. requestid: r, message: m.'), { name: 'FCFunctionNotFoundError', code: 'FunctionNotFound' }); });
    const invoker = createFcInvoker({ ...base, credentials: { accessKeyId: 'AK', accessKeySecret: 'SK' }, clientFactory: fc.factory });
    await expect(invoker.invoke('x', {})).rejects.toMatchObject({ code: 'NOT_FOUND', details: { cloudCode: 'FunctionNotFound' } });
    const down = fakeFc(async () => { throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }); });
    const inv2 = createFcInvoker({ ...base, credentials: { accessKeyId: 'AK', accessKeySecret: 'SK' }, clientFactory: down.factory });
    await expect(inv2.invoke('x', {})).rejects.toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
    expect(down.calls).toHaveLength(1);
  });

  it('rebuilds the client when a credential provider rotates keys, passing the STS token', async () => {
    const fc = fakeFc(async () => ({ headers: {}, data: '' }));
    let n = 0;
    const provider = { get: async () => ({ accessKeyId: `STS.k${n}`, accessKeySecret: 's', securityToken: `t${n}` }) };
    const invoker = createFcInvoker({ ...base, credentials: provider, clientFactory: fc.factory });
    await invoker.invoke('fn', {});
    await invoker.invoke('fn', {});
    n = 1;
    await invoker.invoke('fn', {});
    expect(fc.configs.map((c) => [c['accessKeyID'], c['securityToken']])).toEqual([['STS.k0', 't0'], ['STS.k1', 't1']]);
  });

  it('refuses an endpoint without a scheme', () => {
    expect(() => createFcInvoker({ ...base, endpoint: '127.0.0.1:9494', credentials: { accessKeyId: 'AK', accessKeySecret: 'SK' } })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });
});
