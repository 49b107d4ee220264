// Where two runs of one seed part (--check-determinism): run them side by side, step by step, and
// after each step compare what it was and the state of the node that took it — a user's node's own
// state, field by field. The first difference names the step, the node and the field, which is
// where a node's hidden input (Math.random, a clock, a global kept between runs) got in (determinism-ok: names them, uses none).
import type { LoadedNodeModule } from './explorer';
import type { Scenario } from './scenario-model';
import { Simulation } from './simulation';

export interface Divergence {
  readonly step: number;
  /** The node that took the step where the runs part (null: a step outside the nodes). */
  readonly node: string | null;
  /** The step as the first run took it. */
  readonly event: string;
  /** What differs, in words. */
  readonly detail: string;
}

/**
 * The first step at which two runs of `seed` differ, or null when these two runs agree (the
 * nondeterminism did not show this time, or shows only between runs far apart).
 */
export function findDivergence(scenario: Scenario, seed: number, node?: LoadedNodeModule): Divergence | null {
  const options = { record: true, ...(node === undefined ? {} : { node }) };
  const a = new Simulation(scenario, seed, options);
  const b = new Simulation(scenario, seed, options);
  // (A node's init runs before the first step.)
  for (const n of a.nodes) {
    const diff = stateDifference(n, b.nodes[n.index]!);
    if (diff !== null) return { step: 0, node: n.id, event: `${n.id}'s init`, detail: `its ${diff}` };
  }
  for (;;) {
    a.step();
    b.step();
    const sa = a.lastStep;
    const sb = b.lastStep;
    const step = Math.max(a.steps, b.steps);
    const at = sa === undefined ? null : sa.node >= 0 ? a.nodes[sa.node]! : null;
    const base = { step, node: at?.id ?? null, event: sa?.text ?? 'the start' };
    if (a.steps !== b.steps || a.done !== b.done)
      return {
        ...base,
        detail: `one run ${a.done ? 'ended' : 'went on'} after step ${a.steps}, the other ${b.done ? 'ended' : 'went on'} after step ${b.steps}`,
      };
    if (sa?.text !== sb?.text) return { ...base, detail: `the step differs: "${sa?.text ?? '(none)'}" in one run, "${sb?.text ?? '(none)'}" in the other` };
    if (at !== null) {
      const diff = stateDifference(at, b.nodes[at.index]!);
      if (diff !== null) return { ...base, detail: `its ${diff}` };
    }
    if (a.done) return null;
  }
}

/** A node's state in two runs: a user's node's own state, else the core's. */
function stateDifference(x: Simulation['nodes'][number], y: Simulation['nodes'][number]): string | null {
  return x.driver !== null && y.driver !== null ? firstDifference(x.driver.userState, y.driver.userState, 'state') : firstDifference(x.state, y.state, 'state');
}

/** The first place two values differ ("state.timeout: 17 in one run, 12 in the other"), or null. */
export function firstDifference(x: unknown, y: unknown, path: string, seen = new Set<unknown>()): string | null {
  if (Object.is(x, y)) return null;
  const show = (v: unknown): string => {
    if (typeof v === 'object' && v !== null) return Array.isArray(v) ? `a list of ${v.length}` : `a ${kindOf(v)}`;
    const s = typeof v === 'string' ? JSON.stringify(v) : String(v);
    return s.length > 60 ? `${s.slice(0, 57)}…` : s;
  };
  const differ = (): string => `${path}: ${show(x)} in one run, ${show(y)} in the other`;
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return typeof x === 'function' && typeof y === 'function' ? null : differ();
  if (seen.has(x)) return null;
  seen.add(x);
  if (kindOf(x) !== kindOf(y)) return differ();
  if (Array.isArray(x) && Array.isArray(y)) {
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const d = firstDifference(x[i], y[i], `${path}[${i}]`, seen);
      if (d !== null) return d;
    }
    return x.length === y.length ? null : `${path}: ${x.length} items in one run, ${y.length} in the other`;
  }
  // (A Map's order is part of it: iterating one is a way its order leaks into a run.)
  if (x instanceof Map && y instanceof Map) {
    const ex = [...x];
    const ey = [...y];
    for (let i = 0; i < Math.min(ex.length, ey.length); i++) {
      const [kx, vx] = ex[i]!;
      const [ky, vy] = ey[i]!;
      if (!Object.is(kx, ky)) return `${path}: key ${show(kx)} at position ${i + 1} in one run, ${show(ky)} in the other`;
      const d = firstDifference(vx, vy, typeof kx === 'string' && /^[A-Za-z_$][\w$]*$/.test(kx) ? `${path}.${kx}` : `${path}[${show(kx)}]`, seen);
      if (d !== null) return d;
    }
    return ex.length === ey.length ? null : `${path}: ${ex.length} entries in one run, ${ey.length} in the other`;
  }
  if (x instanceof Set && y instanceof Set) return firstDifference([...x], [...y], path, seen);
  const kx = Object.keys(x);
  const ky = Object.keys(y);
  for (const k of kx) {
    if (!Object.hasOwn(y, k)) return `${path}.${k}: set in one run, absent in the other`;
    const d = firstDifference((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], `${path}.${k}`, seen);
    if (d !== null) return d;
  }
  const extra = ky.find((k) => !Object.hasOwn(x, k));
  return extra === undefined ? null : `${path}.${extra}: absent in one run, set in the other`;
}

function kindOf(v: object): string {
  return Array.isArray(v) ? 'list' : (Object.getPrototypeOf(v)?.constructor?.name ?? 'object');
}
