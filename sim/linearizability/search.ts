// The search for one key: Wing & Gong's algorithm as improved by Lowe (and used by Porcupine),
// allocation-free per step, over the key's operations compiled to integers (compile.ts), with the
// configurations seen kept in a table of typed arrays (config-set.ts) whose size is known at every
// step, so a memory budget can stop the search before the heap runs out.
import { MAX_VALUE_LENGTH } from '../../core';
import { COMPILED, compileKey, internIn, Kind } from './compile';
import { ConfigSet, TOKENS, tokensFor } from './config-set';
import type { Operation } from './history';
import type { State } from './model';

/** Outcome of `KeySearch.run`. */
export type SearchStatus = 'running' | 'ok' | 'illegal' | 'unknown';

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
   *
   * (The search's hot loop, kept whole on purpose: with opening a frame moved to a method of its
   * own, `npm run bench:lin`'s 20%-:info register class took 1.7× as long — 4.2 against 2.5 ms, mean
   * of four alternating runs — while the large classes did not change.)
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
