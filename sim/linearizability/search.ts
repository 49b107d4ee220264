// The search for one key: Wing & Gong's algorithm as improved by Lowe (and used by Porcupine),
// allocation-free per step. The key's model is compiled to integers first: every value the key can
// hold is interned once (0 = absent), so a state is a small integer, comparing a read with the state
// is an integer compare, and an append's result is looked up, not rebuilt. Configurations (set of
// linearized operations, state) live in one open-addressing table of typed arrays whose size is
// known at every step, so a memory budget can stop the search before the heap runs out.
import { MAX_VALUE_LENGTH } from '../../core';
import { Rng } from '../rng';
import type { Operation } from './history';
import type { State } from './model';

const enum Kind {
  Get,
  Put,
  PutRefused,
  Delete,
  Cas,
  Append,
}

/** Outcome of `KeySearch.run`. */
export type SearchStatus = 'running' | 'ok' | 'illegal' | 'unknown';

const TOKENS: number[] = [];
const tokenRng = new Rng('liferaft/linearizability/zobrist');
function tokensFor(n: number): void {
  while (TOKENS.length < n) TOKENS.push(tokenRng.u32() | 0);
}

/** A set of configurations: bitset words + state id per entry, open addressing on a 32-bit hash. */
class ConfigSet {
  private table: Int32Array;
  private mask: number;
  private data: Uint32Array;
  private hashes: Uint32Array;
  size = 0;
  constructor(private readonly words: number) {
    this.table = new Int32Array(1024);
    this.mask = 1023;
    this.data = new Uint32Array(256 * (words + 1));
    this.hashes = new Uint32Array(256);
  }
  get bytes(): number {
    return this.table.byteLength + this.data.byteLength + this.hashes.byteLength;
  }
  /** Adds (bits, state); false if it was there already. */
  add(bits: Uint32Array, state: number, hash: number): boolean {
    const stride = this.words + 1;
    let slot = hash & this.mask;
    for (;;) {
      const e = this.table[slot]!;
      if (e === 0) break;
      const idx = e - 1;
      if (this.hashes[idx] === hash) {
        const base = idx * stride;
        if (this.data[base] === state) {
          let same = true;
          for (let w = 0; w < this.words; w++) {
            if (this.data[base + 1 + w] !== bits[w]) {
              same = false;
              break;
            }
          }
          if (same) return false;
        }
      }
      slot = (slot + 1) & this.mask;
    }
    const idx = this.size++;
    if (idx >= this.hashes.length) {
      const grown = new Uint32Array(this.hashes.length * 2);
      grown.set(this.hashes);
      this.hashes = grown;
      const d = new Uint32Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    const base = idx * stride;
    this.data[base] = state;
    for (let w = 0; w < this.words; w++) this.data[base + 1 + w] = bits[w]!;
    this.hashes[idx] = hash;
    this.table[slot] = idx + 1;
    if (this.size * 2 > this.table.length) this.grow();
    return true;
  }
  /** Whether (bits with bit `flip` toggled, state) is in the set; `hash` is already that of the toggled bits. */
  hasFlipped(bits: Uint32Array, flip: number, state: number, hash: number): boolean {
    const stride = this.words + 1;
    const fw = flip >>> 5;
    const fb = 1 << (flip & 31);
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      const e = this.table[slot]!;
      if (e === 0) return false;
      const idx = e - 1;
      if (this.hashes[idx] !== hash) continue;
      const base = idx * stride;
      if (this.data[base] !== state) continue;
      let same = true;
      for (let w = 0; w < this.words; w++) {
        const b = w === fw ? (bits[w]! ^ fb) >>> 0 : bits[w]!;
        if (this.data[base + 1 + w] !== b) {
          same = false;
          break;
        }
      }
      if (same) return true;
    }
  }
  private grow(): void {
    const table = new Int32Array(this.table.length * 2);
    const mask = table.length - 1;
    for (let idx = 0; idx < this.size; idx++) {
      let slot = this.hashes[idx]! & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = idx + 1;
    }
    this.table = table;
    this.mask = mask;
  }
}

/** A key's operations compiled to integers, and its initial lists (see KeySearch). */
interface Compiled {
  readonly values: (string | null)[];
  readonly ids: Map<string, number>;
  readonly kind: Uint8Array;
  readonly arg: Int32Array;
  readonly expected: Int32Array;
  readonly outcome: Int8Array;
  readonly appendOut: Int32Array;
  readonly suffix: string[];
  readonly appendMemo: Map<number, number>[];
  readonly readOnly: Uint8Array;
  readonly retTime: Float64Array;
  readonly callTime: Float64Array;
  /** 1 for an operation that never returned. */
  readonly pending: Uint8Array;
  readonly replacer: Uint8Array;
  readonly hasAppends: boolean;
  readonly completed: number;
  readonly next: Int32Array;
  readonly prev: Int32Array;
  readonly pnext: Int32Array;
  readonly pprev: Int32Array;
}

const COMPILED = new WeakMap<readonly Operation[], Compiled>();

function internIn(c: { values: (string | null)[]; ids: Map<string, number> }, v: string | null): number {
  if (v === null) return 0;
  let id = c.ids.get(v);
  if (id === undefined) {
    id = c.values.length;
    c.values.push(v);
    c.ids.set(v, id);
  }
  return id;
}

function compileKey(ops: readonly Operation[]): Compiled {
  const n = ops.length;
  const retTime = new Float64Array(n);
  const callTime = new Float64Array(n);
  const pendingOp = new Uint8Array(n);
  let completed = 0;
  let hasAppends = false;
  for (let i = 0; i < n; i++) {
    const o = ops[i]!;
    callTime[i] = o.call;
    if (o.return === null) {
      pendingOp[i] = 1;
      retTime[i] = Number.POSITIVE_INFINITY;
    } else {
      retTime[i] = o.return;
      completed++;
    }
    if (o.op === 'append') hasAppends = true;
  }
  const c: Compiled = {
    values: [null],
    ids: new Map(),
    kind: new Uint8Array(n),
    arg: new Int32Array(n),
    expected: new Int32Array(n),
    outcome: new Int8Array(n),
    appendOut: new Int32Array(n),
    suffix: hasAppends ? new Array<string>(n).fill('') : [],
    appendMemo: new Array<Map<number, number>>(hasAppends ? n : 0),
    readOnly: new Uint8Array(n),
    retTime,
    callTime,
    pending: pendingOp,
    replacer: new Uint8Array(n),
    hasAppends,
    completed,
    next: new Int32Array(2 * n + 1).fill(-1),
    prev: new Int32Array(2 * n + 1).fill(-1),
    pnext: new Int32Array(n + 1).fill(-1),
    pprev: new Int32Array(n + 1).fill(-1),
  };
  for (let i = 0; i < n; i++) compileOne(c, ops[i]!, i);
  for (let i = 0; i < n; i++) {
    const k = c.kind[i];
    c.replacer[i] = (k === Kind.Put && c.arg[i]! >= 0) || ((k === Kind.Delete || k === Kind.Cas) && c.readOnly[i] === 0) ? 1 : 0;
  }
  // Entries: 2i+1 = call of op i, 2i+2 = return of op i; 0 is the list head. Completed operations
  // only, by time; at equal times calls first (operations touching the same instant count as concurrent).
  const order = sortEntries(callTime, retTime, pendingOp, 2 * completed);
  let last = 0;
  for (let k = 0; k < order.length; k++) {
    const e = order[k]!;
    c.next[last] = e;
    c.prev[e] = last;
    last = e;
  }
  // The pending list, in call order: node n is its head.
  const pending: number[] = [];
  let sorted = true;
  for (let i = 0; i < n; i++) {
    if (pendingOp[i] === 0) continue;
    if (pending.length > 0 && callTime[pending[pending.length - 1]!]! > callTime[i]!) sorted = false;
    pending.push(i);
  }
  if (!sorted) pending.sort((a, b) => callTime[a]! - callTime[b]! || a - b);
  let plast = n;
  for (const i of pending) {
    c.pnext[plast] = i;
    c.pprev[i] = plast;
    plast = i;
  }
  return c;
}

/**
 * The entries of the completed operations (2i+1 call, 2i+2 return) by time, calls first at equal
 * times, then by entry. When every time is a small non-negative integer (line numbers, ticks,
 * milliseconds) the three keys pack exactly into one double and a numeric typed-array sort does it
 * with no comparator; otherwise a comparator sort.
 */
function sortEntries(callTime: Float64Array, retTime: Float64Array, pending: Uint8Array, count: number): Int32Array {
  const n = pending.length;
  const span = 2 * n + 1;
  let integral = true;
  let maxTime = 0;
  for (let i = 0; i < n && integral; i++) {
    if (pending[i] === 1) continue;
    const a = callTime[i]!;
    const b = retTime[i]!;
    if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < 0) integral = false;
    else maxTime = Math.max(maxTime, a, b);
  }
  const order = new Int32Array(count);
  if (integral && (2 * maxTime + 2) * span < Number.MAX_SAFE_INTEGER) {
    const keys = new Float64Array(count);
    let k = 0;
    for (let i = 0; i < n; i++) {
      if (pending[i] === 1) continue;
      keys[k++] = 2 * callTime[i]! * span + (2 * i + 1);
      keys[k++] = (2 * retTime[i]! + 1) * span + (2 * i + 2);
    }
    keys.sort();
    for (let j = 0; j < count; j++) order[j] = keys[j]! % span;
    return order;
  }
  const time = new Float64Array(span);
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (pending[i] === 1) continue;
    time[2 * i + 1] = callTime[i]!;
    time[2 * i + 2] = retTime[i]!;
    order[k++] = 2 * i + 1;
    order[k++] = 2 * i + 2;
  }
  order.sort((a, b) => time[a]! - time[b]! || (b & 1) - (a & 1) || a - b);
  return order;
}

function compileOne(c: Compiled, o: Operation, i: number): void {
  switch (o.op) {
    case 'get':
      if (o.return === null) {
        // A read that never returned has no output and changes nothing.
        c.kind[i] = Kind.Put;
        c.arg[i] = -2;
        break;
      }
      c.kind[i] = Kind.Get;
      c.arg[i] = internIn(c, o.output as string | null);
      c.readOnly[i] = o.return !== null ? 1 : 0;
      break;
    case 'put': {
      const tooLong = o.value!.length > MAX_VALUE_LENGTH;
      if (o.output === false) {
        // Refused: consistent only for a value over the limit, and nothing changes.
        c.kind[i] = Kind.PutRefused;
        c.arg[i] = tooLong ? 1 : 0;
      } else {
        c.kind[i] = Kind.Put;
        // An over-long value is never applied: a put that says it was is inconsistent; a pending one changes nothing.
        c.arg[i] = tooLong ? (o.output === true ? -1 : -2) : internIn(c, o.value!);
      }
      break;
    }
    case 'delete':
      c.kind[i] = Kind.Delete;
      c.outcome[i] = o.output === undefined ? -1 : o.output === true ? 1 : 0;
      c.readOnly[i] = o.return !== null && o.output === false ? 1 : 0;
      break;
    case 'cas':
      c.kind[i] = Kind.Cas;
      c.arg[i] = internIn(c, o.value!);
      c.expected[i] = internIn(c, o.expected ?? null);
      c.outcome[i] = o.output === undefined ? -1 : o.output === true ? 1 : 0;
      c.readOnly[i] = o.return !== null && o.output === false ? 1 : 0;
      break;
    case 'append':
      c.kind[i] = Kind.Append;
      c.suffix[i] = o.value!;
      c.appendMemo[i] = new Map();
      c.appendOut[i] = o.output === undefined ? -1 : internIn(c, o.output as string | null);
      break;
  }
}

/** The search over one key's operations; run it in slices of steps until it is decided. */
export class KeySearch {
  readonly n: number;
  steps = 0;
  status: SearchStatus = 'running';
  reason = '';
  /** The longest linearization found (indices into the operations given); when ok, a whole one. */
  best: number[] = [];

  // Model, compiled.
  private readonly values: (string | null)[];
  private readonly ids: Map<string, number>;
  private readonly kind: Uint8Array;
  private readonly arg: Int32Array; // put/cas: new value id; get: output id
  private readonly expected: Int32Array; // cas: expected id
  private readonly outcome: Int8Array; // cas/delete: 1 true, 0 false, -1 unknown; append: output id + 1 or 0 (unknown)
  private readonly suffix: string[];
  private readonly appendMemo: Map<number, number>[];
  private readonly readOnly: Uint8Array;
  private readonly appendOut: Int32Array;

  // Search state.
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly bits: Uint32Array;
  private bitsHash = 0;
  private readonly stackOp: Int32Array;
  private readonly stackState: Int32Array;
  private readonly stackForced: Uint8Array;
  private depth = 0;
  private state: number;
  /** Whether the current frame is opened (its forced choice looked for, its pending cursor set). */
  private open = false;
  /**
   * Operations that never returned are kept out of the time-ordered list, in a list of their own in
   * call order (they have no return to order; a long Jepsen history holds hundreds). In a frame they
   * are tried first, lazily, one per step: pcur[d] is the next, limit[d] the time of the frame's
   * first pending return (an operation called after it cannot go next). Then the completed
   * candidates, listed earliest return first.
   */
  private readonly pnext: Int32Array;
  private readonly pprev: Int32Array;
  private readonly pcur: Int32Array;
  private readonly limit: Float64Array;

  /** The candidates of each frame on the path, frame after frame, earliest return first. */
  private pool: Int32Array;
  /** For frame d: its candidates are pool[candStart[d] .. candEnd[d]), the next to try at candPos[d]. */
  private readonly candStart: Int32Array;
  private readonly candEnd: Int32Array;
  private readonly candPos: Int32Array;
  private readonly retTime: Float64Array;
  private readonly callTime: Float64Array;
  /** 1 for an operation that never returned. */
  private readonly pending: Uint8Array;
  /** Operations that never returned, among those linearized on the current path. */
  private readonly pendingOn: Int32Array;
  private pendingCount = 0;
  /** Operations that may replace the value (put, delete, cas) rather than extend it. */
  private readonly replacer: Uint8Array;
  private readonly hasAppends: boolean;
  private completed = 0;
  private readonly cache: ConfigSet;

  /**
   * @param pendingLast try operations that never returned after the completed candidates (fast when
   *   most of them did not take effect, as in etcd's Jepsen histories), rather than at their call
   *   (fast when many did). checkHistory runs both orders side by side and takes the first answer.
   */
  constructor(
    readonly ops: readonly Operation[],
    initial: State,
    private readonly maxSteps: number,
    private readonly pendingLast = false,
  ) {
    const n = (this.n = ops.length);
    tokensFor(n);
    // The compiled model and the initial lists, shared by the searches of the same operations (the
    // two orders checkHistory runs): the model's memos are pure, the lists are copied.
    let c = COMPILED.get(ops);
    if (c === undefined) {
      c = compileKey(ops);
      COMPILED.set(ops, c);
    }
    this.values = c.values;
    this.ids = c.ids;
    this.kind = c.kind;
    this.arg = c.arg;
    this.expected = c.expected;
    this.outcome = c.outcome;
    this.appendOut = c.appendOut;
    this.suffix = c.suffix;
    this.appendMemo = c.appendMemo;
    this.readOnly = c.readOnly;
    this.retTime = c.retTime;
    this.callTime = c.callTime;
    this.pending = c.pending;
    this.replacer = c.replacer;
    this.hasAppends = c.hasAppends;
    this.completed = c.completed;
    this.next = c.next.slice();
    this.prev = c.prev.slice();
    this.pnext = c.pnext.slice();
    this.pprev = c.pprev.slice();
    this.state = this.intern(initial);
    this.pcur = new Int32Array(n + 1);
    this.limit = new Float64Array(n + 1);
    const words = (n + 31) >>> 5;
    this.bits = new Uint32Array(words);
    this.cache = new ConfigSet(words);
    this.stackOp = new Int32Array(n);
    this.stackState = new Int32Array(n);
    this.stackForced = new Uint8Array(n);
    this.candStart = new Int32Array(n + 1);
    this.candEnd = new Int32Array(n + 1);
    this.candPos = new Int32Array(n + 1);
    this.pool = new Int32Array(Math.max(64, 4 * n));
    this.pendingOn = new Int32Array(n);
    this.cache.add(this.bits, this.state, this.hash(this.state));
    if (this.completed === 0) this.status = 'ok';
  }

  /** Memory held by the search (the configuration table dominates). */
  get bytes(): number {
    return this.cache.bytes + this.n * 64;
  }

  private intern(v: string | null): number {
    return internIn({ values: this.values, ids: this.ids }, v);
  }

  /** The state after op i from state s, or -1 if op i's output rules it out there. */
  private apply(s: number, i: number): number {
    switch (this.kind[i]) {
      case Kind.Get:
        return this.arg[i] === s ? s : -1;
      case Kind.Put: {
        const a = this.arg[i]!;
        return a >= 0 ? a : a === -2 ? s : -1;
      }
      case Kind.PutRefused:
        return this.arg[i] === 1 ? s : -1;
      case Kind.Delete: {
        const out = this.outcome[i]!;
        return out === -1 || out === (s !== 0 ? 1 : 0) ? 0 : -1;
      }
      case Kind.Cas: {
        const out = this.outcome[i]!;
        const matches = s === this.expected[i];
        if (out === -1) return matches ? this.arg[i]! : s;
        if (out === 1) return matches ? this.arg[i]! : -1;
        return matches ? -1 : s;
      }
      default: {
        const memo = this.appendMemo[i]!;
        let to = memo.get(s);
        if (to === undefined) {
          const cur = this.values[s] ?? '';
          // Over the limit the store refuses it: nothing changes (encoded as -3 - s).
          to = cur.length + this.suffix[i]!.length > MAX_VALUE_LENGTH ? -3 - s : this.intern(cur + this.suffix[i]!);
          memo.set(s, to);
        }
        const out = this.appendOut[i]!;
        if (to < 0) {
          return out === -1 || out === s ? s : -1;
        }
        return out === -1 || out === to ? to : -1;
      }
    }
  }

  private lift(i: number): void {
    if (this.pending[i] === 1) {
      const { pnext, pprev } = this;
      pnext[pprev[i]!] = pnext[i]!;
      if (pnext[i]! >= 0) pprev[pnext[i]!] = pprev[i]!;
      return;
    }
    const { next, prev } = this;
    const c = 2 * i + 1;
    const r = 2 * i + 2;
    next[prev[c]!] = next[c]!;
    if (next[c]! >= 0) prev[next[c]!] = prev[c]!;
    next[prev[r]!] = next[r]!;
    if (next[r]! >= 0) prev[next[r]!] = prev[r]!;
  }

  private unlift(i: number): void {
    if (this.pending[i] === 1) {
      const { pnext, pprev } = this;
      pnext[pprev[i]!] = i;
      if (pnext[i]! >= 0) pprev[pnext[i]!] = i;
      return;
    }
    const { next, prev } = this;
    const c = 2 * i + 1;
    const r = 2 * i + 2;
    next[prev[r]!] = r;
    if (next[r]! >= 0) prev[next[r]!] = r;
    next[prev[c]!] = c;
    if (next[c]! >= 0) prev[next[c]!] = c;
  }

  private flip(i: number): void {
    this.bits[i >>> 5]! ^= 1 << (i & 31);
    this.bitsHash ^= TOKENS[i]!;
  }

  private hash(state: number): number {
    return (this.bitsHash ^ Math.imul(state + 1, 0x9e3779b1)) >>> 0;
  }

  /** Linearizes op i from the current frame into state `to`. */
  private push(i: number, to: number, forced: boolean): void {
    this.stackOp[this.depth] = i;
    this.stackState[this.depth] = this.state;
    this.stackForced[this.depth] = forced ? 1 : 0;
    this.depth++;
    this.lift(i);
    if (this.pending[i] === 0) this.completed--;
    else this.pendingOn[this.pendingCount++] = i;
    this.state = to;
    this.open = false;
  }

  /** Undoes the last choice; false if there was none (the whole search failed). */
  private pop(): boolean {
    // The path is longest just before it shrinks: record it then (not on every step forward).
    if (this.depth > this.best.length) this.best = Array.from(this.stackOp.subarray(0, this.depth));
    for (;;) {
      if (this.depth === 0) return false;
      this.depth--;
      const i = this.stackOp[this.depth]!;
      this.unlift(i);
      this.flip(i);
      if (this.pending[i] === 0) this.completed++;
      else this.pendingCount--;
      this.state = this.stackState[this.depth]!;
      // A forced choice was the only one worth trying in its frame: that frame fails too.
      if (this.stackForced[this.depth] === 1) continue;
      if (this.pending[i] === 1) this.pcur[this.depth] = this.pnext[i]!;
      this.open = true;
      return true;
    }
  }

  /**
   * Runs up to `slice` more steps. At each point only operations called before the first return of
   * a not-yet-linearized operation may go next. Two prunings keep ordinary histories polynomial:
   *  - memoization of (set of linearized operations, state): a configuration is explored once;
   *  - a read-only operation (a read, a cas that reported no swap, a delete that found nothing)
   *    consistent with the current state is linearized at once with no alternatives: moving it to
   *    the front of any valid order keeps the order valid (it changes no state wherever it is
   *    consistent, and every remaining operation returns after its call).
   */
  run(slice: number, shouldStop?: () => boolean): SearchStatus {
    if (this.status !== 'running') return this.status;
    const { next } = this;
    const end = Math.min(this.steps + slice, this.maxSteps);
    while (this.completed > 0) {
      if (this.steps >= end) {
        if (this.steps >= this.maxSteps) return this.giveUp(`search budget of ${this.maxSteps} steps exhausted`);
        return 'running';
      }
      this.steps++;
      if ((this.steps & 0xffff) === 0 && shouldStop?.() === true) return this.giveUp('time budget exhausted');
      const d = this.depth;
      if (!this.open && this.hasAppends && this.doomed()) {
        if (!this.pop()) return this.fail();
        continue;
      }
      if (!this.open) {
        // A new frame: a consistent read-only candidate goes first, alone.
        let forced = -1;
        let e = next[0]!;
        for (; e >= 0 && (e & 1) === 1; e = next[e]!) {
          const i = (e - 1) >> 1;
          if (this.readOnly[i] === 1 && this.apply(this.state, i) >= 0) {
            forced = i;
            break;
          }
        }
        const start = d === 0 ? 0 : this.candEnd[d - 1]!;
        this.candStart[d] = this.candEnd[d] = this.candPos[d] = start;
        if (forced >= 0) {
          this.flip(forced);
          if (this.fresh(this.state, -1)) {
            this.push(forced, this.state, true);
          } else {
            this.flip(forced);
            if (!this.pop()) return this.fail();
          }
          continue;
        }
        // e is the first pending return: operations called after it cannot go next.
        this.limit[d] = e < 0 ? Number.POSITIVE_INFINITY : this.retTime[(e - 2) >> 1]!;
        this.pcur[d] = this.pnext[this.n]!;
        // The completed candidates, earliest return first (the order real linearization points tend to have).
        let top = start;
        for (let c = next[0]!; c >= 0 && (c & 1) === 1; c = next[c]!) {
          const i = (c - 1) >> 1;
          if (top >= this.pool.length) {
            const grown = new Int32Array(this.pool.length * 2);
            grown.set(this.pool);
            this.pool = grown;
          }
          const pool = this.pool;
          const r = this.retTime[i]!;
          let k = top++;
          while (k > start && this.retTime[pool[k - 1]!]! > r) {
            pool[k] = pool[k - 1]!;
            k--;
          }
          pool[k] = i;
        }
        this.candEnd[d] = top;
        this.open = true;
      }
      // The next candidate: an operation that never returned, at its call (the earliest it can take
      // effect), or a completed one, at its return, whichever comes first — or, pendingLast, the
      // completed ones first.
      let pc = this.pcur[d]!;
      if (pc >= 0 && this.callTime[pc]! > this.limit[d]!) pc = this.pcur[d] = -1;
      const pos = this.candPos[d]!;
      const cc = pos < this.candEnd[d]! ? this.pool[pos]! : -1;
      if (pc < 0 && cc < 0) {
        // No candidate left: backtrack.
        if (!this.pop()) return this.fail();
        continue;
      }
      let i: number;
      if (pc >= 0 && (cc < 0 || (!this.pendingLast && this.callTime[pc]! <= this.retTime[cc]!))) {
        i = pc;
        this.pcur[d] = this.pnext[pc]!;
      } else {
        i = cc;
        this.candPos[d] = pos + 1;
      }
      const to = this.apply(this.state, i);
      if (to < 0) continue;
      this.flip(i);
      if (!this.fresh(to, i === pc ? pc : -1)) {
        this.flip(i);
        continue;
      }
      this.push(i, to, false);
    }
    this.best = Array.from(this.stackOp.subarray(0, this.depth));
    this.status = 'ok';
    return 'ok';
  }

  /**
   * Whether the configuration (current bits, state) is worth exploring, recording it if so. Not if it
   * was seen, nor if it is dominated: the same configuration without one of its linearized
   * operations that never returned was seen. Such an operation may also never take effect, so
   * whatever can follow the configuration with it can follow the one without it. (`extra`: a
   * pending operation just linearized, not yet in pendingOn.)
   */
  private fresh(state: number, extra: number): boolean {
    const h = this.hash(state);
    if (extra >= 0 && this.cache.hasFlipped(this.bits, extra, state, (h ^ (TOKENS[extra]! >>> 0)) >>> 0)) return false;
    // The most recently linearized ones only: any subset of these checks is sound, and a long
    // history holds hundreds of operations that never returned.
    for (let k = Math.max(0, this.pendingCount - 8); k < this.pendingCount; k++) {
      const p = this.pendingOn[k]!;
      if (this.cache.hasFlipped(this.bits, p, state, (h ^ (TOKENS[p]! >>> 0)) >>> 0)) return false;
    }
    return this.cache.add(this.bits, state, h);
  }

  /**
   * Whether the current value can no longer explain a read still to come. Until an operation that
   * may replace the value (put, delete, cas) can take effect, the value only grows by appends; so a
   * read (or an append's reported result) that must take effect before then has to extend it. The
   * list is in time order: its return entries before the first replacer's call are such reads.
   */
  private doomed(): boolean {
    const cur = this.values[this.state]!;
    if (cur === null) return false;
    // Operations that never returned are in their own list: the first that may replace the value
    // (or the first not looked at) bounds the reads to check.
    let stopAt = Number.POSITIVE_INFINITY;
    let budget = 64;
    for (let p = this.pnext[this.n]!; p >= 0; p = this.pnext[p]!) {
      if (this.replacer[p] === 1 || budget-- <= 0) {
        stopAt = this.callTime[p]!;
        break;
      }
    }
    budget = 64;
    for (let e = this.next[0]!; e >= 0 && budget-- > 0; e = this.next[e]!) {
      const i = (e - 1) >> 1;
      if (e & 1) {
        if (this.replacer[i] === 1) return false;
        continue;
      }
      if (this.retTime[i]! >= stopAt) return false;
      const k = this.kind[i];
      const out = k === Kind.Get ? this.arg[i]! : k === Kind.Append ? this.appendOut[i]! : -1;
      if (out < 0) continue;
      const v = this.values[out];
      if (v === null || v === undefined || !v.startsWith(cur)) return true;
    }
    return false;
  }

  private fail(): SearchStatus {
    this.status = 'illegal';
    return 'illegal';
  }

  giveUp(reason: string): SearchStatus {
    this.status = 'unknown';
    this.reason = reason;
    return 'unknown';
  }
}
