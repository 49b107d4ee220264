// Linearizability checking of key/value histories: Wing & Gong's search as improved by Lowe
// ("Testing for linearizability", 2017) and used by Porcupine (search.ts). P-compositionality:
// every operation touches one key, so each key's sub-history is checked on its own; the keys are
// searched in turns of a fixed number of steps, so one key that is hard to decide does not hide
// another that fails quickly. Budgets are counted in search steps and bytes (so the answer is
// deterministic); past a budget the answer is `unknown`, with the reason.
import type { Operation } from './history';
import type { State } from './model';
import { KeySearch } from './search';

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
  readonly searchStepsMax?: number;
  /** Asked now and then; true gives up with `unknown` (the CLI passes a wall-clock deadline). */
  readonly shouldStop?: () => boolean;
  /** Reduce an illegal key's operations to a minimal failing set (default true). */
  readonly minimize?: boolean;
  /** What every key holds before the first operation (default null: absent). */
  readonly initial?: State;
  /** Memory the searches may hold at once (default 1 GiB); past it the answer is `unknown`. */
  readonly memoryBytesMax?: number;
}

const DEFAULT_MAX_STEPS = 20_000_000;
const DEFAULT_MAX_BYTES = 1024 * 2 ** 20;
/** Steps a key searches before the next key takes its turn. */
const SLICE = 4096;
/** The least a minimization may spend, however quickly the key was decided. */
const MIN_MINIMIZE_STEPS = 200_000;

/** One key being checked. */
interface Running {
  readonly key: string;
  readonly indices: readonly number[];
  /** indices of the searched operations (a read that never returned is left out: it can always go). */
  readonly kept: readonly number[];
  /**
   * The same search in two orders of the operations that never returned (see KeySearch): each is
   * complete, so the first to finish decides — at most twice the steps of the better order.
   */
  readonly searches: KeySearch[];
  /** The searches to make (the second only if the first does not decide in its first turn). */
  readonly orders: readonly boolean[];
}

/** The history split by key (P-compositionality: each key is checked alone), each with its first search. */
function startKeys(history: readonly Operation[], initial: State, maxSteps: number): { byKey: Map<string, number[]>; running: Running[] } {
  const byKey = new Map<string, number[]>();
  history.forEach((o, i) => {
    let list = byKey.get(o.key);
    if (list === undefined) byKey.set(o.key, (list = []));
    list.push(i);
  });
  const running: Running[] = [];
  for (const [key, indices] of byKey) {
    const kept = indices.filter((i) => !(history[i]!.op === 'get' && history[i]!.return === null));
    const ops = kept.map((i) => history[i]!);
    running.push({
      key,
      indices,
      kept,
      searches: [new KeySearch(ops, initial, maxSteps, true)],
      orders: ops.some((o) => o.return === null) ? [true, false] : [true],
    });
  }
  return { byKey, running };
}

export function checkHistory(history: readonly Operation[], opts: CheckOptions = {}): LinResult {
  const maxSteps = opts.searchStepsMax ?? DEFAULT_MAX_STEPS;
  const maxBytes = opts.memoryBytesMax ?? DEFAULT_MAX_BYTES;
  const initial = opts.initial ?? null;
  const start = startKeys(history, initial, maxSteps);
  const byKey = start.byKey;
  let running = start.running;
  const bytesOf = (r: Running): number => r.searches.reduce((b, s) => b + (s.status === 'running' ? s.bytes : 0), 0);
  let total = 0;
  let unknown: { key: string; reason: string } | null = null;
  // Turns of SLICE steps, key after key, until every key is decided or one is illegal.
  while (running.length > 0) {
    const still: Running[] = [];
    for (const r of running) {
      let decided: 'ok' | 'illegal' | null = null;
      let undecided = 0;
      if (r.searches.length < r.orders.length && r.searches[0]!.steps > 0)
        r.searches.push(new KeySearch(r.searches[0]!.ops, initial, maxSteps, r.orders[r.searches.length]!));
      for (const search of r.searches) {
        const before = search.steps;
        const status = search.run(SLICE, opts.shouldStop);
        total += search.steps - before;
        if (status === 'ok' || status === 'illegal') {
          decided = status;
          if (status === 'illegal') {
            const partial = search.best.map((j) => r.kept[j]!);
            const minimal =
              opts.minimize === false
                ? [...r.indices]
                : minimize(
                    history,
                    r.indices,
                    opts,
                    r.searches.reduce((n, x) => n + x.steps, 0),
                  );
            return { result: 'illegal', key: r.key, operations: minimal, partial, searchSteps: total };
          }
          break;
        }
        if (status === 'unknown') undecided++;
      }
      if (decided === 'ok') continue;
      if (undecided === r.orders.length) {
        unknown ??= { key: r.key, reason: r.searches[0]!.reason };
        continue;
      }
      still.push(r);
    }
    running = still;
    if (running.length > 0) {
      let held = 0;
      for (const r of running) held += bytesOf(r);
      if (held > maxBytes) {
        const worst = running.reduce((a, b) => (bytesOf(b) > bytesOf(a) ? b : a));
        unknown ??= {
          key: worst.key,
          reason: `memory budget of ${mib(maxBytes)} reached (${mib(held)} of search state; this key held ${mib(bytesOf(worst))} after ${worst.searches.reduce((n, s) => n + s.steps, 0)} steps)`,
        };
        break;
      }
    }
  }
  if (unknown !== null) return { result: 'unknown', key: unknown.key, reason: unknown.reason, searchSteps: total };
  return { result: 'ok', keys: byKey.size, operations: history.length, searchSteps: total };
}

function mib(bytes: number): string {
  const m = bytes / 2 ** 20;
  return `${m >= 10 ? Math.round(m) : m.toFixed(2)} MiB`;
}

/** Runs one search (both orders, in turns) to its end or its budget; the steps it took. */
function decide(
  ops: readonly Operation[],
  initial: State,
  maxSteps: number,
  shouldStop: (() => boolean) | undefined,
): { status: 'ok' | 'illegal' | 'unknown'; steps: number } {
  const kept = ops.filter((o) => !(o.op === 'get' && o.return === null));
  const searches = kept.some((o) => o.return === null)
    ? [new KeySearch(kept, initial, maxSteps, true), new KeySearch(kept, initial, maxSteps, false)]
    : [new KeySearch(kept, initial, maxSteps)];
  const steps = (): number => searches.reduce((n, s) => n + s.steps, 0);
  for (;;) {
    let gaveUp = 0;
    for (const s of searches) {
      const status = s.run(SLICE, shouldStop);
      if (status === 'ok' || status === 'illegal') return { status, steps: steps() };
      if (status === 'unknown') gaveUp++;
    }
    if (gaveUp === searches.length) return { status: 'unknown', steps: steps() };
  }
}

/**
 * A small set of the key's operations that still cannot be linearized: first the shortest prefix
 * (by call time) that fails — operations still running at the cut count as pending, which only adds
 * freedom, so the same operations with their real returns fail too — then ddmin.
 */
function minimize(history: readonly Operation[], indices: readonly number[], opts: CheckOptions, decidedIn: number): number[] {
  const m = new Minimizer(history, indices, opts, decidedIn);
  const byCall = [...indices].sort((a, b) => history[a]!.call - history[b]!.call || a - b);
  // Prefixes are monotone (a prefix of a linearizable history is linearizable), so binary search.
  const n = byCall.length;
  const cutOf = (k: number): number => (k === n ? Number.POSITIVE_INFINITY : history[byCall[k - 1]!]!.call);
  let lo = 1;
  let hi = n; // the whole key is known to fail
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (m.fails(byCall.slice(0, mid), cutOf(mid))) hi = mid;
    else lo = mid + 1;
  }
  const cut = cutOf(hi);
  let current = byCall.slice(0, hi);
  m.keepAppendsOf(current);
  // ddmin: remove chunks, halving their size, while the rest still fails; then single operations
  // until none can go (an operation may become removable once another is gone: a cas kept only
  // because a read needed it as a writer, say), so no one operation of the answer is superfluous.
  const pass = (size: number): boolean => {
    let removed = false;
    for (let k = 0; k < current.length; ) {
      const candidate = [...current.slice(0, k), ...current.slice(k + size)];
      if (candidate.length > 0 && m.fails(candidate, cut)) {
        current = candidate;
        removed = true;
      } else k += size;
    }
    return removed;
  };
  for (let size = Math.ceil(current.length / 2); size > 1; size = Math.ceil(size / 2)) pass(size);
  while (pass(1) && m.budget > 0);
  return current.sort((a, b) => a - b);
}

/** Per value, the two earliest calls of operations that write it (put, cas), and the first's index. */
type Writers = Map<string, { first: number; firstOp: number; second: number }>;

function writersOf(history: readonly Operation[], subset: Iterable<number>): Writers {
  const m: Writers = new Map();
  for (const i of subset) {
    const o = history[i]!;
    if (o.op !== 'put' && o.op !== 'cas') continue;
    const w = m.get(o.value!);
    if (w === undefined) m.set(o.value!, { first: o.call, firstOp: i, second: Number.POSITIVE_INFINITY });
    else if (o.call < w.first) m.set(o.value!, { first: o.call, firstOp: i, second: w.first });
    else if (o.call < w.second) w.second = o.call;
  }
  return m;
}

/** The earliest call of a writer of v other than op `self`. */
function writtenBy(m: Writers, v: string, self: number): number {
  const w = m.get(v);
  if (w === undefined) return Number.POSITIVE_INFINITY;
  return w.firstOp === self ? w.second : w.first;
}

/** The candidates a minimization tries: which it accepts, and the search steps it has left. */
class Minimizer {
  /**
   * Search steps for the whole minimization: twice what deciding the key took. When it runs out,
   * the smallest failing set found so far is the answer.
   */
  budget: number;
  private readonly allWritten: Writers;
  private readonly appendsOfKey = new Set<number>();
  private requiredAppends = 0;

  constructor(
    private readonly history: readonly Operation[],
    indices: readonly number[],
    private readonly opts: CheckOptions,
    decidedIn: number,
  ) {
    this.budget = Math.min(opts.searchStepsMax ?? DEFAULT_MAX_STEPS, Math.max(MIN_MINIMIZE_STEPS, 2 * decidedIn));
    this.allWritten = writersOf(history, indices);
    for (const i of indices) if (history[i]!.op === 'append') this.appendsOfKey.add(i);
  }

  /** From now on a candidate keeps every append of `ops` (their outputs depend on every earlier append). */
  keepAppendsOf(ops: readonly number[]): void {
    this.requiredAppends = ops.filter((i) => this.appendsOfKey.has(i)).length;
  }

  /**
   * A candidate must still explain what it keeps: otherwise the "minimal" answer would often be a
   * lone read (or cas, or delete) whose writer was removed, which says nothing. So a read of a value
   * some put/cas wrote, a cas (successful, or pending: it may be what wrote a value read later) of
   * such a value, and a delete that found the key keep a possible writer; and appends are never
   * removed. A writer is another operation (a cas from "0" to "0" does not explain itself) called
   * before the reader returned: a read of 2 "explained" by a write of 2 that started after the read
   * ended would blame the wrong operations.
   */
  private explained(subset: readonly number[]): boolean {
    const history = this.history;
    const written = writersOf(history, subset);
    let writers = 0;
    let appends = 0;
    for (const i of subset) {
      const o = history[i]!;
      if (o.op !== 'get' && o.op !== 'delete') writers++;
      if (o.op === 'append') appends++;
    }
    if (appends < this.requiredAppends) return false;
    return subset.every((i) => {
      const o = history[i]!;
      const by = o.return ?? Number.POSITIVE_INFINITY;
      const needs = (v: string | null | undefined): boolean =>
        typeof v !== 'string' || this.appendsOfKey.size > 0 || !(writtenBy(this.allWritten, v, i) < by) || writtenBy(written, v, i) < by;
      if (o.op === 'get') return needs(o.output as string | null | undefined);
      if (o.op === 'cas' && o.output !== false) return needs(o.expected);
      if (o.op === 'delete' && o.output === true) return writers > 0;
      return true;
    });
  }

  /** Whether `subset`, cut at time `cut` (later returns become pending), explains itself and still fails. */
  fails(subset: readonly number[], cut: number): boolean {
    if (!this.explained(subset)) return false;
    if (this.budget <= 0) return false;
    const ops = subset.map((i) => {
      const o = this.history[i]!;
      if (o.return === null || o.return <= cut) return o;
      const { output: _output, ...rest } = o;
      return { ...rest, return: null };
    });
    const r = decide(ops, this.opts.initial ?? null, this.budget, this.opts.shouldStop);
    this.budget -= r.steps;
    return r.status === 'illegal';
  }
}
