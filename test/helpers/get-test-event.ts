/**
 * Loads a sample trigger event from events/ as the Buffer FC hands to a handler.
 * `getTestEvent('mns/provision')` reads events/mns/provision.json.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const EVENTS_DIR = resolve(__dirname, '..', '..', 'events');

/** Marker body in events/http/invalid-oversize.json, expanded here so the file stays small. */
const OVERSIZE = /"__CROSSROLE_OVERSIZE_BODY__:(\d{1,9})"/;

export function getTestEvent(path: string): Buffer {
  const file = join(EVENTS_DIR, path.endsWith('.json') ? path : `${path}.json`);
  const text = readFileSync(file, 'utf8');
  const m = OVERSIZE.exec(text);
  if (!m) return Buffer.from(text, 'utf8');
  return Buffer.from(text.replace(OVERSIZE, JSON.stringify('x'.repeat(Number(m[1])))), 'utf8');
}

/** The event parsed as JSON (for tests that tweak a field before invoking). */
export function getTestEventJson<T = Record<string, unknown>>(path: string): T {
  return JSON.parse(getTestEvent(path).toString('utf8')) as T;
}

/** Variant names (without `.json`) of one trigger folder, e.g. `listTestEvents('mns')`. */
export function listTestEvents(trigger: string): string[] {
  return readdirSync(join(EVENTS_DIR, trigger))
    .filter((f) => f.endsWith('.json'))
    .map((f) => `${trigger}/${f.slice(0, -'.json'.length)}`)
    .sort();
}
