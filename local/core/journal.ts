/**
 * A durable key-value store for the local cloud's state: an in-memory map per namespace,
 * backed by an append-only JSON-lines journal that is fsync'd before a write returns, so a
 * write the server has acknowledged survives `kill -9`. Compacted on open and when it grows.
 * Without a directory it is memory-only (unit tests).
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

type Entry = { n: string; k: string; v?: unknown };

export class Journal {
  private readonly data = new Map<string, Map<string, unknown>>();
  private fd: number | undefined;
  private readonly file: string | undefined;
  private records = 0;

  /** @param dir data directory (created if missing); undefined = memory only. */
  constructor(dir: string | undefined, private readonly name = 'state', private readonly syncWrites = true) {
    if (dir === undefined) return;
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, `${name}.jsonl`);
    if (existsSync(this.file)) this.replay(readFileSync(this.file, 'utf8'));
    this.compact();
  }

  private replay(text: string): void {
    for (const line of text.split('\n')) {
      if (line === '') continue;
      let e: Entry;
      try {
        e = JSON.parse(line) as Entry;
      } catch {
        // A torn last line from a crash mid-write: everything before it was acknowledged.
        break;
      }
      this.apply(e);
    }
  }

  private apply(e: Entry): void {
    let ns = this.data.get(e.n);
    if (!ns) {
      ns = new Map();
      this.data.set(e.n, ns);
    }
    if (e.v === undefined) ns.delete(e.k);
    else ns.set(e.k, e.v);
  }

  /** Rewrite the journal as one record per live key. */
  compact(): void {
    if (this.file === undefined) return;
    if (this.fd !== undefined) closeSync(this.fd);
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, 'w');
    let n = 0;
    for (const [ns, map] of this.data) {
      for (const [k, v] of map) {
        writeSync(fd, `${JSON.stringify({ n: ns, k, v })}\n`);
        n++;
      }
    }
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.file);
    this.fd = openSync(this.file, 'a');
    this.records = n;
  }

  get<T>(ns: string, key: string): T | undefined {
    return this.data.get(ns)?.get(key) as T | undefined;
  }

  has(ns: string, key: string): boolean {
    return this.data.get(ns)?.has(key) ?? false;
  }

  /** All values of a namespace, in insertion order. Do not mutate them: use put(). */
  values<T>(ns: string): T[] {
    return [...(this.data.get(ns)?.values() ?? [])] as T[];
  }

  entries<T>(ns: string): Array<[string, T]> {
    return [...(this.data.get(ns)?.entries() ?? [])] as Array<[string, T]>;
  }

  put<T>(ns: string, key: string, value: T): void {
    this.write({ n: ns, k: key, v: structuredClone(value) });
  }

  delete(ns: string, key: string): void {
    if (!this.has(ns, key)) return;
    this.write({ n: ns, k: key });
  }

  /** Several writes that become durable together (one fsync). */
  batch(writes: Array<{ ns: string; key: string; value?: unknown }>): void {
    const entries = writes.map((w) => ({ n: w.ns, k: w.key, v: w.value === undefined ? undefined : structuredClone(w.value) }));
    this.append(entries);
  }

  private write(e: Entry): void {
    this.append([e]);
  }

  private append(entries: Entry[]): void {
    if (this.fd !== undefined) {
      writeSync(this.fd, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
      if (this.syncWrites) fsyncSync(this.fd);
      this.records += entries.length;
    }
    for (const e of entries) this.apply(e);
    let live = 0;
    for (const m of this.data.values()) live += m.size;
    if (this.records > 1000 && this.records > live * 4) this.compact();
  }

  /** Forget everything (tests' reset). */
  reset(): void {
    this.data.clear();
    this.compact();
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
