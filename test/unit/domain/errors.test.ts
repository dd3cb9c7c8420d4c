import {
  AuthenticationError,
  CrossroleError,
  ERROR_CODES,
  ForbiddenError,
  IllegalTransitionError,
  NotFoundError,
  ValidationError,
  VersionConflictError,
  asError,
  isCrossroleError,
  type ErrorCode,
} from '../../../shared/domain/errors';
import { HTTP_STATUS, httpStatusOf } from '../../../shared/runtime/http/response';

const ALLOWED_STATUSES = [400, 401, 403, 404, 405, 409, 413, 422, 429, 500, 503];
const CODES: readonly ErrorCode[] = ERROR_CODES;

describe('error codes', () => {
  it.each(CODES)('%s maps to an allowed HTTP status', (code) => {
    expect(ALLOWED_STATUSES).toContain(httpStatusOf(code));
  });

  it('the HTTP edge\'s status table covers exactly the domain\'s codes, each once', () => {
    expect(Object.keys(HTTP_STATUS).sort()).toEqual([...CODES].sort());
    expect(new Set(CODES).size).toBe(CODES.length);
  });

  it('codes are stable UPPER_SNAKE literals', () => {
    for (const c of CODES) expect(c).toMatch(/^[A-Z][A-Z0-9_]*$/);
  });

  it('families map to their status', () => {
    for (const c of CODES) {
      if (c.startsWith('IDENTITY_')) expect({ c, s: httpStatusOf(c) }).toEqual({ c, s: 401 });
      if (c.startsWith('FORBIDDEN_')) expect({ c, s: httpStatusOf(c) }).toEqual({ c, s: 403 });
      if (c.startsWith('INVALID_')) expect({ c, s: httpStatusOf(c) }).toEqual({ c, s: 400 });
    }
    expect(httpStatusOf('INTERNAL')).toBe(500);
    expect(httpStatusOf('PAYLOAD_TOO_LARGE')).toBe(413);
    expect(httpStatusOf('METHOD_NOT_ALLOWED')).toBe(405);
  });
});

describe('error classes', () => {
  it('carry code, status, name, field and cause', () => {
    const cause = new Error('root cause');
    const v = new ValidationError('INVALID_DURATION', 'duration', 'bad', { cause, details: { got: 'x' } });
    expect(v).toBeInstanceOf(CrossroleError);
    expect(v).toBeInstanceOf(Error);
    expect(v.name).toBe('ValidationError');
    expect(v.message).toBe('duration: bad');
    expect(v.field).toBe('duration');
    expect(v.cause).toBe(cause);
    expect(httpStatusOf(v.code)).toBe(400);
    expect(v.toJSON()).toEqual({ code: 'INVALID_DURATION', message: 'duration: bad', field: 'duration', details: { got: 'x' } });
  });

  it.each<[CrossroleError, string, ErrorCode, number]>([
    [new NotFoundError('request', 'r1'), 'NotFoundError', 'NOT_FOUND', 404],
    [new IllegalTransitionError('PENDING', 'REVOKED', 'r1'), 'IllegalTransitionError', 'ILLEGAL_TRANSITION', 409],
    [new VersionConflictError('r1', 3), 'VersionConflictError', 'VERSION_CONFLICT', 409],
    [new ForbiddenError('FORBIDDEN_SELF_APPROVAL', 'no'), 'ForbiddenError', 'FORBIDDEN_SELF_APPROVAL', 403],
    [new AuthenticationError('IDENTITY_REPLAYED', 'no'), 'AuthenticationError', 'IDENTITY_REPLAYED', 401],
  ])('%s', (err, name, code, status) => {
    expect(err.name).toBe(name);
    expect(err.code).toBe(code);
    expect(httpStatusOf(err.code)).toBe(status);
    expect(isCrossroleError(err)).toBe(true);
  });

  it('toJSON omits absent optional fields', () => {
    expect(new CrossroleError('INTERNAL', 'boom').toJSON()).toEqual({ code: 'INTERNAL', message: 'boom' });
  });

  it('IllegalTransitionError names the request only when given', () => {
    expect(new IllegalTransitionError('PENDING', 'REVOKED').message).toBe('cannot move from PENDING to REVOKED');
    expect(new IllegalTransitionError('PENDING', 'REVOKED', 'r1').message).toBe('cannot move request r1 from PENDING to REVOKED');
  });

  it('asError / isCrossroleError narrow unknown values', () => {
    expect(isCrossroleError(new Error('x'))).toBe(false);
    expect(isCrossroleError({ code: 'INTERNAL' })).toBe(false);
    const e = new Error('x');
    expect(asError(e)).toBe(e);
    expect(asError('text').message).toBe('text');
    expect(asError(undefined)).toBeInstanceOf(Error);
  });
});
