// Copies of a running simulation's object graph, for the debugger's checkpoints (time travel is
// "restore the nearest checkpoint, re-execute deterministically"). One generic deep copy keeps every
// field a class gains later in the snapshot without anyone having to remember to add it; what must
// not be copied is said once, by field name, where the data is defined (Simulation.SNAPSHOT_RULES).
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

/** A deep copy of `root` following `rules`; `size`, if given, is increased by what was copied. */
export function cloneGraph<T>(root: T, rules: SnapshotRules, size?: CloneSize): T {
  const c = new Cloner(rules);
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

  constructor(private readonly rules: SnapshotRules) {}

  copy(v: unknown, key: string): unknown {
    if (typeof v === 'function') throw new SnapshotError(`cannot snapshot a function (field "${key}"): keep state in data, or implement [CLONE]`);
    if (typeof v !== 'object' || v === null) return v;
    const seen = this.memo.get(v);
    if (seen !== undefined) return seen;
    const rule = this.rules.get(key);
    if (rule === 'share') return v;
    if (Array.isArray(v)) return this.array(v, key, rule);
    if (ArrayBuffer.isView(v)) {
      this.slots += (v as unknown as Uint8Array).byteLength >> 3;
      return this.remember(v, (v as unknown as Uint8Array).slice());
    }
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
      for (let i = 0; i < v.length; i++) out[i] = rule.mutable(v[i]) ? this.copy(v[i], key) : v[i];
    } else {
      for (let i = 0; i < v.length; i++) out[i] = this.copy(v[i], key);
    }
    return out;
  }

  private remember<T>(from: object, to: T): T {
    this.memo.set(from, to);
    return to;
  }
}
