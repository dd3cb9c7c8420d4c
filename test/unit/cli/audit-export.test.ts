/** The audit export's file formats: CSV as RFC 4180 says, and the times the flags take. */
import { csvField, csvRecord, CSV_HEADER, parseTimeOption } from '../../../cli/commands/audit';
import type { AuditExportEvent } from '../../../shared/domain/api';

/** A minimal RFC 4180 reader (quoted fields, doubled quotes, CRLF records), to read back what we wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false; else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; } else if (ch === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; } else field += ch;
  }
  return rows;
}

const event: AuditExportEvent = {
  id: 7, at: '2026-12-07T10:00:00.000Z', requestId: 'r-1', partnerAccountId: '1879324520397241', requesterArn: 'acs:ram::1879324520397241:user/bob',
  profile: 'ecs-break-glass', roleName: 'crossrole-abc', actor: 'system:provisioning', action: 'ACTIVATE', fromStatus: 'APPROVED', toStatus: 'ACTIVE',
  reason: 'line one\r\nline "two", with a comma', ticket: 'INC-1',
  ramCalls: [{ action: 'CreateRole', resource: 'role/crossrole-abc', at: '2026-12-07T10:00:00.000Z', result: 'ok' }, { action: 'AttachPolicyToRole', resource: 'role/crossrole-abc policy/System/AliyunECSReadOnlyAccess', at: '2026-12-07T10:00:01.000Z', result: 'ok' }],
  details: { roleArn: 'acs:ram::1511928242963727:role/crossrole-abc' },
};

describe('audit export CSV', () => {
  it('quotes only what needs it, doubling quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\ronly')).toBe('"cr\ronly"');
    expect(csvField(' padded')).toBe('" padded"');
    expect(csvField('')).toBe('');
    expect(csvField('=1+1')).toBe('=1+1');
  });

  it('writes a header and CRLF records that read back to the same values', () => {
    const rows = parseCsv(CSV_HEADER + csvRecord(event) + csvRecord({ ...event, id: 8, reason: undefined, ticket: undefined, ramCalls: [], details: undefined, fromStatus: null }));
    expect(rows[0]).toEqual(['id', 'at', 'requestId', 'partnerAccountId', 'requesterArn', 'profile', 'roleName', 'actor', 'action', 'fromStatus', 'toStatus', 'reason', 'ticket', 'ramCalls', 'details']);
    expect(rows[1]).toEqual(['7', event.at, 'r-1', '1879324520397241', event.requesterArn, 'ecs-break-glass', 'crossrole-abc', 'system:provisioning', 'ACTIVATE', 'APPROVED', 'ACTIVE',
      'line one\r\nline "two", with a comma', 'INC-1', 'CreateRole role/crossrole-abc ok; AttachPolicyToRole role/crossrole-abc policy/System/AliyunECSReadOnlyAccess ok',
      '{"roleArn":"acs:ram::1511928242963727:role/crossrole-abc"}']);
    expect(rows[2]?.slice(9, 15)).toEqual(['', 'ACTIVE', '', '', '', '']);
    expect(rows).toHaveLength(3);
  });
});

describe('audit export times', () => {
  const now = new Date('2026-12-07T12:00:00.000Z');
  it('takes ISO-8601 with a zone, a date, now, or a duration ago', () => {
    expect(parseTimeOption('--since', '2026-12-07T10:00:00+08:00', now)).toBe('2026-12-07T02:00:00.000Z');
    expect(parseTimeOption('--since', '2026-12-01', now)).toBe('2026-12-01T00:00:00.000Z');
    expect(parseTimeOption('--until', 'now', now)).toBe('2026-12-07T12:00:00.000Z');
    expect(parseTimeOption('--since', '24h', now)).toBe('2026-12-06T12:00:00.000Z');
    expect(parseTimeOption('--since', 'P7D', now)).toBe('2026-11-30T12:00:00.000Z');
  });

  it('refuses a time without a zone and anything else as usage errors', () => {
    expect(() => parseTimeOption('--since', '2026-12-07T10:00:00', now)).toThrow(/not an ISO-8601 time with a zone/);
    expect(() => parseTimeOption('--since', 'yesterday', now)).toThrow(/--since yesterday: not a time/);
  });
});
