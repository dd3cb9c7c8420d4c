/** The query string of `GET /requests`, parsed at the edge; the use case checks the values' ranges. */
import { z } from 'zod';
import type { ListQuery } from '../../domain/api';
import { fromZodError } from '../../domain/validation';

const listQuerySchema = z.strictObject({
  status: z.string().regex(/^[A-Z]{1,20}$/, 'must be a status such as PENDING').optional(),
  // The page size's range (1..MAX_PAGE_SIZE) is listRequests' to enforce, in one place.
  limit: z.coerce.number().int().min(1).optional(),
  // An id cursor; NUL can be in no id and would fail the SQL query (a 500) rather than match nothing.
  after: z.string().max(64).refine((s) => !s.includes('\u0000'), 'must be a request id').optional(),
  unreviewed: z.enum(['all', 'overdue']).optional(),
});

/** `?status=PENDING&limit=50&after=<id>` (or `?unreviewed=all|overdue`) -> ListQuery; unknown parameters are a 400. */
export function listQueryOf(query: Record<string, string>): ListQuery {
  const r = listQuerySchema.safeParse(query);
  if (!r.success) throw fromZodError(r.error, 'query');
  const q: ListQuery = {};
  if (r.data.status !== undefined) q.status = r.data.status;
  if (r.data.limit !== undefined) q.limit = r.data.limit;
  if (r.data.after !== undefined) q.after = r.data.after;
  if (r.data.unreviewed !== undefined) q.unreviewed = r.data.unreviewed;
  return q;
}
