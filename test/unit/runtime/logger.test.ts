import { CrossroleError } from '../../../shared/domain/errors';
import type { Logger } from '../../../shared/domain/ports';
import { silentLogger } from '../../../shared/domain/ports';
import { JsonLogger, REDACTED, createLogger, redact } from '../../../shared/runtime/logger';

const NOW = new Date('2026-11-29T10:00:00.000Z');

function capture(level?: 'debug' | 'info' | 'warn' | 'error'): { logger: JsonLogger; lines: string[]; entries: () => Array<Record<string, unknown>> } {
  const lines: string[] = [];
  const logger = createLogger({ ...(level ? { level } : {}), sink: (l) => lines.push(l), clock: () => NOW });
  return { logger, lines, entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('JsonLogger', () => {
  it('implements the Logger port with one JSON line per entry', () => {
    const { logger, lines, entries } = capture();
    const port: Logger = logger;
    port.info('request accepted', { requestId: 'r1', profile: 'ecs-readonly' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(entries()[0]).toEqual({ timestamp: '2026-11-29T10:00:00.000Z', level: 'info', message: 'request accepted', requestId: 'r1', profile: 'ecs-readonly' });
  });

  it('drops entries below the threshold (default info)', () => {
    const { logger, entries } = capture();
    logger.debug('hidden');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(entries().map((e) => e.level)).toEqual(['info', 'warn', 'error']);
    const warnOnly = capture('warn');
    warnOnly.logger.info('hidden');
    warnOnly.logger.error('shown');
    expect(warnOnly.entries().map((e) => e.message)).toEqual(['shown']);
    const all = capture('debug');
    all.logger.debug('d');
    expect(all.entries()).toHaveLength(1);
    expect(all.logger.isLevelEnabled('debug')).toBe(true);
    expect(warnOnly.logger.isLevelEnabled('info')).toBe(false);
  });

  it('child loggers bind fields, keep level and sink, and do not change the parent', () => {
    const { logger, entries } = capture('info');
    const fnLog = logger.child({ function: 'crossrole-intake' });
    const reqLog = fnLog.child({ requestId: 'fc-req-1' });
    reqLog.info('handled', { status: 201 });
    reqLog.debug('hidden');
    logger.info('parent');
    expect(entries()).toEqual([
      { timestamp: NOW.toISOString(), level: 'info', message: 'handled', function: 'crossrole-intake', requestId: 'fc-req-1', status: 201 },
      { timestamp: NOW.toISOString(), level: 'info', message: 'parent' },
    ]);
  });

  it('fields cannot overwrite level, message or timestamp', () => {
    const { logger, entries } = capture();
    logger.child({ level: 'debug' }).warn('real', { message: 'fake', timestamp: 'then' });
    expect(entries()[0]).toMatchObject({ level: 'warn', message: 'real', timestamp: NOW.toISOString() });
  });

  it('redacts secrets by key name, at any depth, including bound fields', () => {
    const { logger, lines, entries } = capture();
    logger.child({ accessKeySecret: 'AKS-1' }).info('call', {
      credentials: { accessKeyId: 'STS.x', accessKeySecret: 'AKS-2', securityToken: 'TOK' },
      headers: { authorization: 'MNS id:sig', 'x-crossrole-identity': 'PROOF', 'content-type': 'application/json' },
      nested: [{ password: 'pw', dbPassword: 'pw2', apiToken: 'tk', clientSecret: 'cs', note: 'visible' }],
      Authorization: 'Bearer x',
    });
    const text = lines.join('\n');
    for (const secret of ['AKS-1', 'AKS-2', 'TOK', 'MNS id:sig', 'PROOF', 'pw', 'pw2', 'tk', 'cs', 'Bearer x']) expect(text).not.toContain(`"${secret}"`);
    expect(entries()[0]).toMatchObject({
      accessKeySecret: REDACTED,
      credentials: REDACTED,
      headers: { authorization: REDACTED, 'x-crossrole-identity': REDACTED, 'content-type': 'application/json' },
      nested: [{ password: REDACTED, dbPassword: REDACTED, apiToken: REDACTED, clientSecret: REDACTED, note: 'visible' }],
      Authorization: REDACTED,
    });
  });

  it('serialises errors with code, field and cause, and survives cycles and odd values', () => {
    const { logger, entries } = capture();
    const cause = new Error('socket hang up');
    const err = new CrossroleError('DEPENDENCY_UNAVAILABLE', 'ram down', { cause, details: { token: 'T', api: 'CreateRole' } });
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    logger.error('failed', { error: err, cyclic, big: BigInt(10), when: NOW, buf: Buffer.from('abc'), fn: () => 1, undef: undefined });
    const e = entries()[0] as Record<string, unknown>;
    expect(e).toMatchObject({
      error: { name: 'CrossroleError', message: 'ram down', code: 'DEPENDENCY_UNAVAILABLE', details: { token: REDACTED, api: 'CreateRole' }, cause: { message: 'socket hang up' }, stack: expect.any(String) },
      cyclic: { name: 'loop', self: '[Circular]' },
      big: '10',
      when: NOW.toISOString(),
      buf: '[Buffer 3 bytes]',
      fn: expect.stringMatching(/=>/),
    });
    expect('undef' in e).toBe(false);
  });

  it('the same object twice is not a cycle', () => {
    const shared = { a: 1 };
    expect(redact({ x: shared, y: shared })).toEqual({ x: { a: 1 }, y: { a: 1 } });
  });

  it('a failing sink never throws into the caller', () => {
    const logger = new JsonLogger({ sink: () => {
      throw new Error('disk full');
    } });
    expect(() => logger.error('x')).not.toThrow();
  });

  it('writes to stdout by default', () => {
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      createLogger().info('to stdout', { n: 1 });
      expect(spy).toHaveBeenCalledTimes(1);
      const written = String(spy.mock.calls[0]?.[0]);
      expect(written.endsWith('\n')).toBe(true);
      expect(JSON.parse(written)).toMatchObject({ level: 'info', message: 'to stdout', n: 1 });
    } finally {
      spy.mockRestore();
    }
  });

  it('silentLogger accepts every level', () => {
    expect(() => {
      silentLogger.debug('a');
      silentLogger.info('a');
      silentLogger.warn('a');
      silentLogger.error('a');
    }).not.toThrow();
  });
});
