// A key's operations compiled to integers for the search: every value the key can hold is interned
// once (0 = absent), so a state is a small integer, comparing a read with the state is an integer
// compare, and an append's result is looked up, not rebuilt; the operations are sorted into the
// time-ordered list (and the list of those that never returned) the search walks.
import { MAX_VALUE_LENGTH } from '../../core';
import type { Operation } from './history';

export const enum Kind {
  Get,
  Put,
  PutRefused,
  Delete,
  Cas,
  Append,
}

/** A key's operations compiled to integers, and its initial lists (see KeySearch). */
export interface Compiled {
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

/** The compiled form of each key's operations, shared by the searches of the same operations. */
export const COMPILED = new WeakMap<readonly Operation[], Compiled>();

export function internIn(c: { values: (string | null)[]; ids: Map<string, number> }, v: string | null): number {
  if (v === null) return 0;
  let id = c.ids.get(v);
  if (id === undefined) {
    id = c.values.length;
    c.values.push(v);
    c.ids.set(v, id);
  }
  return id;
}

export function compileKey(ops: readonly Operation[]): Compiled {
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
