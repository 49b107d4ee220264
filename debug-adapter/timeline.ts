// A compact index of every step executed on the current timeline: its time, node, event kind, the
// step that caused it (its event was scheduled then) and the scenario line of the statement that
// made it happen (a scheduled fault, an occurrence of a recurring one: the sim's `src`).
// Fourteen bytes a step: a million-step run costs 14 MB, and nothing here needs re-execution.
import type { Simulation } from '../sim';

export class Timeline {
  private time = new Float64Array(1024);
  private node = new Int8Array(1024);
  private kind = new Uint8Array(1024);
  private cause = new Int32Array(1024);
  private line = new Map<number, number>();
  /** Steps 1..count are known. */
  count = 0;

  /** Appends the step the simulation just took (its number must be count + 1). */
  push(sim: Simulation): void {
    const s = sim.steps;
    if (s !== this.count + 1) throw new Error(`timeline: step ${s} pushed after step ${this.count}`);
    if (s >= this.time.length) this.grow();
    const e = sim.lastEvent!;
    this.time[s] = sim.time;
    this.node[s] = sim.lastNode;
    this.kind[s] = e.kind;
    this.cause[s] = e.cause;
    if (e.src > 0) this.line.set(s, e.src);
    this.count = s;
  }

  /** Forgets the steps after `step` (a fork replaces the future). */
  truncate(step: number): void {
    this.count = Math.min(this.count, step);
    for (const s of this.line.keys()) if (s > step) this.line.delete(s);
  }

  timeOf(step: number): number {
    return step === 0 ? 0 : this.time[step]!;
  }

  /** Node index of the step, -1 for steps outside the nodes (clients, phases, cluster-wide faults). */
  nodeOf(step: number): number {
    return step === 0 ? -1 : this.node[step]!;
  }

  kindOf(step: number): number {
    return this.kind[step]!;
  }

  causeOf(step: number): number {
    return step === 0 ? 0 : this.cause[step]!;
  }

  /** The `.raftsim` line of the statement that caused this step (an `at` fault, `crash every=…`…), if any. */
  lineOf(step: number): number | undefined {
    return this.line.get(step);
  }

  /** The steps that led to `step`: it, its cause, that step's cause… (step 0 ends the chain). */
  chain(step: number, max: number): number[] {
    const out: number[] = [];
    for (let s = step; s > 0 && out.length < max; s = this.cause[s]!) out.push(s);
    return out;
  }

  chainLength(step: number): number {
    let n = 0;
    for (let s = step; s > 0; s = this.cause[s]!) n++;
    return n;
  }

  /** The latest step at or before `step` that concerned `node` (0 if none within `window` steps). */
  lastOfNode(node: number, step: number, window = 200_000): number {
    for (let s = step; s > 0 && s > step - window; s--) if (this.node[s] === node) return s;
    return 0;
  }

  /** Approximate bytes held. */
  get bytes(): number {
    return this.time.byteLength + this.node.byteLength + this.kind.byteLength + this.cause.byteLength + this.line.size * 40;
  }

  private grow(): void {
    const n = this.time.length * 2;
    const t = new Float64Array(n);
    t.set(this.time);
    this.time = t;
    const nd = new Int8Array(n);
    nd.set(this.node);
    this.node = nd;
    const k = new Uint8Array(n);
    k.set(this.kind);
    this.kind = k;
    const c = new Int32Array(n);
    c.set(this.cause);
    this.cause = c;
  }
}
