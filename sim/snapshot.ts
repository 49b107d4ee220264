// Copies of a running simulation's object graph, for the debugger's checkpoints (time travel is
// "restore the nearest checkpoint, re-execute deterministically"). One generic deep copy keeps every
// field a class gains later in the snapshot without anyone having to remember to add it; what must
// not be copied is said once, by field name, where the data is defined (snapshot-rules.ts).
//
// Rules: primitives are kept; arrays, Maps, Sets, typed arrays and objects (class instances keep
// their prototype) are copied; an object reached twice is copied once (sharing and cycles survive);
// an object with a [CLONE] method copies itself (closures cannot be copied: a function anywhere else
// is an error, so state hidden in a closure cannot silently leak between timelines).

/** Implemented by objects whose state is not in plain fields (seeded PRNGs keep it in a closure). */
export const CLONE = Symbol('liferaft.clone');

export interface SelfCloning {
  [CLONE](): unknown;
}

/**
 * How the value under a field name is copied:
 * - `share`: not copied — immutable once created (messages, log entries, the scenario);
 * - `elements`: the array is copied but its elements are shared (an array of immutable items);
 * - `fresh-only`: the array is copied; an element is copied only if `mutable(element)` says it can still change.
 */
export type SnapshotRule = 'share' | 'elements' | { readonly mutable: (element: unknown) => boolean };

export type SnapshotRules = ReadonlyMap<string, SnapshotRule>;

export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
}

/** What a copy cost: slots written (fields, elements, entries) — about 8 bytes each, plus objects. */
export interface CloneSize {
  slots: number;
  objects: number;
}

/**
 * A long array as a stored snapshot keeps it: chunks, shared with the previous stored snapshot of the
 * same live array wherever they are unchanged. Logs, disks and the checker's hashes only grow at the
 * end, so a stored snapshot of a long run costs about its last chunk, not the whole history.
 * Copying a stored snapshot to run it turns chunks back into a plain array.
 */
class ChunkedArray {
  constructor(
    readonly chunks: readonly (readonly unknown[])[],
    readonly length: number,
  ) {}
}

const CHUNK = 256;
const MIN_CHUNKED = 1024;
/** The last stored form of each live array (so the next stored snapshot can share its chunks). */
const lastStored = new WeakMap<readonly unknown[], ChunkedArray>();

/**
 * A large Map as a stored snapshot keeps it: its entries in insertion order, as chunks of
 * [key, value, key, value, …] shared with the previous stored snapshot of the same live Map
 * wherever they are unchanged. The checker's maps (votes by term, commands by client and seq,
 * leaders by term) only grow at the end, so they cost about their last chunk, as long arrays do.
 */
class ChunkedMap {
  constructor(
    readonly chunks: readonly (readonly unknown[])[],
    readonly size: number,
  ) {}
}
const MIN_CHUNKED_MAP = 512;
const lastStoredMap = new WeakMap<ReadonlyMap<unknown, unknown>, ChunkedMap>();
/** One chunk's entries while they are compared with the previous snapshot's (reused). */
const pending: unknown[] = [];

/**
 * A deep copy of `root` following `rules`; `size`, if given, is increased by what was copied.
 * `stored`: a copy that is kept and only ever copied again, never run — long arrays become shared chunks.
 */
export function cloneGraph<T>(root: T, rules: SnapshotRules, size?: CloneSize, stored = false): T {
  const c = new Cloner(rules, stored);
  const out = c.copy(root, '') as T;
  if (size !== undefined) {
    size.slots += c.slots;
    size.objects += c.memoSize;
  }
  return out;
}

class Cloner {
  private readonly memo = new Map<object, unknown>();
  slots = 0;

  get memoSize(): number {
    return this.memo.size;
  }

  constructor(
    private readonly rules: SnapshotRules,
    private readonly stored: boolean,
  ) {}

  copy(v: unknown, key: string): unknown {
    if (typeof v === 'function') throw new SnapshotError(`cannot snapshot a function (field "${key}"): keep state in data, or implement [CLONE]`);
    if (typeof v !== 'object' || v === null) return v;
    const seen = this.memo.get(v);
    if (seen !== undefined) return seen;
    const rule = this.rules.get(key);
    if (rule === 'share') return v;
    if (Array.isArray(v)) return this.stored && v.length >= MIN_CHUNKED ? this.chunked(v, key, rule) : this.array(v, key, rule);
    if (v instanceof ChunkedArray) return this.unchunk(v, key, rule);
    if (ArrayBuffer.isView(v)) {
      this.slots += (v as unknown as Uint8Array).byteLength >> 3;
      return this.remember(v, (v as unknown as Uint8Array).slice());
    }
    if (v instanceof ChunkedMap) return this.unchunkMap(v, key);
    if (v instanceof Map && this.stored && v.size >= MIN_CHUNKED_MAP) return this.chunkedMap(v, key);
    if (v instanceof Map) {
      const out = this.remember(v, new Map());
      this.slots += 2 * v.size;
      for (const [k, x] of v) out.set(this.copy(k, key), this.copy(x, key));
      return out;
    }
    if (v instanceof Set) {
      const out = this.remember(v, new Set());
      this.slots += v.size;
      for (const x of v) out.add(this.copy(x, key));
      return out;
    }
    if (CLONE in v) return this.remember(v, (v as SelfCloning)[CLONE]());
    const out = this.remember(v, Object.create(Object.getPrototypeOf(v) as object | null) as Record<string, unknown>);
    const keys = Object.keys(v);
    this.slots += keys.length;
    for (const k of keys) out[k] = this.copy((v as Record<string, unknown>)[k], k);
    return out;
  }

  private array(v: readonly unknown[], key: string, rule: SnapshotRule | undefined): unknown[] {
    const out = this.remember(v, new Array<unknown>(v.length));
    this.slots += v.length;
    if (rule === 'elements') {
      for (let i = 0; i < v.length; i++) out[i] = v[i];
    } else if (typeof rule === 'object') {
      for (let i = 0; i < v.length; i++) out[i] = this.fixed(v[i], rule) ? v[i] : this.copy(v[i], key);
    } else {
      for (let i = 0; i < v.length; i++) out[i] = this.copy(v[i], key);
    }
    return out;
  }

  /** An element that may still change is copied; others (primitives, immutable by the rule) are shared. */
  private fixed(x: unknown, rule: SnapshotRule | undefined): boolean {
    if (typeof x !== 'object' || x === null) return true;
    // A stored array inside a list (a log in the checker's views) is always turned back into an array.
    if (x instanceof ChunkedArray) return false;
    return rule === 'elements' || (typeof rule === 'object' && !rule.mutable(x));
  }

  private chunked(v: readonly unknown[], key: string, rule: SnapshotRule | undefined): ChunkedArray {
    const prev = lastStored.get(v);
    const chunks: (readonly unknown[])[] = [];
    for (let lo = 0; lo < v.length; lo += CHUNK) {
      const hi = Math.min(v.length, lo + CHUNK);
      const old = prev?.chunks[lo / CHUNK];
      let same = old !== undefined && old.length === hi - lo;
      for (let i = lo; same && i < hi; i++) same = old![i - lo] === v[i] && this.fixed(v[i], rule);
      if (same) {
        chunks.push(old!);
        continue;
      }
      const chunk = new Array<unknown>(hi - lo);
      for (let i = lo; i < hi; i++) chunk[i - lo] = this.fixed(v[i], rule) ? v[i] : this.copy(v[i], key);
      this.slots += hi - lo;
      chunks.push(chunk);
    }
    this.slots += chunks.length;
    const out = this.remember(v, new ChunkedArray(chunks, v.length));
    lastStored.set(v, out);
    return out;
  }

  private unchunk(c: ChunkedArray, key: string, rule: SnapshotRule | undefined): unknown {
    if (this.stored) return this.remember(c, c); // a stored copy of a stored snapshot shares it whole
    const out = this.remember(c, new Array<unknown>(c.length));
    let i = 0;
    for (const chunk of c.chunks) for (const x of chunk) out[i++] = this.fixed(x, rule) ? x : this.copy(x, key);
    this.slots += c.length;
    // The next stored snapshot of this live array shares these chunks where they still hold.
    lastStored.set(out, c);
    return out;
  }

  private chunkedMap(v: ReadonlyMap<unknown, unknown>, key: string): ChunkedMap {
    const prev = lastStoredMap.get(v);
    const rule = this.rules.get(key);
    const chunks: (readonly unknown[])[] = [];
    let n = 0;
    let same = true;
    const close = (): void => {
      const old = prev?.chunks[chunks.length];
      if (same && old !== undefined && old.length === n) chunks.push(old);
      else {
        // (Sliced first: copying an element may clone another large Map, which uses `pending` too.)
        const chunk = pending.slice(0, n);
        for (let i = 0; i < n; i++) if (!this.fixed(chunk[i], rule)) chunk[i] = this.copy(chunk[i], key);
        this.slots += n;
        chunks.push(chunk);
      }
      n = 0;
      same = true;
    };
    for (const [k, x] of v) {
      const old = prev?.chunks[chunks.length];
      same = same && old !== undefined && old[n] === k && old[n + 1] === x && this.fixed(k, rule) && this.fixed(x, rule);
      pending[n++] = k;
      pending[n++] = x;
      if (n === 2 * CHUNK) close();
    }
    if (n > 0) close();
    pending.length = 0;
    this.slots += chunks.length;
    const out = this.remember(v, new ChunkedMap(chunks, v.size));
    lastStoredMap.set(v, out);
    return out;
  }

  private unchunkMap(c: ChunkedMap, key: string): unknown {
    if (this.stored) return this.remember(c, c);
    const rule = this.rules.get(key);
    const out = this.remember(c, new Map<unknown, unknown>());
    for (const chunk of c.chunks)
      for (let i = 0; i < chunk.length; i += 2) {
        const k = chunk[i];
        const x = chunk[i + 1];
        out.set(this.fixed(k, rule) ? k : this.copy(k, key), this.fixed(x, rule) ? x : this.copy(x, key));
      }
    this.slots += 2 * c.size;
    lastStoredMap.set(out, c);
    return out;
  }

  private remember<T>(from: object, to: T): T {
    this.memo.set(from, to);
    return to;
  }
}
