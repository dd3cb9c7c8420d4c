import { Readable } from 'node:stream';
import type { $OpenApiUtil } from '@alicloud/openapi-core';
import * as $Fc3 from '@alicloud/fc20230330';
import { createFcClient, type FcClientFactory, type FcSdkClient } from '../../../shared/cloud/fc-adapter';
import { CrossroleError } from '../../../shared/domain/errors';

interface InvokeCall { fn: string; event: string; qualifier?: string; headers: Record<string, unknown>; readTimeout?: number }
type Answer = { headers: Record<string, string>; body: string };

async function drain(r: Readable | undefined): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of r ?? []) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

const apiError = (code: string, statusCode: number): Error => Object.assign(new Error(`code: ${statusCode}, m request id: r`), { name: 'ClientError', code, statusCode, data: { Code: code } });

/** A fake @alicloud/fc20230330 client: records calls, answers from the given functions. */
function fakeFc(answer: (call: InvokeCall) => Promise<Answer>, more: Partial<FcSdkClient> = {}) {
  const calls: InvokeCall[] = [];
  const configs: $OpenApiUtil.Config[] = [];
  const factory: FcClientFactory = (config) => {
    configs.push(config);
    const sdk: Partial<FcSdkClient> = {
      invokeFunctionWithOptions: async (fn, request, headers, runtime) => {
        const call: InvokeCall = { fn, event: await drain(request.body), headers: headers.toMap(), ...(request.qualifier ? { qualifier: request.qualifier } : {}), ...(runtime.readTimeout ? { readTimeout: runtime.readTimeout } : {}) };
        calls.push(call);
        const a = await answer(call);
        return new $Fc3.InvokeFunctionResponse({ statusCode: a.headers['x-fc-invocation-type'] === 'Async' ? 202 : 200, headers: a.headers, body: Readable.from([Buffer.from(a.body)]) });
      },
      ...more,
    };
    return sdk as FcSdkClient;
  };
  return { factory, calls, configs };
}

const base = { endpoint: 'http://127.0.0.1:9494', credentials: { accessKeyId: 'AK', accessKeySecret: 'SK' } };

describe('FC 3.0 client (SDK faked, no network)', () => {
  it('invokes <fn> synchronously with a JSON event and parses a JSON result', async () => {
    const fc = fakeFc(async () => ({ headers: { 'x-fc-request-id': '1-abc' }, body: '{"ok":true}' }));
    const client = createFcClient({ ...base, clientFactory: fc.factory });
    await expect(client.invoke('crossrole-expiry', { a: 1 })).resolves.toEqual({ requestId: '1-abc', result: { ok: true } });
    expect(fc.calls).toEqual([{ fn: 'crossrole-expiry', event: '{"a":1}', headers: { 'x-fc-invocation-type': 'Sync' }, readTimeout: 180_000 }]);
    expect(fc.configs[0]).toMatchObject({ accessKeyId: 'AK', accessKeySecret: 'SK', endpoint: '127.0.0.1:9494', protocol: 'http' });
  });

  it('addresses the FC 3.0 endpoint as host + protocol, building the SDK client on first use', async () => {
    const fc = fakeFc(async () => ({ headers: {}, body: '' }));
    const client = createFcClient({ ...base, endpoint: 'https://1511928242963727.cn-hangzhou.fc.aliyuncs.com', clientFactory: fc.factory });
    expect(fc.configs).toHaveLength(0);
    await client.invoke('fn', {});
    await client.invoke('fn', {});
    expect(fc.configs).toHaveLength(1);
    expect(fc.configs[0]).toMatchObject({ endpoint: '1511928242963727.cn-hangzhou.fc.aliyuncs.com', protocol: 'https' });
  });

  it('invokes asynchronously with x-fc-invocation-type: Async, and passes a qualifier', async () => {
    const fc = fakeFc(async () => ({ headers: { 'x-fc-request-id': '1-def' }, body: '' }));
    const client = createFcClient({ ...base, clientFactory: fc.factory });
    await expect(client.invoke('fn', 'raw', { async: true, qualifier: 'LATEST' })).resolves.toEqual({ requestId: '1-def' });
    expect(fc.calls[0]).toMatchObject({ event: 'raw', qualifier: 'LATEST', headers: { 'x-fc-invocation-type': 'Async' } });
  });

  it('turns a function failure (200 + x-fc-error-type) into CLOUD_ERROR with the message', async () => {
    const fc = fakeFc(async () => ({ headers: { 'x-fc-error-type': 'UnhandledInvocationError' }, body: '{"errorMessage":"boom","errorType":"Error"}' }));
    const e = await createFcClient({ ...base, clientFactory: fc.factory }).invoke('fn', {}).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CrossroleError);
    expect(e).toMatchObject({ code: 'CLOUD_ERROR', details: { fcErrorType: 'UnhandledInvocationError' } });
    expect((e as Error).message).toContain('boom');
  });

  it('translates API errors (FunctionNotFound -> NOT_FOUND) and never re-sends an invocation', async () => {
    const fc = fakeFc(async () => { throw apiError('FunctionNotFound', 404); });
    await expect(createFcClient({ ...base, clientFactory: fc.factory }).invoke('x', {})).rejects.toMatchObject({ code: 'NOT_FOUND', details: { cloudCode: 'FunctionNotFound', cloudStatus: 404 } });
    const down = fakeFc(async () => { throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }); });
    await expect(createFcClient({ ...base, clientFactory: down.factory }).invoke('x', {})).rejects.toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
    expect(down.calls).toHaveLength(1);
  });

  it('reads a function, and answers undefined for one that does not exist', async () => {
    const fc = fakeFc(async () => ({ headers: {}, body: '' }), {
      getFunction: async (name) => {
        if (name !== 'crossrole-expiry') throw apiError('FunctionNotFound', 404);
        return new $Fc3.GetFunctionResponse({ body: new $Fc3.Function({ functionName: name, runtime: 'nodejs20', timeout: 120, state: 'Active', environmentVariables: { B: 'secret', A: 'x' } }) });
      },
    });
    const client = createFcClient({ ...base, clientFactory: fc.factory });
    await expect(client.getFunction('crossrole-expiry')).resolves.toEqual({ name: 'crossrole-expiry', runtime: 'nodejs20', timeoutSeconds: 120, state: 'Active', environmentVariableNames: ['A', 'B'] });
    await expect(client.getFunction('nope')).resolves.toBeUndefined();
  });

  it('pages through ListTriggers and parses each triggerConfig', async () => {
    const tokens: Array<string | undefined> = [];
    const trigger = (name: string, queue: string) => new $Fc3.Trigger({ triggerName: name, triggerType: 'eventbridge', triggerConfig: JSON.stringify({ eventSourceConfig: { eventSourceParameters: { sourceMNSParameters: { QueueName: queue } } } }) });
    const fc = fakeFc(async () => ({ headers: {}, body: '' }), {
      listTriggers: async (_fn, request) => {
        tokens.push(request.nextToken);
        return new $Fc3.ListTriggersResponse({ body: new $Fc3.ListTriggersOutput(request.nextToken === undefined ? { triggers: [trigger('a', 'q1')], nextToken: 'T2' } : { triggers: [trigger('b', 'q2')] }) });
      },
    });
    const all = await createFcClient({ ...base, clientFactory: fc.factory }).listTriggers('fn');
    expect(tokens).toEqual([undefined, 'T2']);
    expect(all.map((t) => [t.name, (t.config['eventSourceConfig'] as { eventSourceParameters: { sourceMNSParameters: { QueueName: string } } }).eventSourceParameters.sourceMNSParameters.QueueName])).toEqual([['a', 'q1'], ['b', 'q2']]);
  });

  it('gets an HTTP trigger with its URLs, and undefined for TriggerNotFound', async () => {
    const fc = fakeFc(async () => ({ headers: {}, body: '' }), {
      getTrigger: async (_fn, name) => {
        if (name !== 'http') throw apiError('TriggerNotFound', 404);
        return new $Fc3.GetTriggerResponse({ body: new $Fc3.Trigger({ triggerName: 'http', triggerType: 'http', qualifier: 'LATEST', triggerConfig: '{"authType":"anonymous"}', httpTrigger: new $Fc3.HTTPTrigger({ urlInternet: 'https://x.fcapp.run', urlIntranet: 'https://x-vpc.fcapp.run' }) }) });
      },
    });
    const client = createFcClient({ ...base, clientFactory: fc.factory });
    await expect(client.getTrigger('fn', 'http')).resolves.toEqual({ name: 'http', type: 'http', qualifier: 'LATEST', config: { authType: 'anonymous' }, urlInternet: 'https://x.fcapp.run', urlIntranet: 'https://x-vpc.fcapp.run' });
    await expect(client.getTrigger('fn', 'nope')).resolves.toBeUndefined();
  });

  it('refuses an endpoint without a scheme', () => {
    expect(() => createFcClient({ ...base, endpoint: '127.0.0.1:9494' })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });
});
