// Linearizable histories made to order (benchmarks and tests): clients run operations with random
// durations; each takes effect at a random instant inside its interval, in that order, against the
// model — so the outputs are those of some linearization, and the intervals overlap as they would.
import { Rng } from '../rng';
import type { LinOpKind, Operation } from './history';
import { step, type State } from './model';

export interface GenerateOptions {
  readonly operations: number;
  readonly keys: number;
  readonly clients: number;
  /** Longest operation, in time units (operations last 1..maxDuration). */
  readonly maxDuration: number;
  /** Longest pause of a client between operations. */
  readonly maxGap: number;
  /** Chance that an operation never returns (its client then stops). */
  readonly pendingRatio: number;
  readonly seed: number;
}

export function generateHistory(o: GenerateOptions): Operation[] {
  const rng = new Rng(`liferaft/lin-generate/${o.seed}`);
  const kinds: LinOpKind[] = ['get', 'get', 'put', 'cas', 'append', 'delete'];
  type Planned = { op: Omit<Operation, 'output'>; point: number; returns: boolean };
  const planned: Planned[] = [];
  const clock = new Array<number>(o.clients).fill(0);
  const stopped = new Array<boolean>(o.clients).fill(false);
  let made = 0;
  let next = 0;
  while (made < o.operations && stopped.some((s) => !s)) {
    const c = next++ % o.clients;
    if (stopped[c]) continue;
    const call = clock[c]! + rng.intIn(0, o.maxGap);
    const ret = call + rng.intIn(1, o.maxDuration);
    const point = call + rng.next() * (ret - call);
    const kind = rng.pick(kinds);
    const key = `k${rng.int(o.keys)}`;
    const value = `v${made}`;
    const base = { client: `c${c}`, op: kind, key, call, return: ret as number | null };
    const op: Omit<Operation, 'output'> =
      kind === 'put' || kind === 'append'
        ? { ...base, value }
        : kind === 'cas'
          ? { ...base, value, expected: rng.next() < 0.5 ? null : `v${rng.int(Math.max(1, made))}` }
          : base;
    const pending = rng.chance(o.pendingRatio) && kind !== 'get';
    if (pending) stopped[c] = true;
    planned.push({ op: pending ? { ...op, return: null } : op, point, returns: !pending });
    clock[c] = ret;
    made++;
  }
  // Apply in linearization-point order to learn each output. A pending operation takes effect at its point
  // or, half the time, never.
  const order = planned.map((_, i) => i).sort((a, b) => planned[a]!.point - planned[b]!.point || a - b);
  const state = new Map<string, State>();
  const outputs: Operation['output'][] = new Array(planned.length);
  for (const i of order) {
    const p = planned[i]!;
    if (!p.returns && rng.next() < 0.5) continue;
    const cur = state.get(p.op.key) ?? null;
    const probe = { ...p.op, return: p.op.return } as Operation;
    const [, nextState] = step(cur, probe);
    state.set(p.op.key, nextState);
    if (!p.returns) continue;
    switch (p.op.op) {
      case 'get':
        outputs[i] = cur;
        break;
      case 'cas':
        outputs[i] = cur === p.op.expected;
        break;
      case 'delete':
        outputs[i] = cur !== null;
        break;
      case 'append':
        outputs[i] = nextState;
        break;
      default:
        break;
    }
    if (p.op.op === 'cas' && cur !== p.op.expected) state.set(p.op.key, cur);
  }
  return planned.map((p, i) => (outputs[i] === undefined ? p.op : { ...p.op, output: outputs[i] }) as Operation);
}

export interface AppendKvOptions {
  readonly operations: number;
  readonly keys: number;
  readonly clients: number;
  readonly seed: number;
  /** Swap two appended pieces in one late read's value: the history is then (almost surely) not linearizable. */
  readonly breakOneRead?: boolean;
}

/**
 * Porcupine's key/value shape (its c50 test logs): many clients, get/put/append with appends
 * answering nothing, every key starting as "" (check with initial ""), long overlapping
 * operations. Effects take place at a random instant of each interval, so outputs are those of a
 * real linearization.
 */
export function generateAppendKv(o: AppendKvOptions): Operation[] {
  const rng = new Rng(`liferaft/lin-generate-append/${o.seed}`);
  type Planned = { op: Operation; point: number };
  const planned: Planned[] = [];
  const clock = new Array<number>(o.clients).fill(0);
  for (let made = 0; made < o.operations; made++) {
    const c = rng.int(o.clients);
    const call = clock[c]! + rng.intIn(0, 4);
    const ret = call + rng.intIn(1, 12 * Math.max(1, Math.round(o.clients / o.keys)));
    const r = rng.next();
    const kind: LinOpKind = r < 0.45 ? 'get' : r < 0.55 ? 'put' : 'append';
    const key = String(rng.int(o.keys));
    const base = { client: String(c), op: kind, key, call, return: ret };
    planned.push({ op: kind === 'get' ? (base as Operation) : { ...base, value: `x ${c} ${made} y` }, point: call + rng.next() * (ret - call) });
    clock[c] = ret + 1;
  }
  const state = new Map<string, string>();
  const order = planned.map((_, i) => i).sort((a, b) => planned[a]!.point - planned[b]!.point || a - b);
  const out = planned.map((p) => p.op);
  for (const i of order) {
    const p = out[i]!;
    const cur = state.get(p.key) ?? '';
    if (p.op === 'get') out[i] = { ...p, output: cur };
    else state.set(p.key, p.op === 'put' ? p.value! : cur + p.value!);
  }
  if (o.breakOneRead === true) {
    // A read late in the history whose value holds at least two appended pieces: swap the last two.
    for (let i = Math.floor(out.length * 0.8); i < out.length; i++) {
      const p = out[i]!;
      const pieces = p.op === 'get' && typeof p.output === 'string' ? p.output.match(/x \d+ \d+ y/g) : null;
      if (pieces === null || pieces === undefined || pieces.length < 2 || pieces.join('') !== p.output) continue;
      const n = pieces.length;
      [pieces[n - 2], pieces[n - 1]] = [pieces[n - 1]!, pieces[n - 2]!];
      out[i] = { ...p, output: pieces.join('') };
      break;
    }
  }
  return out;
}

export interface RegisterOptions {
  readonly operations: number;
  /** Processes running at once; one whose operation crashes (Jepsen's :info) is replaced by a new one. */
  readonly processes: number;
  /** Chance that a write or cas crashes: it never returns, and may or may not take effect. */
  readonly infoRatio: number;
  readonly seed: number;
}

/**
 * A Jepsen-style register (etcd's test histories): reads, writes and cas of small integers by a
 * few processes, many of whose writes and cas time out (:info), each such process then replaced.
 * A cas that did not swap is left out (Jepsen's :fail did not happen).
 */
export function generateRegister(o: RegisterOptions): Operation[] {
  const rng = new Rng(`liferaft/lin-generate-register/${o.seed}`);
  type Planned = { op: Operation; point: number; happens: boolean };
  const planned: Planned[] = [];
  const clock = new Array<number>(o.processes).fill(0);
  const id = Array.from({ length: o.processes }, (_, i) => i);
  let next = o.processes;
  for (let made = 0; made < o.operations; made++) {
    const p = rng.int(o.processes);
    const call = clock[p]! + rng.intIn(0, 3);
    const ret = call + rng.intIn(1, 8);
    const r = rng.next();
    const kind: LinOpKind = r < 0.35 ? 'get' : r < 0.65 ? 'put' : 'cas';
    const base = { client: String(id[p]), op: kind, key: 'register', call, return: ret as number | null };
    const v = String(rng.int(5));
    const op: Operation = kind === 'get' ? base : kind === 'put' ? { ...base, value: v } : { ...base, expected: String(rng.int(5)), value: v };
    const info = kind !== 'get' && rng.chance(o.infoRatio);
    planned.push({ op: info ? { ...op, return: null } : op, point: call + rng.next() * (ret - call), happens: !info || rng.next() < 0.5 });
    clock[p] = ret + 1;
    if (info) id[p] = next++;
  }
  let state: string | null = null;
  const order = planned.map((_, i) => i).sort((a, b) => planned[a]!.point - planned[b]!.point || a - b);
  const out: (Operation | null)[] = planned.map((p) => p.op);
  for (const i of order) {
    const { op, happens } = planned[i]!;
    if (!happens) continue;
    if (op.op === 'get') out[i] = { ...op, output: state };
    else if (op.op === 'put') state = op.value!;
    else if (state === op.expected) {
      state = op.value!;
      if (op.return !== null) out[i] = { ...op, output: true };
    } else if (op.return !== null) out[i] = null; // :fail
  }
  return out.filter((x): x is Operation => x !== null);
}
