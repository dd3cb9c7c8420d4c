/**
 * JSON text helpers for policy documents. `JSON.parse` silently keeps the last of duplicate keys;
 * RAM's parser may keep another one, so a duplicated `Effect` or `Action` could make the guardrails
 * and RAM read different policies. Duplicates are therefore rejected before anything looks at the value.
 */

type Frame = { type: 'object'; keys: Set<string>; expectKey: boolean; key: string } | { type: 'array'; index: number };

function framePath(stack: readonly Frame[]): string {
  let out = '';
  for (const f of stack) {
    if (f.type === 'array') out += `[${f.index}]`;
    else if (f.key !== '') out += out === '' ? f.key : `.${f.key}`;
  }
  return out;
}

/**
 * Find the first duplicated object key in syntactically valid JSON text.
 * Returns its path (e.g. `Statement[0].Effect`), or undefined when every object's keys are unique.
 */
export function findDuplicateKey(text: string): string | undefined {
  const stack: Frame[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    const top = stack[stack.length - 1];
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (top?.type === 'object' && top.expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        top.key = key;
        if (top.keys.has(key)) return framePath(stack);
        top.keys.add(key);
        top.expectKey = false;
      }
      i = j + 1;
      continue;
    }
    if (ch === '{') stack.push({ type: 'object', keys: new Set(), expectKey: true, key: '' });
    else if (ch === '[') stack.push({ type: 'array', index: 0 });
    else if (ch === '}' || ch === ']') stack.pop();
    else if (ch === ',' && top) {
      if (top.type === 'object') top.expectKey = true;
      else top.index += 1;
    }
    i += 1;
  }
  return undefined;
}
