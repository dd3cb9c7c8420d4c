/** The query string of `GET /audit`, parsed at the edge; the use case judges the values (times, ranges, the cursor). */
import { z } from 'zod';
import type { AuditQuery } from '../../domain/api';
import { fromZodError } from '../../domain/validation';

// NUL can be in no value the ledger holds and would fail the SQL query (a 500) rather than match nothing.
const text = (max: number) => z.string().max(max).refine((s) => !s.includes('\u0000'), 'must not contain NUL');

const auditQuerySchema = z.strictObject({
  since: text(40),
  until: text(40).optional(),
  partner: text(16).optional(),
  cursor: text(200).optional(),
  limit: z.coerce.number().int().min(1).optional(),
});

/** `?since=...&until=...&partner=...&cursor=...&limit=...` -> AuditQuery; unknown parameters are a 400. */
export function auditQueryOf(query: Record<string, string>): AuditQuery {
  const r = auditQuerySchema.safeParse(query);
  if (!r.success) throw fromZodError(r.error, 'query');
  const { since, until, partner, cursor, limit } = r.data;
  return {
    since,
    ...(until === undefined ? {} : { until }),
    ...(partner === undefined ? {} : { partner }),
    ...(cursor === undefined ? {} : { cursor }),
    ...(limit === undefined ? {} : { limit }),
  };
}
