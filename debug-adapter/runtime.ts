// SimRuntime: one seeded simulation under a debugger, with time travel. It knows nothing of DAP.
//
// The cursor is a live Simulation positioned after some step. Going anywhere else restores a
// snapshot and re-executes (the run is deterministic, so this is the real state, not a cursor
// moved over a log): checkpoints every `interval` steps of the timeline are kept for the whole session; a
// few recent positions ("near" snapshots, taken just before where a long re-execution ends) make
// the step-backs that follow cheap. Memory stays bounded: when the checkpoints outgrow their budget,
// every other one is dropped and the interval doubles (a long run gets sparser checkpoints, not more memory);
// near snapshots and positioned copies are a fixed number.
//
// Forks: a change made at step N (crash a node, drop a message…) replaces the timeline after N;
// the forks are part of the run's definition and are saved in its trace, so the branch replays.
import { nodeName, Simulation, type ForkAction, type NodeRun, type RunResult, type Scenario } from '../sim';
import { Breakpoints, type Hit } from './breakpoints';
import { Timeline } from './timeline';

export interface Fork {
  /** The fork is applied after this step (0: before the first). */
  readonly step: number;
  readonly action: ForkAction;
}

export interface RuntimeOptions {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly forks?: readonly Fork[];
  /** Steps between checkpoints at first (default 2,000); doubles when they outgrow the budget. */
  readonly checkpointEvery?: number;
  /** Memory for checkpoints, in MB (estimated from what the copies hold; default 150). */
  readonly checkpointBudgetMB?: number;
  /** The debugger never goes beyond this step. */
  readonly maxSteps?: number;
  /** A user's node to run instead of the core. */
  readonly node?: NodeRun;
}

export type StopReason = 'entry' | 'step' | 'goto' | 'restart' | 'pause' | 'end' | 'exception' | 'breakpoint' | 'function breakpoint' | 'data breakpoint';

export interface Stop {
  readonly reason: StopReason;
  readonly description: string;
  readonly hit?: Hit;
}

/** What a run in progress (continue, step in/out, reverse continue) is looking for. */
type Run = { readonly dir: 'forward'; readonly until: ((sim: Simulation) => string | null) | null } | { readonly dir: 'backward'; hi: number };

/** Lines of the trace document per segment (one virtual document each). */
export const SEGMENT_STEPS = 10_000;
/** Steps described at a time (re-executed with text capture): small, so naming frames after a jump is quick. */
const CHUNK_STEPS = 500;
const NEAR_MAX = 12;
const VIEW_CACHE = 4;
/** Near snapshots are taken this many steps apart, just before where a long re-execution ends. */
const NEAR_STEPS = 256;
/** About how many bytes a copied slot (field, element) costs, measured on long runs. */
const BYTES_PER_SLOT = 10;
const CHUNK_CACHE = 64;
/**
 * At most this many checkpoints: past it the interval doubles, as when they outgrow their memory.
 * A checkpoint costs more the longer the run (the state grows), so a long run going forward takes
 * them more sparsely and keeps the debugger's forward speed; a jump then re-executes at most one
 * interval (8k steps at 1M): a few tens of milliseconds.
 */
const MAX_CHECKPOINTS = 128;

export class SimRuntime {
  readonly breakpoints = new Breakpoints();
  readonly timeline = new Timeline();
  readonly scenario: Scenario;
  readonly seed: number;
  /** The user's node the run runs instead of the core (null: the core). */
  readonly node: NodeRun | null;
  /** Steps between checkpoints (doubles when they outgrow the budget). */
  /** Steps between kept checkpoints (doubles when the budget is reached). */
  private interval: number;
  private readonly budgetSlots: number;
  private readonly checkpointSlots: number[] = [];
  readonly maxSteps: number;
  private forkList: Fork[];
  private cur: Simulation;
  private readonly checkpoints: Simulation[] = [];
  /** Snapshots at recent positions (never run; copied before use), most recent last. */
  private near = new Map<number, Simulation>();
  /** Simulations positioned at a step, for frames below the top (never the cursor). */
  private views = new Map<number, Simulation>();
  private chunks = new Map<number, string[]>();
  /** The last step of the timeline, once known (the run ended, or maxSteps). */
  private end: number | null = null;
  private run: Run | null = null;
  private gen = 0;

  constructor(o: RuntimeOptions) {
    this.scenario = o.scenario;
    this.seed = o.seed;
    this.interval = Math.max(10, o.checkpointEvery ?? 2_000);
    this.budgetSlots = ((o.checkpointBudgetMB ?? 150) * 1e6) / BYTES_PER_SLOT;
    this.maxSteps = o.maxSteps ?? Number.MAX_SAFE_INTEGER;
    this.forkList = [...(o.forks ?? [])].sort((a, b) => a.step - b.step);
    this.node = o.node ?? null;
    this.cur = new Simulation(o.scenario, o.seed, this.node === null ? {} : { node: { module: this.node.module, label: this.node.name } });
    this.applyForks(this.cur);
    this.takeCheckpoint(this.cur);
  }

  /** Steps between the checkpoints kept now. */
  get checkpointEvery(): number {
    return this.interval;
  }

  private takeCheckpoint(sim: Simulation): void {
    const size = { slots: 0, objects: 0 };
    this.checkpoints.push(this.keep(sim, size));
    this.checkpointSlots.push(size.slots + 4 * size.objects);
    let total = 0;
    for (const x of this.checkpointSlots) total += x;
    if ((total > this.budgetSlots || this.checkpoints.length > MAX_CHECKPOINTS) && this.checkpoints.length > 2) {
      // Keep the checkpoints at multiples of 2K.
      const keep = (_: unknown, i: number): boolean => i % 2 === 0;
      const kept = this.checkpoints.filter(keep);
      const slots = this.checkpointSlots.filter(keep);
      this.checkpoints.length = 0;
      this.checkpoints.push(...kept);
      this.checkpointSlots.length = 0;
      this.checkpointSlots.push(...slots);
      this.interval *= 2;
    }
  }

  /** The simulation at the cursor (read it; move it only through the runtime). */
  get sim(): Simulation {
    return this.cur;
  }

  get position(): number {
    return this.cur.steps;
  }

  /** Steps known on this timeline. */
  get frontier(): number {
    return this.timeline.count;
  }

  /** The last step of the run, once reached. */
  get lastStep(): number | null {
    return this.end;
  }

  get forks(): readonly Fork[] {
    return this.forkList;
  }

  /** Counts forks: steps after a fork are a new timeline (what was described of them is stale). */
  get generation(): number {
    return this.gen;
  }

  /** The run's outcome, once the timeline reached its end. */
  get outcome(): RunResult | null {
    return this.end === null ? null : (this.cur.outcome ?? this.simAt(this.end).outcome);
  }

  /** Number of snapshots held and the timeline's bytes (for the benchmark and the status line). */
  get memory(): {
    readonly checkpoints: number;
    readonly checkpointEvery: number;
    readonly checkpointMB: number;
    readonly near: number;
    readonly views: number;
    readonly timelineBytes: number;
  } {
    const slots = this.checkpointSlots.reduce((a, b) => a + b, 0);
    return {
      checkpoints: this.checkpoints.length,
      checkpointEvery: this.interval,
      checkpointMB: Math.round((slots * BYTES_PER_SLOT) / 1e6),
      near: this.near.size,
      views: this.views.size,
      timelineBytes: this.timeline.bytes,
    };
  }

  // ------------------------------------------------------------------------------------------
  // Moving the cursor

  /** One step of the whole cluster. */
  next(): Stop {
    this.run = null;
    const before = this.breakpoints.before(this.cur);
    if (!this.advance(this.cur)) return this.endStop();
    const hit = this.breakpoints.check(this.cur, before, true);
    if (hit?.kind === 'exception') return { reason: 'exception', description: hit.description, hit };
    return { reason: 'step', description: `step ${this.position}` };
  }

  stepBack(): Stop {
    this.run = null;
    if (this.position === 0) return { reason: 'entry', description: 'at the start of the run: nothing before step 0' };
    this.seek(this.position - 1);
    return { reason: 'step', description: `back to step ${this.position}` };
  }

  /** Goes to step n (clamped to the run); runs forward if the timeline has not got there yet. */
  goto(n: number): Stop {
    this.run = null;
    const target = Math.max(0, Math.min(Math.floor(n), this.end ?? this.maxSteps));
    this.seek(target);
    const note = this.position < target ? ` (the run ends at step ${this.position})` : '';
    return { reason: 'goto', description: `step ${this.position}${note}` };
  }

  /** Starts running forward: to the next breakpoint (or, with `until`, to the first step it names). */
  startForward(until: ((sim: Simulation) => string | null) | null = null): void {
    this.run = { dir: 'forward', until };
  }

  /** Step in: to the next step of one node. */
  startStepIn(node: number): void {
    this.startForward((sim) => (sim.lastNode === node ? `next step of ${nodeName(node)}` : null));
  }

  /** Step out: until the node's role or term changes. */
  startStepOut(node: number): void {
    const s = this.cur.nodes[node]!.state;
    const role = s.role;
    const term = s.term;
    this.startForward((sim) => {
      const x = sim.nodes[node]!.state;
      return x.role !== role || x.term !== term ? `${nodeName(node)} is now ${x.role} in term ${x.term} (was ${role}, term ${term})` : null;
    });
  }

  startBackward(): void {
    this.run = { dir: 'backward', hi: this.position };
  }

  get running(): boolean {
    return this.run !== null;
  }

  /** Stops a run where it is. */
  pause(): Stop {
    const r = this.run;
    this.run = null;
    if (r !== null && r.dir === 'backward') this.seek(r.hi);
    return { reason: 'pause', description: `paused at step ${this.position}` };
  }

  /**
   * Works on the run started for about `budget` steps. Returns where it stopped, or null when it
   * should be called again (so that a pause request can get in between).
   */
  resume(budget = 50_000): Stop | null {
    const r = this.run;
    if (r === null) return { reason: 'pause', description: 'not running' };
    const stop = r.dir === 'forward' ? this.forward(r.until, budget) : this.backward(r);
    if (stop !== null) this.run = null;
    return stop;
  }

  private forward(until: ((sim: Simulation) => string | null) | null, budget: number): Stop | null {
    const sim = this.cur;
    const bps = this.breakpoints;
    for (let k = 0; k < budget; k++) {
      const before = bps.before(sim);
      if (!this.advance(sim)) return this.endStop();
      const hit = bps.check(sim, before, true);
      if (hit !== null) return { reason: hit.kind, description: hit.description, hit };
      if (until !== null) {
        const why = until(sim);
        if (why !== null) return { reason: 'step', description: why };
      }
    }
    return null;
  }

  /**
   * Scans one checkpoint interval for the last step before `r.hi` where a breakpoint fires: from
   * checkpoint c, steps c+1 … r.hi-1 (a checkpoint's own step is checked by the interval before it).
   */
  private backward(r: { hi: number }): Stop | null {
    if (r.hi <= 1) {
      this.seek(0);
      return { reason: 'entry', description: 'reached the start of the run: no breakpoint on the way back' };
    }
    const every = this.interval;
    const lo = Math.floor((r.hi - 2) / every) * every;
    const sim = this.copy(this.checkpoints[lo / every]!);
    let last: { step: number; hit: Hit } | null = null;
    while (sim.steps < r.hi - 1) {
      const before = this.breakpoints.before(sim);
      if (!this.advance(sim)) break;
      const hit = this.breakpoints.check(sim, before, false);
      if (hit !== null) last = { step: sim.steps, hit };
    }
    if (last !== null) {
      this.seek(last.step);
      return { reason: last.hit.kind, description: last.hit.description, hit: last.hit };
    }
    r.hi = lo + 1;
    return null;
  }

  /** A copy to run from: never capturing step texts (a snapshot taken while describing would). */
  private copy(sim: Simulation): Simulation {
    const c = sim.snapshot();
    c.trace.steps = null;
    return c;
  }

  /** A copy to keep and copy from later (checkpoints, near snapshots): compact, never run. */
  private keep(sim: Simulation, size?: { slots: number; objects: number }): Simulation {
    const c = sim.store(size);
    c.trace.steps = null;
    return c;
  }

  private endStop(): Stop {
    const o = this.cur.outcome;
    if (o !== null) {
      const v = o.violation;
      return { reason: 'end', description: `end of the run at step ${this.position}: ${o.verdict}${v === undefined ? '' : ` — ${v.invariant}: ${v.message}`}` };
    }
    return { reason: 'end', description: `step limit: the debugger stops at step ${this.maxSteps} (launch attribute maxSteps)` };
  }

  // ------------------------------------------------------------------------------------------
  // Forks

  /** Applies a change at the cursor's step; the timeline after it is replaced. Throws if it cannot apply. */
  fork(action: ForkAction): Stop {
    this.run = null;
    const sim = this.cur;
    if (sim.done) throw new RuntimeError('the run is over at this step; go back to an earlier step to fork');
    if ('node' in action && (action.node < 0 || action.node >= sim.nodes.length))
      throw new RuntimeError(`no node ${nodeName(action.node)} (the cluster has ${sim.nodes.length})`);
    if (this.node !== null && (action.kind === 'add' || action.kind === 'remove' || action.kind === 'transfer'))
      throw new RuntimeError(`not with a user's node (${this.node.name}): it has no membership changes or leadership transfers to ask for`);
    if (!sim.fork(action)) throw new RuntimeError(action.kind === 'drop' ? `no message with id ${action.seq} is in flight` : 'cannot apply that here');
    const p = sim.steps;
    this.forkList = [...this.forkList.filter((f) => f.step <= p), { step: p, action }];
    this.timeline.truncate(p);
    const every = this.interval;
    const keep = Math.floor(p / every) + (p % every === 0 ? 0 : 1);
    this.checkpoints.length = keep;
    this.checkpointSlots.length = keep;
    if (p % every === 0) this.takeCheckpoint(sim);
    this.end = null;
    this.gen++;
    this.near.clear();
    this.views.clear();
    this.chunks.clear();
    return { reason: 'step', description: `forked at step ${p}: the timeline after it is new` };
  }

  private applyForks(sim: Simulation): void {
    for (const f of this.forkList) if (f.step === sim.steps) sim.fork(f.action);
  }

  // ------------------------------------------------------------------------------------------
  // Positioning and re-execution

  /** One step of `sim`, keeping the timeline, checkpoints and forks. False when the run is over. */
  private advance(sim: Simulation): boolean {
    if (sim.done || sim.steps >= this.maxSteps) {
      if (sim.steps === this.timeline.count) this.end = sim.steps;
      return false;
    }
    const was = sim.steps;
    sim.step();
    const s = sim.steps;
    if (s === was) {
      if (s === this.timeline.count) this.end = s;
      return false;
    }
    const fresh = s > this.timeline.count;
    if (fresh) this.timeline.push(sim);
    if (this.forkList.length > 0) this.applyForks(sim);
    if (fresh && s % this.interval === 0 && this.checkpoints.length === s / this.interval) this.takeCheckpoint(sim);
    if (fresh && (sim.done || s >= this.maxSteps)) this.end = s;
    return true;
  }

  /** The best starting point for reaching `target`: a snapshot copy, or the cursor itself. */
  private startFor(target: number, mayUseCursor: boolean): Simulation {
    const every = this.interval;
    const k = Math.min(Math.floor(target / every), this.checkpoints.length - 1);
    let base = this.checkpoints[k]!;
    for (const [step, snap] of this.near) if (step <= target && step > base.steps) base = snap;
    if (mayUseCursor && this.cur.steps <= target && this.cur.steps >= base.steps) return this.cur;
    for (const [step, v] of this.views) if (step <= target && step > base.steps) base = v;
    return this.copy(base);
  }

  /**
   * Runs `sim` to `target`. With `ladder`, a long re-execution also keeps near snapshots at the two
   * multiples of NEAR_STEPS below the target, so the step-backs that follow re-execute little.
   */
  private runTo(sim: Simulation, target: number, ladder: boolean): void {
    const top = target - (target % NEAR_STEPS);
    const from = ladder && target - sim.steps > NEAR_STEPS ? Math.max(sim.steps + 1, top - NEAR_STEPS) : Infinity;
    // The steps just before the target get described on the way (its causal chain is mostly there).
    const describeFrom = ladder ? (Math.floor(Math.max(0, target - 1) / CHUNK_STEPS) - 1) * CHUNK_STEPS : Infinity;
    let lines: string[] | null = null;
    while (sim.steps < target) {
      const s0 = sim.steps;
      if (s0 >= describeFrom && s0 % CHUNK_STEPS === 0 && (this.chunks.get(s0 / CHUNK_STEPS)?.length ?? 0) < Math.min(CHUNK_STEPS, target - s0)) {
        lines = [];
        sim.trace.steps = [];
      }
      const ok = this.advance(sim);
      if (lines !== null) {
        for (const r of sim.trace.steps!) lines.push(formatLine(r.step, r.time, r.text, r.reasons));
        sim.trace.steps!.length = 0;
        if (!ok || sim.steps % CHUNK_STEPS === 0 || sim.steps >= target) {
          this.keepChunk(Math.floor((sim.steps - 1) / CHUNK_STEPS), lines);
          lines = null;
          sim.trace.steps = null;
        }
      }
      if (!ok) break;
      const s = sim.steps;
      if (s >= from && s % NEAR_STEPS === 0 && s < target && !this.near.has(s)) this.remember(this.near, s, this.keep(sim), NEAR_MAX);
    }
  }

  private seek(target: number): void {
    if (target === this.cur.steps) return;
    // Hit counts count hits going forwards since the last move back.
    if (target < this.cur.steps) this.breakpoints.resetHits();
    const sim = this.startFor(target, true);
    this.runTo(sim, target, true);
    this.cur = sim;
  }

  /** The state after step `step` (the cursor's own when it is there). Do not run it. */
  simAt(step: number): Simulation {
    const s = Math.max(0, Math.min(step, this.timeline.count));
    if (s === this.cur.steps) return this.cur;
    const cached = this.views.get(s);
    if (cached !== undefined) return cached;
    const sim = this.startFor(s, false);
    this.runTo(sim, s, false);
    this.remember(this.views, s, sim, VIEW_CACHE);
    return sim;
  }

  private remember(m: Map<number, Simulation>, step: number, sim: Simulation, max: number): void {
    m.delete(step);
    m.set(step, sim);
    if (m.size > max) m.delete(m.keys().next().value!);
  }

  // ------------------------------------------------------------------------------------------
  // Describing steps (the trace document)

  /** The trace document's lines for segment g: steps g*SEGMENT_STEPS+1 … (one line each). */
  segment(g: number): readonly string[] {
    const lines: string[] = [];
    const to = Math.min((g + 1) * SEGMENT_STEPS, this.timeline.count);
    for (let c = (g * SEGMENT_STEPS) / CHUNK_STEPS; c * CHUNK_STEPS < to; c++) lines.push(...this.chunk(c));
    return lines;
  }

  /** Lines of steps c*CHUNK_STEPS+1 … (c+1)*CHUNK_STEPS: re-executed once with text capture, then cached. */
  private chunk(c: number, need = CHUNK_STEPS): readonly string[] {
    const cached = this.chunks.get(c);
    if (cached !== undefined && (cached.length >= need || cached.length === this.timeline.count - c * CHUNK_STEPS)) {
      this.chunks.delete(c);
      this.chunks.set(c, cached);
      return cached;
    }
    const from = c * CHUNK_STEPS;
    const to = Math.min(from + CHUNK_STEPS, this.timeline.count);
    const sim = this.startFor(from, false);
    this.runTo(sim, from, false);
    const lines: string[] = [];
    sim.trace.steps = [];
    while (sim.steps < to && this.advance(sim)) {
      for (const r of sim.trace.steps) lines.push(formatLine(r.step, r.time, r.text, r.reasons));
      sim.trace.steps.length = 0;
    }
    sim.trace.steps = null;
    this.keepChunk(c, lines);
    return lines;
  }

  /** Caches the lines of chunk c (a prefix of it, when described on the way to a step inside it). */
  private keepChunk(c: number, lines: string[]): void {
    if ((this.chunks.get(c)?.length ?? -1) >= lines.length) return;
    this.chunks.delete(c);
    this.chunks.set(c, lines);
    if (this.chunks.size > CHUNK_CACHE) this.chunks.delete(this.chunks.keys().next().value!);
  }

  /** One step in words: `#1234 12.345ms n2 ← n1 AppendEntries t3 …  [append.accept]`. */
  describe(step: number): string {
    if (step <= 0) return '#0 start';
    if (step > this.timeline.count) return `#${step} (not reached)`;
    const c = Math.floor((step - 1) / CHUNK_STEPS);
    const i = step - 1 - c * CHUNK_STEPS;
    return this.chunk(c, i + 1)[i] ?? `#${step}`;
  }
}

export class RuntimeError extends Error {
  override readonly name = 'RuntimeError';
}

export function formatLine(step: number, timeUs: number, text: string, reasons: readonly string[]): string {
  const ms = (timeUs / 1000).toFixed(3);
  return `#${step} ${ms}ms ${text}${reasons.length > 0 ? `  [${reasons.join(', ')}]` : ''}`;
}
