/**
 * FC hands every handler its `event` as a Buffer of JSON text (alibabacloud.com/help/doc-detail/156876.htm); the parsers
 * of the HTTP, queue and timer events all start here.
 */
import { ValidationError } from '../domain/errors';

/** The JSON value of FC's `event` argument; strings and objects are accepted too (tests, local runners). */
export function decodeEventArgument(event: unknown, field: string): unknown {
  if (Buffer.isBuffer(event) || typeof event === 'string') {
    const text = Buffer.isBuffer(event) ? event.toString('utf8') : event;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ValidationError('VALIDATION', field, 'is not JSON');
    }
  }
  if (event instanceof Uint8Array) return decodeEventArgument(Buffer.from(event), field);
  return event;
}
