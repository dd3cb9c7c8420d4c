import { ForbiddenError, ValidationError } from '../../../shared/domain/errors';
import { MAX_PRINCIPALS, checkPrivilegedAcknowledgement, parseSubmitRequest } from '../../../shared/domain/intake';

const ask = { profile: 'admin', duration: '1h', reason: 'incident 42' };

describe('parseSubmitRequest', () => {
  it('accepts the body with or without acknowledgePrivileged', () => {
    expect(parseSubmitRequest(ask)).toEqual(ask);
    expect(parseSubmitRequest({ ...ask, acknowledgePrivileged: true })).toEqual({ ...ask, acknowledgePrivileged: true });
  });

  it.each<[string, unknown, string]>([
    ['a non-boolean acknowledgement', { ...ask, acknowledgePrivileged: 'yes' }, 'acknowledgePrivileged'],
    ['an unknown key', { ...ask, acknowledge: true }, 'acknowledge'],
    ['too many principals', { ...ask, principals: Array.from({ length: MAX_PRINCIPALS + 1 }, () => 'root') }, 'principals'],
    ['no profile', { duration: '1h', reason: 'x' }, 'profile'],
  ])('refuses %s as VALIDATION at the field', (_name, body, field) => {
    expect(() => parseSubmitRequest(body)).toThrow(expect.objectContaining({ code: 'VALIDATION', field }));
    expect(() => parseSubmitRequest(body)).toThrow(ValidationError);
  });
});

describe('checkPrivilegedAcknowledgement', () => {
  const privileged = { name: 'admin', privileged: true };

  it('requires acknowledgePrivileged: true for a privileged profile (403 FORBIDDEN_PRIVILEGED_PROFILE)', () => {
    for (const request of [{}, { acknowledgePrivileged: false }, { acknowledgePrivileged: undefined }]) {
      let err: unknown;
      try {
        checkPrivilegedAcknowledgement(privileged, request);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ForbiddenError);
      expect(err).toMatchObject({ code: 'FORBIDDEN_PRIVILEGED_PROFILE' });
      expect((err as Error).message).toContain('profile "admin" is privileged');
    }
  });

  it('lets an acknowledged privileged request, and any ordinary one, through', () => {
    expect(() => checkPrivilegedAcknowledgement(privileged, { acknowledgePrivileged: true })).not.toThrow();
    expect(() => checkPrivilegedAcknowledgement({ name: 'read', privileged: false }, {})).not.toThrow();
    expect(() => checkPrivilegedAcknowledgement({ name: 'read', privileged: false }, { acknowledgePrivileged: true })).not.toThrow();
  });
});
