/**
 * Raw-HTTP wire tests for the local MNS service: status codes, headers and XML bodies pinned
 * byte for byte. Requests are signed with the same MNS signing helper the service verifies with
 * (core/signing/mns.ts); the recorded SDK vectors (signature-test-vectors.json) and the real
 * @alicloud/mns client in mns.test.ts are the independent witnesses of that helper.
 */
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import type { LocalRequest } from '../../local/core/contract';
import { contentMd5OfHex } from '../../local/core/signing/common';
import { mnsAuthorization, mnsSignature, mnsStringToSign, parseMnsAuthorization } from '../../local/core/signing/mns';
import { authenticate } from '../../local/mns/auth';
import { ACCOUNT, FakeIdentity, KEYS, startHarness, type Harness, type TestKey } from './mns-harness';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

interface RawRequest {
  method: string;
  target: string;
  /** What is signed as CanonicalizedResource; defaults to `target`. */
  signedResource?: string;
  body?: string;
  key?: TestKey;
  date?: Date;
  headers?: Record<string, string>;
  omit?: string[];
  contentMd5?: string;
}

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.close();
});

function send(r: RawRequest): Promise<RawResponse> {
  const body = r.body ?? '';
  const key: TestKey = r.key ?? KEYS.root;
  const date = (r.date ?? new Date()).toUTCString();
  const headers: Record<string, string> = { date, 'x-mns-date': date, 'x-mns-version': '2015-06-06', host: `127.0.0.1:${h.port}`, ...r.headers };
  if (r.method !== 'GET') {
    headers['content-type'] = 'text/xml';
    headers['content-md5'] = r.contentMd5 ?? contentMd5OfHex(body);
  }
  for (const o of r.omit ?? []) delete headers[o];
  headers.authorization = mnsAuthorization(key.accessKeyId, key.accessKeySecret, { method: r.method, resource: r.signedResource ?? r.target, headers });
  if (key.securityToken !== undefined) headers['security-token'] = key.securityToken;
  if (r.omit?.includes('authorization')) delete headers.authorization;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: h.port, method: r.method, path: r.target, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const errorXml = (code: string, message: string): RegExp =>
  new RegExp(
    `^<\\?xml version="1.0" encoding="UTF-8"\\?><Error xmlns="http://mns.aliyuncs.com/doc/v1/"><Code>${code.replace('.', '\\.')}</Code><Message>${message.replace(/[.()]/g, '\\$&')}</Message><RequestId>[0-9A-F]{24}</RequestId><HostId>[^<]+</HostId></Error>$`,
  );

const xml = (root: string, inner: string): string => `<?xml version="1.0" encoding="UTF-8"?><${root} xmlns="http://mns.aliyuncs.com/doc/v1/">${inner}</${root}>`;

describe('signature vectors recorded from @alicloud/mns', () => {
  interface Vector {
    name: string;
    accessKeySecret: string;
    request: { method: string; requestTarget: string; headers: Record<string, string>; body: string };
    stringToSign: string;
    expectedSignature: string;
  }
  const vectors = (JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'signature-test-vectors.json'), 'utf8')) as Vector[]).filter((v) => v.name.startsWith('MNS'));

  it('has the three MNS vectors', () => {
    expect(vectors).toHaveLength(3);
  });

  it.each(vectors.map((v) => [v.name, v] as const))('%s: string-to-sign, signature and verification', (_name, v) => {
    const headers: Record<string, string> = {};
    for (const [k, val] of Object.entries(v.request.headers)) headers[k.toLowerCase()] = val;
    const target = v.request.requestTarget;
    const q = target.indexOf('?');
    const req: LocalRequest = {
      method: v.request.method,
      target,
      path: q < 0 ? target : target.slice(0, q),
      rawQuery: q < 0 ? '' : target.slice(q + 1),
      headers,
      body: Buffer.from(v.request.body, 'utf8'),
      sourceIp: '127.0.0.1',
      receivedAt: new Date(headers.date as string),
    };
    expect(mnsStringToSign({ method: req.method, resource: target, headers })).toBe(v.stringToSign);
    expect(mnsSignature(v.accessKeySecret, v.stringToSign)).toBe(v.expectedSignature);
    const accessKeyId = parseMnsAuthorization(headers.authorization ?? '')?.accessKeyId ?? '';
    expect(mnsAuthorization(accessKeyId, v.accessKeySecret, { method: req.method, resource: target, headers })).toBe(headers.authorization);
    const principal = authenticate(req, new FakeIdentity(), new Date(headers.date as string));
    expect(principal.accountId).toBe(ACCOUNT);
  });
});

describe('wire format', () => {
  it('CreateQueue: 201 with Location and no body, then 204 when identical', async () => {
    const body = xml('Queue', '<VisibilityTimeout>30</VisibilityTimeout>');
    const created = await send({ method: 'PUT', target: '/queues/wire-create', body });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`http://127.0.0.1:${h.port}/queues/wire-create`);
    expect(created.headers['x-mns-request-id']).toMatch(/^[0-9A-F]{24}$/);
    expect(created.headers['x-mns-version']).toBe('2015-06-06');
    expect(created.body).toBe('');
    expect((await send({ method: 'PUT', target: '/queues/wire-create', body })).status).toBe(204);
    const conflict = await send({ method: 'PUT', target: '/queues/wire-create', body: xml('Queue', '<VisibilityTimeout>31</VisibilityTimeout>') });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatch(errorXml('QueueAlreadyExist', 'The queue you want to create is already exist.'));
  });

  it('errors are <Error> XML with text/xml;charset=utf-8 and the request id of the header', async () => {
    const r = await send({ method: 'GET', target: '/queues/no-such-queue' });
    expect(r.status).toBe(404);
    expect(r.headers['content-type']).toBe('text/xml;charset=utf-8');
    expect(r.body).toMatch(errorXml('QueueNotExist', 'The queue name you provided is not exist.'));
    expect(r.body).toContain(`<RequestId>${r.headers['x-mns-request-id'] as string}</RequestId>`);
    expect(r.body).toContain(`<HostId>127.0.0.1:${h.port}</HostId>`);
  });

  it('out-of-range values: 400 InvalidArgument as <Error> XML, on CreateQueue, SetQueueAttributes and SendMessage', async () => {
    const create = await send({ method: 'PUT', target: '/queues/wire-range', body: xml('Queue', '<MessageRetentionPeriod>59</MessageRetentionPeriod>') });
    expect(create.status).toBe(400);
    expect(create.headers['content-type']).toBe('text/xml;charset=utf-8');
    expect(create.body).toMatch(errorXml('InvalidArgument', 'The value of MessageRetentionPeriod must be between 60 and 604800 seconds.'));
    expect((await send({ method: 'GET', target: '/queues/wire-range' })).status).toBe(404);

    expect((await send({ method: 'PUT', target: '/queues/wire-range', body: xml('Queue', '<MessageRetentionPeriod>604800</MessageRetentionPeriod>') })).status).toBe(201);
    const set = await send({ method: 'PUT', target: '/queues/wire-range?metaoverride=true', body: xml('Queue', '<MaximumMessageSize>65537</MaximumMessageSize>') });
    expect(set.status).toBe(400);
    expect(set.body).toMatch(errorXml('InvalidArgument', 'The value of MaximumMessageSize must be between 1024 and 65536 bytes.'));
    const delay = await send({ method: 'PUT', target: '/queues/wire-range?metaoverride=true', body: xml('Queue', '<DelaySeconds>604801</DelaySeconds>') });
    expect(delay.body).toMatch(errorXml('InvalidArgument', 'The value of DelaySeconds must be between 0 and 604800 seconds.'));
    const message = await send({ method: 'POST', target: '/queues/wire-range/messages', body: xml('Message', '<MessageBody>x</MessageBody><DelaySeconds>604801</DelaySeconds>') });
    expect(message.status).toBe(400);
    expect(message.body).toMatch(errorXml('InvalidArgument', 'The value of DelaySeconds must be between 0 and 604800 seconds.'));
    const attrs = await send({ method: 'GET', target: '/queues/wire-range' });
    expect(attrs.body).toContain('<MessageRetentionPeriod>604800</MessageRetentionPeriod><VisibilityTimeout>30</VisibilityTimeout>');
    expect(attrs.body).toContain('<DelaySeconds>0</DelaySeconds><MaximumMessageSize>65536</MaximumMessageSize>');
  });

  it('GetQueueAttributes returns every attribute', async () => {
    await send({ method: 'PUT', target: '/queues/wire-attrs', body: xml('Queue', '') });
    const r = await send({ method: 'GET', target: '/queues/wire-attrs' });
    expect(r.status).toBe(200);
    expect(r.body).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?><Queue xmlns="http:\/\/mns.aliyuncs.com\/doc\/v1\/"><QueueName>wire-attrs<\/QueueName><CreateTime>\d{10}<\/CreateTime><LastModifyTime>\d{10}<\/LastModifyTime><DelaySeconds>0<\/DelaySeconds><MaximumMessageSize>65536<\/MaximumMessageSize><MessageRetentionPeriod>345600<\/MessageRetentionPeriod><VisibilityTimeout>30<\/VisibilityTimeout><PollingWaitSeconds>0<\/PollingWaitSeconds><ActiveMessages>0<\/ActiveMessages><InactiveMessages>0<\/InactiveMessages><DelayMessages>0<\/DelayMessages><LoggingEnabled>False<\/LoggingEnabled><\/Queue>$/,
    );
  });

  it('ListQueue pages with x-mns-ret-number and NextMarker', async () => {
    for (const n of ['a', 'b', 'c']) await send({ method: 'PUT', target: `/queues/wlist-${n}`, body: '' });
    const p1 = await send({ method: 'GET', target: '/queues', headers: { 'x-mns-prefix': 'wlist-', 'x-mns-ret-number': '2' } });
    expect(p1.body).toBe(
      xml('Queues', `<Queue><QueueURL>http://127.0.0.1:${h.port}/queues/wlist-a</QueueURL></Queue><Queue><QueueURL>http://127.0.0.1:${h.port}/queues/wlist-b</QueueURL></Queue><NextMarker>wlist-c</NextMarker>`),
    );
    const p2 = await send({ method: 'GET', target: '/queues', headers: { 'x-mns-prefix': 'wlist-', 'x-mns-ret-number': '2', 'x-mns-marker': 'wlist-c' } });
    expect(p2.body).toBe(xml('Queues', `<Queue><QueueURL>http://127.0.0.1:${h.port}/queues/wlist-c</QueueURL></Queue>`));
    const bad = await send({ method: 'GET', target: '/queues', headers: { 'x-mns-ret-number': '1001' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('<Code>InvalidArgument</Code>');
  });

  it('SendMessage / ReceiveMessage bodies, with MessageBody XML-escaped in the reply', async () => {
    await send({ method: 'PUT', target: '/queues/wire-msg', body: '' });
    const sent = await send({ method: 'POST', target: '/queues/wire-msg/messages', body: xml('Message', '<MessageBody>&lt;x&gt; &amp; "q"</MessageBody><Priority>3</Priority>') });
    expect(sent.status).toBe(201);
    const md5 = createHash('md5').update('<x> & "q"').digest('hex').toUpperCase();
    expect(sent.body).toMatch(new RegExp(`^${escapeRe(xml('Message', ''))
      .replace('</Message>', '')}<MessageId>[0-9A-F]{32}</MessageId><MessageBodyMD5>${md5}</MessageBodyMD5></Message>$`));
    const got = await send({ method: 'GET', target: '/queues/wire-msg/messages?waitseconds=1' });
    expect(got.status).toBe(200);
    expect(got.body).toMatch(
      /<Message xmlns="http:\/\/mns.aliyuncs.com\/doc\/v1\/"><MessageId>[0-9A-F]{32}<\/MessageId><ReceiptHandle>[A-Za-z0-9-]+<\/ReceiptHandle><MessageBodyMD5>[0-9A-F]{32}<\/MessageBodyMD5><MessageBody>&lt;x&gt; &amp; &quot;q&quot;<\/MessageBody><EnqueueTime>\d{13}<\/EnqueueTime><FirstDequeueTime>\d{13}<\/FirstDequeueTime><DequeueCount>1<\/DequeueCount><Priority>3<\/Priority><NextVisibleTime>\d{13}<\/NextVisibleTime><\/Message>$/,
    );
    const empty = await send({ method: 'GET', target: '/queues/wire-msg/messages' });
    expect(empty.status).toBe(404);
    expect(empty.body).toMatch(errorXml('MessageNotExist', 'Message not exist.'));
  });

  it('rejects a body that is not well-formed XML with 400 MalformedXML', async () => {
    await send({ method: 'PUT', target: '/queues/wire-bad', body: '' });
    const r = await send({ method: 'POST', target: '/queues/wire-bad/messages', body: xml('Message', '<MessageBody>a < b</MessageBody>') });
    expect(r.status).toBe(400);
    expect(r.body).toMatch(errorXml('MalformedXML', 'The XML you provided was not well-formed.'));
  });

  it('receipt handles travel raw: + / = are signed as sent and give ReceiptHandleError, not a signature error', async () => {
    await send({ method: 'PUT', target: '/queues/wire-rh', body: '' });
    const r = await send({ method: 'DELETE', target: '/queues/wire-rh/messages?ReceiptHandle=MbZj6wDWli+QEauMZc8ZRv37sIW2iJKq3M9Mx/KSbkJ0==' });
    expect(r.status).toBe(400);
    expect(r.body).toMatch(errorXml('ReceiptHandleError', 'The receipt handle you provide is not valid.'));
  });

  it("accepts a target that url.parse escaped after the SDK signed it unescaped", async () => {
    await send({ method: 'PUT', target: '/queues/wire-esc', body: '' });
    const r = await send({ method: 'DELETE', target: '/queues/wire-esc/messages?ReceiptHandle=not%20a%20handle', signedResource: '/queues/wire-esc/messages?ReceiptHandle=not a handle' });
    expect(r.status).toBe(400);
    expect(r.body).toContain('<Code>ReceiptHandleError</Code>');
  });

  it('missing parameters get their own codes', async () => {
    await send({ method: 'PUT', target: '/queues/wire-miss', body: '' });
    const noVt = await send({ method: 'PUT', target: '/queues/wire-miss/messages?receiptHandle=1-x' });
    expect(noVt.status).toBe(400);
    expect(noVt.body).toContain('<Code>MissingVisibilityTimeout</Code>');
    const noHandle = await send({ method: 'DELETE', target: '/queues/wire-miss/messages?ReceiptHandle=' });
    expect(noHandle.status).toBe(400);
    expect(noHandle.body).toContain('<Code>MissingReceiptHandle</Code>');
    const badUrl = await send({ method: 'GET', target: '/queues/wire-miss/other' });
    expect(badUrl.status).toBe(400);
    expect(badUrl.body).toContain('<Code>InvalidRequestURL</Code>');
  });
});

describe('authentication on the wire', () => {
  it('Date more than 15 minutes off → 408 TimeExpired; 14 minutes is fine', async () => {
    const late = await send({ method: 'GET', target: '/queues', date: new Date(Date.now() - 16 * 60_000) });
    expect(late.status).toBe(408);
    expect(late.body).toMatch(errorXml('TimeExpired', 'The Http request you sent is expired.'));
    expect((await send({ method: 'GET', target: '/queues', date: new Date(Date.now() + 14 * 60_000) })).status).toBe(200);
  });

  it('header problems: missing/invalid Authorization, missing version, bad Content-MD5', async () => {
    const noAuth = await send({ method: 'GET', target: '/queues', omit: ['authorization'] });
    expect(noAuth.status).toBe(400);
    expect(noAuth.body).toMatch(errorXml('MissingAuthorizationHeader', 'Authorization header is required.'));
    const noVersion = await send({ method: 'GET', target: '/queues', omit: ['x-mns-version'] });
    expect(noVersion.status).toBe(400);
    expect(noVersion.body).toContain('<Code>MissingVersionHeader</Code>');
    const badMd5 = await send({ method: 'PUT', target: '/queues/wire-md5', body: '', contentMd5: Buffer.from('0'.repeat(32)).toString('base64') });
    expect(badMd5.status).toBe(400);
    expect(badMd5.body).toMatch(errorXml('InvalidDegist', 'The Content-MD5 you specified is invalid.'));
    // The documented form (base64 of the raw 16-byte digest) is accepted as well.
    const rawMd5 = await send({ method: 'PUT', target: '/queues/wire-md5', body: '', contentMd5: createHash('md5').update('').digest('base64') });
    expect(rawMd5.status).toBe(201);
  });

  it('wrong signature → 403 SignatureDoesNotMatch', async () => {
    const r = await send({ method: 'GET', target: '/queues', key: { ...KEYS.root, accessKeySecret: 'wrong' } });
    expect(r.status).toBe(403);
    expect(r.body).toMatch(errorXml('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.'));
  });

  it('the account in a <uid>.mns.<region>.aliyuncs.com Host header is the one addressed', async () => {
    const host = `${ACCOUNT}.mns.cn-hangzhou.aliyuncs.com`;
    const own = await send({ method: 'GET', target: '/queues', headers: { host } });
    expect(own.status).toBe(200);
    const foreign = await send({ method: 'GET', target: '/queues', headers: { host }, key: KEYS.otherRoot });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatch(errorXml('AccessDenied', 'The OwnerId that your Access Key Id associated to is forbidden for this operation.'));
  });
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
