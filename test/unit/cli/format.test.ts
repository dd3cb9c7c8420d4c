/**
 * What a partner writes reaches the approver's terminal through `status` and the inbox. Hostile
 * text must not be able to draw extra rows, reverse what follows, or pass one name for another.
 */
import { createColors } from 'picocolors';
import type { AccessRequest, AuditEvent } from '../../../shared/domain/access-request';
import { escapeInvisible, historyLines, listLines, quoteText, requestLines, safeName } from '../../../cli/format';

const plain = createColors(false);

/** Any character a terminal would act on, or draw invisibly, instead of showing. */
const FORGING = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}]|[^\S ]/u;

function request(over: Partial<AccessRequest> = {}): AccessRequest {
  return {
    id: '0f8e4c1a-1111-4222-8333-444455556666',
    version: 1,
    status: 'PENDING',
    partnerAccountId: '1879324520397241',
    requesterArn: 'acs:ram::1879324520397241:user/partner-admin',
    profile: 'ecs-readonly',
    durationSeconds: 7200,
    reason: 'quarterly audit',
    roleName: 'crossrole-audit',
    principals: ['acs:ram::1879324520397241:user/bob'],
    externalId: 'ext-1',
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    ...over,
  };
}

describe('quoteText', () => {
  it.each([
    ['newline and carriage return', 'a\nb\rc', '"a\\nb\\rc"'],
    ['tab', 'a\tb', '"a\\tb"'],
    ['escape sequence (clear screen)', '\u001b[2Jok', '"\\u001b[2Jok"'],
    ['right-to-left override', 'txt.\u202Eexe', '"txt.\\u202eexe"'],
    ['isolates and marks', '\u2066a\u2067b\u2068c\u2069\u200E\u200F\u061C', '"\\u2066a\\u2067b\\u2068c\\u2069\\u200e\\u200f\\u061c"'],
    ['embeddings and pop', '\u202Aa\u202Bb\u202Cc\u202D', '"\\u202aa\\u202bb\\u202cc\\u202d"'],
    ['zero-width and BOM', 'ad\u200Bmin\u200C\u200D\uFEFF', '"ad\\u200bmin\\u200c\\u200d\\ufeff"'],
    ['line and paragraph separators', 'a\u2028b\u2029c', '"a\\u2028b\\u2029c"'],
    ['C1 control (NEL, CSI)', 'a\u0085b\u009Bc', '"a\\u0085b\\u009bc"'],
    ['DEL and NUL', 'a\u007Fb\u0000c', '"a\\u007fb\\u0000c"'],
    ['no-break and ideographic spaces', 'a\u00A0b\u3000c', '"a\\u00a0b\\u3000c"'],
    ['tag characters (astral)', 'ok\u{E0041}', '"ok\\u{e0041}"'],
    ['lone surrogate', 'a\uD800b', '"a\\ud800b"'],
    ['quotes and backslashes cannot close the quoting', 'a" and "b\\', '"a\\" and \\"b\\\\"'],
  ])('escapes %s', (_what, input, shown) => {
    expect(quoteText(input)).toBe(shown);
    expect(quoteText(input)).not.toMatch(FORGING);
  });

  it('leaves ordinary text, accents, CJK and emoji as they are, in quotes', () => {
    expect(quoteText('Prüfung Q3 审计 ✅')).toBe('"Prüfung Q3 审计 ✅"');
    expect(quoteText('')).toBe('""');
  });
});

describe('safeName', () => {
  it('shows plain identifiers bare', () => {
    for (const s of ['crossrole-audit', 'acs:ram::1879324520397241:user/bob', '0f8e4c1a-1111-4222-8333-444455556666', 'https://signin.aliyun.com/switchRole.htm?parentAlias=1&roleName=x']) {
      expect(safeName(s)).toBe(s);
    }
  });

  it('quotes anything else, so one principal cannot pass for two and a name cannot read backwards', () => {
    expect(safeName('acs:ram::1:user/a, acs:ram::2:root')).toBe('"acs:ram::1:user/a, acs:ram::2:root"');
    expect(safeName('acs:ram::1:user/a,acs:ram::2:root')).toBe('"acs:ram::1:user/a,acs:ram::2:root"');
    expect(safeName('crossrole-\u202Enimda')).toBe('"crossrole-\\u202enimda"');
    expect(safeName('')).toBe('""');
  });
});

describe('escapeInvisible', () => {
  it('escapes what a terminal would act on, and keeps quotes as they are (server messages)', () => {
    expect(escapeInvisible('roleName: bad "x\ny"\u202E')).toBe('roleName: bad "x\\ny"\\u202e');
  });
});

describe('requestLines (crossrole status, the inbox)', () => {
  const fakeApproval = '\n  decided by  acs:ram::1511928242963727:user/approver (approved)\n  status      APPROVED';

  it('keeps a reason that fakes an "Approved by" row on its own row, quoted', () => {
    const honest = requestLines(plain, request());
    const forged = requestLines(plain, request({ reason: `audit${fakeApproval}` }));
    expect(forged).toHaveLength(honest.length);
    expect(forged.filter((l) => /^\s*decided by/.test(l))).toEqual([]);
    const reason = forged.find((l) => l.trimStart().startsWith('reason'));
    expect(reason).toBe('  reason      "audit\\n  decided by  acs:ram::1511928242963727:user/approver (approved)\\n  status      APPROVED"');
    for (const line of forged) expect(line).not.toMatch(FORGING);
  });

  it('escapes every field that comes from the request', () => {
    const hostile = '\u202Eevil\r\n\u2066x\u2069';
    const lines = requestLines(plain, request({
      roleName: `crossrole-${hostile}`,
      principals: [`acs:ram::1879324520397241:user/bob${hostile}`, 'acs:ram::1879324520397241:user/carol'],
      requesterArn: `acs:ram::1879324520397241:user/${hostile}`,
      profile: `ecs${hostile}`,
      decidedBy: `acs:ram::1511928242963727:user/${hostile}`,
      decisionReason: hostile,
      lastError: hostile,
      status: 'REJECTED',
    }));
    const text = lines.join('\n');
    expect(lines.every((l) => !FORGING.test(l))).toBe(true);
    expect(text).toContain('"crossrole-\\u202eevil\\r\\n\\u2066x\\u2069"');
    expect(text).toContain('trusts      "acs:ram::1879324520397241:user/bob\\u202eevil\\r\\n\\u2066x\\u2069", acs:ram::1879324520397241:user/carol');
    expect(text).toContain('asked by "acs:ram::1879324520397241:user/\\u202eevil');
    expect(text).toContain('profile     "ecs\\u202eevil');
    expect(text).toContain('decided by  "acs:ram::1511928242963727:user/\\u202eevil\\r\\n\\u2066x\\u2069" "\\u202eevil\\r\\n\\u2066x\\u2069"');
  });

  it('renders an honest request as before, the reason quoted', () => {
    expect(requestLines(plain, request())).toEqual([
      '0f8e4c1a-1111-4222-8333-444455556666  PENDING',
      '  partner     account 1879324520397241, asked by acs:ram::1879324520397241:user/partner-admin',
      '  profile     ecs-readonly',
      '  duration    2h',
      '  role        crossrole-audit',
      '  trusts      acs:ram::1879324520397241:user/bob',
      '  reason      "quarterly audit"',
      '  created     2025-01-01T00:00:00.000Z',
    ]);
  });
});

describe('historyLines and listLines', () => {
  it('escape the actor and the reason of each event', () => {
    const event: AuditEvent = {
      id: 1, requestId: request().id, at: '2025-01-01T00:00:00.000Z', actor: 'acs:ram::1879324520397241:user/partner-admin',
      action: 'CANCEL', fromStatus: 'PENDING', toStatus: 'CANCELLED', reason: 'oops\n  2025-01-01T00:00:01.000Z  APPROVE  PENDING -> APPROVED  approver',
    };
    const [line, ...rest] = historyLines(plain, [event]);
    expect(rest).toEqual([]);
    expect(line).toContain('"oops\\n  2025-01-01T00:00:01.000Z  APPROVE');
    expect(line).not.toMatch(FORGING);
  });

  it('show one line per request whatever the role name holds', () => {
    const lines = listLines(plain, [request({ roleName: 'crossrole-x\n0f8e4c1a-0000-4000-8000-000000000000  ACTIVE' })]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('"crossrole-x\\n0f8e4c1a-0000-4000-8000-000000000000  ACTIVE"');
  });
});
