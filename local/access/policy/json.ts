/**
 * A strict JSON reader (RFC 8259) for policy documents.
 *
 * Why not JSON.parse: a document with a key written twice ("Effect": "Deny", ..., "Effect": "Allow")
 * means different things to different parsers, and JSON.parse silently keeps the last one. RAM's
 * docs only say the text must be valid JSON per RFC 7159 (policy structure and syntax,
 * www.alibabacloud.com/help/en/ram/policy-structure-and-syntax), which leaves duplicates to the
 * implementation; the local cloud refuses them (stricter). Objects come back as Maps, so a key
 * such as "__proto__" is just a key.
 */
import { PolicyGrammarError } from './errors';

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | JsonObject;
export type JsonObject = ReadonlyMap<string, JsonValue>;

/** Deep enough for any real policy; shallow enough that a hostile document cannot exhaust the stack. */
const MAX_DEPTH = 32;

const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

export function isJsonObject(v: JsonValue | undefined): v is JsonObject {
  return v instanceof Map;
}

export function isJsonArray(v: JsonValue | undefined): v is readonly JsonValue[] {
  return Array.isArray(v);
}

export function parseJson(text: string): JsonValue {
  let i = 0;
  const fail = (reason: string): never => {
    throw new PolicyGrammarError(`the document is not valid JSON: ${reason} at offset ${i}`, '');
  };
  const ws = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const str = (): string => {
    i++; // opening quote
    let out = '';
    for (;;) {
      if (i >= text.length) return fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) { i++; return out; }
      if (c < 0x20) return fail('control character in string');
      if (c !== 0x5c) { out += text[i]; i++; continue; }
      const e = text[i + 1] ?? '';
      if (e === 'u') {
        const hex = text.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) return fail('bad \\u escape');
        out += String.fromCharCode(parseInt(hex, 16));
        i += 6;
      } else {
        const mapped = ESCAPES[e];
        if (mapped === undefined) return fail('bad escape');
        out += mapped;
        i += 2;
      }
    }
  };
  const value = (depth: number): JsonValue => {
    if (depth > MAX_DEPTH) return fail('nested too deeply');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj = new Map<string, JsonValue>();
      ws();
      if (text[i] === '}') { i++; return obj; }
      for (;;) {
        ws();
        if (text[i] !== '"') return fail('expected a string key');
        const key = str();
        if (obj.has(key)) return fail(`duplicate key "${key}"`);
        ws();
        if (text[i] !== ':') return fail('expected ":"');
        i++;
        obj.set(key, value(depth + 1));
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return obj; }
        return fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      i++;
      const arr: JsonValue[] = [];
      ws();
      if (text[i] === ']') { i++; return arr; }
      for (;;) {
        arr.push(value(depth + 1));
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return arr; }
        return fail('expected "," or "]"');
      }
    }
    if (c === '"') return str();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, i)) { i += word.length; return v; }
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m) { i += m[0].length; return Number(m[0]); }
    return fail(i >= text.length ? 'unexpected end of text' : 'unexpected character');
  };
  const v = value(0);
  ws();
  if (i !== text.length) fail('trailing text after the document');
  return v;
}
