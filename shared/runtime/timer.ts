/**
 * The timer trigger's event (help.aliyun.com/document_detail/2513615.html), validated at the edge. Unlike a queue
 * message, a malformed timer event is the platform's or the operator's mistake: it fails the
 * invocation with a ValidationError naming the field.
 */
import { z } from 'zod';
import { fromZodError } from '../domain/validation';
import { decodeEventArgument } from './event-argument';

/** `{ triggerTime, triggerName, payload }`; payload is the string configured on the trigger. */
const timerEventSchema = z.object({
  triggerTime: z.string().refine((s) => /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s)), { message: 'must be an ISO-8601 date-time' }),
  triggerName: z.string().min(1),
  payload: z.string().optional(),
});

interface TimerEvent {
  triggerTime: Date;
  triggerName: string;
  /** '' when the trigger has no payload configured. */
  payload: string;
}

export function parseTimerEvent(event: Buffer | string | object): TimerEvent {
  const r = timerEventSchema.safeParse(decodeEventArgument(event, 'event'));
  if (!r.success) throw fromZodError(r.error, 'event', 'not an FC timer event');
  return { triggerTime: new Date(r.data.triggerTime), triggerName: r.data.triggerName, payload: r.data.payload ?? '' };
}
