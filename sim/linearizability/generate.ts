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
      kind === 'put' || kind === 'append' ? { ...base, value } : kind === 'cas' ? { ...base, value, expected: rng.next() < 0.5 ? null : `v${rng.int(Math.max(1, made))}` } : base;
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
  const outputs: (Operation['output'])[] = new Array(planned.length);
  for (const i of order) {
    const p = planned[i]!;
    if (!p.returns && rng.next() < 0.5) continue;
    const cur = state.get(p.op.key) ?? null;
    const probe = { ...p.op, return: p.op.return } as Operation;
    const [, nextState] = step(cur, probe);
    state.set(p.op.key, nextState);
    if (!p.returns) continue;
    switch (p.op.op) {
      case 'get': outputs[i] = cur; break;
      case 'cas': outputs[i] = cur === p.op.expected; break;
      case 'delete': outputs[i] = cur !== null; break;
      case 'append': outputs[i] = nextState; break;
      default: break;
    }
    if (p.op.op === 'cas' && cur !== p.op.expected) state.set(p.op.key, cur);
  }
  return planned.map((p, i) => (outputs[i] === undefined ? p.op : { ...p.op, output: outputs[i] }) as Operation);
}
