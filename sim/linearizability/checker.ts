// Linearizability checking of key/value histories: Wing & Gong's search as improved by Lowe
// ("Testing for linearizability", 2017) and used by Porcupine — entries in a doubly linked list,
// operations linearized just in time, and memoization of (set of linearized operations, model
// state) so no configuration is explored twice. P-compositionality: every operation touches one
// key, so each key's sub-history is checked on its own. Budgets are counted in search steps (so the
// answer is deterministic); past the budget the answer is `unknown`.
import { Rng } from '../rng';
import type { Operation } from './history';
import { step, type State } from './model';

export type LinResult =
  | { readonly result: 'ok'; readonly keys: number; readonly operations: number; readonly searchSteps: number }
  | {
      readonly result: 'illegal';
      readonly key: string;
      /** A minimal set of operations (indices into the history) that cannot be linearized. */
      readonly operations: readonly number[];
      /** The longest partial linearization found for the key, in order (indices into the history). */
      readonly partial: readonly number[];
      readonly searchSteps: number;
    }
  | { readonly result: 'unknown'; readonly key: string; readonly reason: string; readonly searchSteps: number };

export interface CheckOptions {
  /** Search steps allowed for one key (default 20M). */
  readonly maxSearchSteps?: number;
  /** Asked now and then; true gives up with `unknown` (the CLI passes a wall-clock deadline). */
  readonly shouldStop?: () => boolean;
  /** Reduce an illegal key's operations to a minimal failing set (default true). */
  readonly minimize?: boolean;
}

type Partial = { readonly ok: true; readonly steps: number } | { readonly ok: false; readonly steps: number; readonly partial: number[] } | { readonly ok: 'unknown'; readonly steps: number; readonly reason: string };

const DEFAULT_MAX_STEPS = 20_000_000;

export function checkHistory(history: readonly Operation[], opts: CheckOptions = {}): LinResult {
  const byKey = new Map<string, number[]>();
  history.forEach((o, i) => {
    let list = byKey.get(o.key);
    if (list === undefined) byKey.set(o.key, (list = []));
    list.push(i);
  });
  let total = 0;
  for (const [key, indices] of byKey) {
    const r = checkKey(history, indices, opts);
    total += r.steps;
    if (r.ok === 'unknown') return { result: 'unknown', key, reason: r.reason, searchSteps: total };
    if (r.ok === false) {
      const minimal = opts.minimize === false ? indices : minimize(history, indices, opts);
      return { result: 'illegal', key, operations: minimal, partial: r.partial.map((i) => indices[i]!), searchSteps: total };
    }
  }
  return { result: 'ok', keys: byKey.size, operations: history.length, searchSteps: total };
}

/** Checks the operations `indices` of `history` (all on one key). */
function checkKey(history: readonly Operation[], indices: readonly number[], opts: CheckOptions): Partial {
  // A read that never returned has no effect and no output: it can always be left out.
  const ops = indices.map((i) => history[i]!).filter((o) => !(o.op === 'get' && o.return === null));
  const kept = indices.filter((i) => !(history[i]!.op === 'get' && history[i]!.return === null));
  const r = search(ops, opts.maxSearchSteps ?? DEFAULT_MAX_STEPS, opts.shouldStop);
  if (r.ok === false) return { ...r, partial: r.partial.map((j) => indices.indexOf(kept[j]!)) };
  return r;
}

const TOKENS = (() => {
  const rng = new Rng('liferaft/linearizability/zobrist');
  return (n: number, into: number[]): void => {
    while (into.length < n) into.push(rng.u32() | 0);
  };
})();
const tokens: number[] = [];

function hashString(s: State): number {
  if (s === null) return 0x2f6b3a1d;
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h | 0;
}

interface Frame {
  /** Operations that may be linearized next (their call is before the first pending return). */
  readonly candidates: number[];
  pos: number;
  /** The operation linearized from this frame for the subtree being explored, or -1. */
  chosen: number;
  /** The chosen operation left the state unchanged: trying the others instead cannot help. */
  forced: boolean;
  readonly state: State;
}

/**
 * Depth-first search over linearization orders of one key's operations. At each point only the
 * operations called before the first return of a not-yet-linearized operation may go next. Two
 * prunings keep ordinary histories polynomial:
 *  - memoization of (set of linearized operations, state): a configuration is explored once;
 *  - a read-only operation (a read, a cas that reported no swap, a delete that found nothing)
 *    consistent with the current state is linearized now with no alternatives: moving it to the
 *    front of any valid order keeps the order valid (it changes no state wherever it is consistent,
 *    and every remaining operation returns after its call).
 * Other candidates are tried earliest-return first, the order real linearization points tend to have.
 */
function search(ops: readonly Operation[], maxSteps: number, shouldStop: (() => boolean) | undefined): Partial {
  const n = ops.length;
  TOKENS(n, tokens);
  // Entries: 2i+1 = call of op i, 2i+2 = return of op i; 0 is the list head.
  const order: number[] = [];
  for (let i = 0; i < n; i++) order.push(2 * i + 1, 2 * i + 2);
  const ret = (i: number): number => ops[i]!.return ?? Number.POSITIVE_INFINITY;
  const time = (e: number): number => (e & 1 ? ops[(e - 1) >> 1]!.call : ret((e - 1) >> 1));
  // By time; at equal times calls first (operations touching the same instant count as concurrent).
  order.sort((a, b) => time(a) - time(b) || (b & 1) - (a & 1) || a - b);
  const next = new Int32Array(2 * n + 1).fill(-1);
  const prev = new Int32Array(2 * n + 1).fill(-1);
  let last = 0;
  for (const e of order) {
    next[last] = e;
    prev[e] = last;
    last = e;
  }
  const lift = (i: number): void => {
    const c = 2 * i + 1;
    const r = 2 * i + 2;
    next[prev[c]!] = next[c]!;
    if (next[c]! >= 0) prev[next[c]!] = prev[c]!;
    next[prev[r]!] = next[r]!;
    if (next[r]! >= 0) prev[next[r]!] = prev[r]!;
  };
  const unlift = (i: number): void => {
    const c = 2 * i + 1;
    const r = 2 * i + 2;
    next[prev[r]!] = r;
    if (next[r]! >= 0) prev[next[r]!] = r;
    next[prev[c]!] = c;
    if (next[c]! >= 0) prev[next[c]!] = c;
  };

  const words = (n + 31) >>> 5;
  const bits = new Uint32Array(words);
  let bitsHash = 0;
  const flip = (i: number): void => {
    bits[i >>> 5]! ^= 1 << (i & 31);
    bitsHash ^= tokens[i]!;
  };
  const cache = new Map<number, { bits: Uint32Array; state: State }[]>();
  /** Records the configuration; true if it was seen before. */
  const seen = (state: State): boolean => {
    const key = (bitsHash ^ Math.imul(hashString(state), 0x9e3779b1)) >>> 0;
    const bucket = cache.get(key);
    if (bucket !== undefined) {
      for (const c of bucket) {
        if (c.state !== state) continue;
        let same = true;
        for (let w = 0; w < words && same; w++) same = c.bits[w] === bits[w];
        if (same) return true;
      }
    }
    const entry = { bits: bits.slice(), state };
    if (bucket === undefined) cache.set(key, [entry]);
    else bucket.push(entry);
    return false;
  };

  // Operations that leave the state unchanged wherever they are consistent: a read, a cas that
  // reported no swap, a delete that found nothing. (Not a pending operation, nor a put of the current
  // value: placed elsewhere, those would change the state.)
  const readOnly = new Uint8Array(n);
  ops.forEach((o, i) => {
    if (o.return !== null && (o.op === 'get' || (o.op === 'cas' && o.output === false) || (o.op === 'delete' && o.output === false))) readOnly[i] = 1;
  });

  /** The candidates at the current point, in the order to try them. */
  const frameAt = (state: State): Frame => {
    const candidates: number[] = [];
    for (let e = next[0]!; e >= 0 && (e & 1) === 1; e = next[e]!) {
      const i = (e - 1) >> 1;
      if (readOnly[i] === 1 && step(state, ops[i]!)[0]) return { candidates: [i], pos: 0, chosen: -1, forced: true, state };
      candidates.push(i);
    }
    candidates.sort((a, b) => ret(a) - ret(b) || a - b);
    return { candidates, pos: 0, chosen: -1, forced: false, state };
  };

  let completed = 0;
  for (const o of ops) if (o.return !== null) completed++;
  const frames: Frame[] = [frameAt(null)];
  const chosen: number[] = [];
  let best: number[] = [];
  let steps = 0;
  while (completed > 0) {
    if (++steps > maxSteps) return { ok: 'unknown', steps, reason: `search budget of ${maxSteps} steps exhausted` };
    if ((steps & 0xffff) === 0 && shouldStop?.() === true) return { ok: 'unknown', steps, reason: 'time budget exhausted' };
    const f = frames[frames.length - 1]!;
    if (f.chosen >= 0) {
      // The subtree below f.chosen failed: undo it.
      unlift(f.chosen);
      flip(f.chosen);
      if (ops[f.chosen]!.return !== null) completed++;
      chosen.pop();
      f.chosen = -1;
      if (f.forced) f.pos = f.candidates.length;
    }
    let advanced = false;
    while (f.pos < f.candidates.length) {
      const c = f.candidates[f.pos++]!;
      const [ok, ns] = step(f.state, ops[c]!);
      if (!ok) continue;
      flip(c);
      if (seen(ns)) {
        flip(c);
        if (f.forced) f.pos = f.candidates.length;
        continue;
      }
      lift(c);
      if (ops[c]!.return !== null) completed--;
      f.chosen = c;
      chosen.push(c);
      if (chosen.length > best.length) best = chosen.slice();
      frames.push(frameAt(ns));
      advanced = true;
      break;
    }
    if (advanced) continue;
    frames.pop();
    if (frames.length === 0) return { ok: false, steps, partial: best };
  }
  return { ok: true, steps };
}

/**
 * A small set of the key's operations that still cannot be linearized: first the shortest prefix
 * (by call time) that fails — operations still running at the cut count as pending, which only adds
 * freedom, so the same operations with their real returns fail too — then ddmin.
 */
function minimize(history: readonly Operation[], indices: readonly number[], opts: CheckOptions): number[] {
  const byCall = [...indices].sort((a, b) => history[a]!.call - history[b]!.call || a - b);
  let checks = 400;
  // A candidate must still explain what it keeps: otherwise the "minimal" answer would often be a
  // lone read (or cas, or delete) whose writer was removed, which says nothing. So a read of a value
  // some put/cas wrote, a successful cas of such a value, and a delete that found the key keep a
  // possible writer; and appends are never removed (their outputs depend on every earlier append).
  const allWritten = new Set<string>();
  const appendsOfKey = new Set<number>();
  for (const i of indices) {
    const o = history[i]!;
    if (o.op === 'put' || o.op === 'cas') allWritten.add(o.value!);
    if (o.op === 'append') appendsOfKey.add(i);
  }
  const explained = (subset: readonly number[]): boolean => {
    const written = new Set<string>();
    let writers = 0;
    let appends = 0;
    for (const i of subset) {
      const o = history[i]!;
      if (o.op === 'put' || o.op === 'cas') written.add(o.value!);
      if (o.op !== 'get' && o.op !== 'delete') writers++;
      if (o.op === 'append') appends++;
    }
    if (appends < requiredAppends) return false;
    return subset.every((i) => {
      const o = history[i]!;
      const needs = (v: string | null | undefined): boolean => typeof v !== 'string' || !allWritten.has(v) || written.has(v) || appendsOfKey.size > 0;
      if (o.op === 'get') return needs(o.output as string | null | undefined);
      if (o.op === 'cas' && o.output === true) return needs(o.expected);
      if (o.op === 'delete' && o.output === true) return writers > 0;
      return true;
    });
  };
  let requiredAppends = 0;
  const fails = (subset: readonly number[], cut: number): boolean => {
    if (!explained(subset)) return false;
    if (checks-- <= 0) return false;
    const ops = subset.map((i) => {
      const o = history[i]!;
      if (o.return === null || o.return <= cut) return o;
      const { output: _output, ...rest } = o;
      return { ...rest, return: null };
    });
    return search(ops, Math.min(opts.maxSearchSteps ?? DEFAULT_MAX_STEPS, 2_000_000), opts.shouldStop).ok === false;
  };
  // Prefixes are monotone (a prefix of a linearizable history is linearizable), so binary search.
  const n = byCall.length;
  const cutOf = (k: number): number => (k === n ? Number.POSITIVE_INFINITY : history[byCall[k - 1]!]!.call);
  let lo = 1;
  let hi = n; // the whole key is known to fail
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (fails(byCall.slice(0, mid), cutOf(mid))) hi = mid;
    else lo = mid + 1;
  }
  const cut = cutOf(hi);
  let current = byCall.slice(0, hi);
  requiredAppends = current.filter((i) => appendsOfKey.has(i)).length;
  // ddmin: remove chunks, halving their size, while the rest still fails.
  for (let size = Math.ceil(current.length / 2); size >= 1; size = size === 1 ? 0 : Math.ceil(size / 2)) {
    for (let k = 0; k < current.length;) {
      const candidate = [...current.slice(0, k), ...current.slice(k + size)];
      if (candidate.length > 0 && fails(candidate, cut)) current = candidate;
      else k += size;
    }
  }
  return current.sort((a, b) => a - b);
}
