import { randomUUID } from 'node:crypto';

/** RequestIds look like the cloud's: upper-case UUIDs. */
export function newRequestId(): string {
  return randomUUID().toUpperCase();
}
