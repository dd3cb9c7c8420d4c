import fc from 'fast-check';
import { ValidationError } from '../../../shared/domain/errors';
import { MAX_DURATION_SECONDS, formatDuration, parseDuration, truncate } from '../../../shared/domain/duration';
import { catalogJsonSchema } from '../../../shared/domain/catalog-json-schema';
import { httpStatusOf } from '../../../shared/runtime/http/response';

/** The duration pattern the published catalog schema gives editors (catalog.ts's DURATION_PATTERN). */
const durationPatternForTests = ((): string => {
  const m = /"pattern":"(\^\(\(\?=[^"]*)"/.exec(JSON.stringify(catalogJsonSchema()));
  if (!m?.[1]) throw new Error('no duration pattern in the catalog schema');
  return JSON.parse(`"${m[1]}"`) as string;
})();

function codeAndField(fn: () => unknown): { code: string; field: string | undefined; httpStatus: number } | 'no error' {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    return { code: e.code, field: e.field, httpStatus: httpStatusOf(e.code) };
  }
  return 'no error';
}

describe('parseDuration', () => {
  it.each([
    ['90m', 5400],
    ['8h', 28800],
    ['7d', 604800],
    ['30s', 30],
    ['1s', 1],
    ['366d', 366 * 86400],
    ['PT8H', 28800],
    ['P7D', 604800],
    ['PT1H30M', 5400],
    ['PT45S', 45],
    ['P1DT2H', 93600],
    ['P1DT1H1M1S', 90061],
    ['1h30m', 5400],
    ['2d12h', 216000],
    ['1d2h3m4s', 93784],
    ['1m30s', 90],
    ['365d24h', 366 * 86400],
  ])('%s = %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each<[string, unknown]>([
    ['empty', ''],
    ['no unit', '8'],
    ['space inside', '8 h'],
    ['negative', '-1h'],
    ['plus sign', '+1h'],
    ['decimal', '1.5h'],
    ['zero', '0h'],
    ['leading zero', '08h'],
    ['ISO zero', 'PT0S'],
    ['ISO zero days', 'P0D'],
    ['bare P', 'P'],
    ['bare PT', 'PT'],
    ['dangling T', 'P1DT'],
    ['years', 'P1Y'],
    ['months', 'P1M'],
    ['weeks', 'P1W'],
    ['lower-case ISO unit', 'PT8h'],
    ['lower-case ISO designator', 'pt8h'],
    ['leading space', ' 8h'],
    ['trailing space', '8h '],
    ['trailing newline', '8h\n'],
    ['compound, smaller unit first', '30m1h'],
    ['compound, repeated unit', '1h1h'],
    ['compound, zero part', '1h0m'],
    ['compound, space between parts', '1h 30m'],
    ['compound, leading zero part', '1h05m'],
    ['compound, trailing digits', '1h30'],
    ['compound with ISO', '1hPT30M'],
    ['compound over a year', '366d1s'],
    ['upper-case unit', '8H'],
    ['unknown unit', '8w'],
    ['number', 123],
    ['null', null],
    ['undefined', undefined],
    ['object', { hours: 8 }],
    ['over a year', '367d'],
    ['huge short', '9999999d'],
    ['too many digits', '99999999h'],
    ['huge ISO', 'PT9999999999S'],
    ['huge ISO days', 'P999999D'],
  ])('rejects %s (%p) with INVALID_DURATION naming the field', (_name, input) => {
    expect(codeAndField(() => parseDuration(input, 'profiles[0].maxDuration'))).toEqual({ code: 'INVALID_DURATION', field: 'profiles[0].maxDuration', httpStatus: 400 });
  });

  it('defaults the field to "duration" and truncates long input in the message', () => {
    const long = 'x'.repeat(500);
    let err: ValidationError | undefined;
    try {
      parseDuration(long);
    } catch (e) {
      err = e as ValidationError;
    }
    expect(err?.field).toBe('duration');
    expect(err?.message.length).toBeLessThan(200);
  });

  it('accepts exactly the limit and refuses one second more', () => {
    expect(parseDuration(`${MAX_DURATION_SECONDS}s`)).toBe(MAX_DURATION_SECONDS);
    expect(codeAndField(() => parseDuration(`${MAX_DURATION_SECONDS + 1}s`))).toMatchObject({ code: 'INVALID_DURATION' });
  });

  it('the catalog schema\'s pattern accepts what parseDuration accepts (examples both ways)', () => {
    const pattern = new RegExp(durationPatternForTests);
    for (const ok of ['8h', '1h30m', '2d12h', '1d2h3m4s', 'PT8H', 'P1DT2H']) expect([ok, pattern.test(ok)]).toEqual([ok, true]);
    for (const bad of ['', '30m1h', '1h0m', '1h 30m', '1h1h', 'P', 'PT', 'P1DT']) expect([bad, pattern.test(bad)]).toEqual([bad, false]);
  });

  it('property: formatDuration output parses back to the same seconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_DURATION_SECONDS }), (seconds) => {
        expect(parseDuration(formatDuration(seconds))).toBe(seconds);
      }),
    );
  });

  it('property: arbitrary strings either parse to 1..MAX seconds or fail with INVALID_DURATION', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^P?T?\d{0,3}[DHMSdhms]{0,2}$/)), (text) => {
        let result: number | undefined;
        try {
          result = parseDuration(text);
        } catch (e) {
          expect(e).toBeInstanceOf(ValidationError);
          expect((e as ValidationError).code).toBe('INVALID_DURATION');
          return;
        }
        expect(Number.isInteger(result)).toBe(true);
        expect(result).toBeGreaterThan(0);
        expect(result).toBeLessThanOrEqual(MAX_DURATION_SECONDS);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('formatDuration / truncate', () => {
  it.each([
    [86400 * 2, '2d'],
    [3600 * 5, '5h'],
    [90 * 60, '90m'],
    [61, '61s'],
  ])('%i seconds → %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('truncate keeps short strings and cuts long ones with an ellipsis', () => {
    expect(truncate('abc', 5)).toBe('abc');
    expect(truncate('abcdefgh', 5)).toBe('abcde…');
  });
});
