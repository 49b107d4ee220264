// Exploring a scenario's seeds, one way for every host: the CLI's worker threads, and the editor's
// worker (a Node worker thread on the desktop, a web worker on the web) run the same code. Which
// seed next: with a range, every seed in order; open-ended, coverage-guided — each seed's fault mix
// is known before it runs (the swarm draw is a cheap pure function of the seed), so among the next
// few seeds of the stream the picker prefers those whose features (cluster size, which faults are
// on) have most often led to new coverage (rules, role changes, faults never seen). Every run stays
// reproducible from its seed alone. The hosts bring what is theirs: threads, clocks, files.
import { counterOf, describeCounter, REASON_COUNTERS, SIGNALS, userNodeSignals, userRuleCounter } from './coverage';
import type { RaftNode } from './node-api';
import { Rng } from './rng';
import type { Scenario } from './scenario';
import { Simulation } from './simulation';
import { drawSwarm } from './swarm';

export interface SeedBatch {
  /**
   * The scenario itself (plain data, cloned to the worker) — not its text: callers may have changed
   * it after parsing (planted bugs from the command line, the benchmark's uniform variant).
   */
  readonly scenario: Scenario;
  readonly seeds: readonly number[];
  /** Run each seed twice and compare (--check-determinism). */
  readonly twice: boolean;
  /** A user's node to run instead of the core: its file, which each worker loads (null: the core). */
  readonly node?: string | null;
}

/** A user's node, loaded by the host (sim/node-api.ts). */
export interface LoadedNodeModule {
  readonly module: RaftNode;
  readonly label: string;
}

export interface SeedSummary {
  readonly seed: number;
  readonly verdict: string;
  readonly steps: number;
  readonly simulatedMs: number;
  readonly traceHash: string;
  readonly violation?: { readonly invariant: string; readonly step: number; readonly message: string; readonly nodes: readonly string[] };
  /** With --check-determinism: the second run's hash, when it differs. */
  readonly secondHash?: string;
  /** Coverage signals hit (sim/coverage.ts). */
  readonly coverage: readonly number[];
}

export function runSeeds(req: SeedBatch, node?: LoadedNodeModule): SeedSummary[] {
  const scenario = req.scenario;
  const options = node === undefined ? {} : { node };
  return req.seeds.map((seed) => {
    const r = new Simulation(scenario, seed, options).run();
    const base: SeedSummary = {
      seed,
      verdict: r.verdict,
      steps: r.steps,
      simulatedMs: r.simulatedMs,
      traceHash: r.traceHash,
      coverage: r.coverage,
      ...(r.violation === undefined
        ? {}
        : { violation: { invariant: r.violation.invariant, step: r.violation.step, message: r.violation.message, nodes: r.violation.nodes } }),
    };
    if (!req.twice) return base;
    const again = new Simulation(scenario, seed, options).run();
    return again.traceHash === r.traceHash ? base : { ...base, secondHash: again.traceHash };
  });
}

/** Feature names of a seed's swarm draw (for reports). */
export const FEATURES = [
  'nodes=1..2',
  'nodes=3',
  'nodes=4',
  'nodes=5',
  'nodes=6..9',
  'drop',
  'duplicate',
  'corrupt',
  'crash',
  'partition',
  'pause',
  'clog',
  'isolate-leader',
  'crash-leader',
  'delay',
  'crash-after-vote',
  'crash-after-append',
  'pct',
  'split-votes',
  'no-prevote',
  'no-checkquorum',
  'transfer-leader',
  'churn',
] as const;

export function features(s: Scenario, seed: number): number[] {
  const w = drawSwarm(s, seed);
  const f: number[] = [w.nodes <= 2 ? 0 : w.nodes === 3 ? 1 : w.nodes === 4 ? 2 : w.nodes === 5 ? 3 : 4];
  const on = [
    w.drop > 0,
    w.duplicate > 0,
    w.corrupt > 0,
    w.crash !== null,
    w.partition !== null,
    w.pause !== null,
    w.clog !== null,
    w.isolateLeader !== null,
    w.crashLeader !== null,
    w.delay !== null,
    w.crashAfterVote !== null,
    w.crashAfterAppend !== null,
    w.pct !== null,
    w.splitVotes,
    !w.preVote,
    !w.checkQuorum,
    w.transferLeader !== null,
    w.churn !== null,
  ];
  on.forEach((b, i) => {
    if (b) f.push(5 + i);
  });
  return f;
}

/** What the seed picker needs of an exploration's options. */
export type PickerOptions = Pick<ExplorationOptions, 'scenario' | 'seeds' | 'from' | 'shard' | 'bias'>;

const WINDOW = 8;
const EXPLORE = 0.25;

export class SeedPicker {
  private nextSeed: number;
  private readonly pool: { seed: number; f: number[] }[] = [];
  private readonly runs = new Array<number>(FEATURES.length).fill(0);
  private readonly novel = new Array<number>(FEATURES.length).fill(0);
  private readonly covered = new Set<number>();
  private readonly rng = new Rng('liferaft/seed-picker');
  private readonly featuresOf = new Map<number, number[]>();
  novelSeeds = 0;

  constructor(private readonly o: PickerOptions) {
    this.nextSeed = o.seeds?.from ?? o.from;
  }

  private inShard(s: number): boolean {
    return this.o.shard === null || s % this.o.shard.n === this.o.shard.i - 1;
  }

  private pull(): number | undefined {
    while (this.o.seeds === null || this.nextSeed <= this.o.seeds.to) {
      const s = this.nextSeed++;
      if (this.inShard(s)) return s;
    }
    return undefined;
  }

  /** The next seed to run, or undefined when the range is exhausted. */
  next(): number | undefined {
    if (!this.o.bias || this.o.seeds !== null) return this.pull();
    while (this.pool.length < WINDOW) {
      const s = this.pull();
      if (s === undefined) break;
      this.pool.push({ seed: s, f: features(this.o.scenario, s) });
    }
    if (this.pool.length === 0) return undefined;
    let best = 0;
    if (this.rng.next() >= EXPLORE) {
      let bestScore = -1;
      this.pool.forEach((c, i) => {
        const score = c.f.reduce((sum, f) => sum + (this.novel[f]! + 1) / (this.runs[f]! + 2), 0) / Math.max(1, c.f.length);
        if (score > bestScore) {
          bestScore = score;
          best = i;
        }
      });
    }
    const [picked] = this.pool.splice(best, 1);
    this.featuresOf.set(picked!.seed, picked!.f);
    return picked!.seed;
  }

  /** A finished seed's coverage: remember what was new, and which features led there. */
  report(seed: number, coverage: readonly number[]): number {
    let fresh = 0;
    for (const c of coverage) {
      if (!this.covered.has(c)) {
        this.covered.add(c);
        fresh++;
      }
    }
    if (fresh > 0) this.novelSeeds++;
    const f = this.featuresOf.get(seed) ?? features(this.o.scenario, seed);
    this.featuresOf.delete(seed);
    for (const x of f) {
      this.runs[x]!++;
      if (fresh > 0) this.novel[x]!++;
    }
    return fresh;
  }

  get coverage(): ReadonlySet<number> {
    return this.covered;
  }
}

export interface ExplorationOptions {
  readonly scenario: Scenario;
  /** Seeds from..to in order; null: open-ended from `from` (until the host stops asking). */
  readonly seeds: { readonly from: number; readonly to: number } | null;
  readonly from: number;
  /** Only seeds ≡ i-1 (mod n): one shard of a CI matrix. */
  readonly shard: { readonly i: number; readonly n: number } | null;
  /** Coverage-guided choice of the next seed (open-ended exploration only). */
  readonly bias: boolean;
  /** Run each seed twice and compare the trace hashes. */
  readonly checkDeterminism: boolean;
  /** Stop handing out seeds once one failed. */
  readonly untilFailure: boolean;
  /** A user's node's rule names (its `rules`), when it runs instead of the core: coverage reports them. */
  readonly nodeRules?: readonly string[];
}

/** What an exploration found: its seeds' summaries (by seed), the first failure, the coverage. */
export interface ExplorationSummary {
  readonly results: readonly SeedSummary[];
  /** Steps run, both runs counted with checkDeterminism. */
  readonly steps: number;
  /** How many seeds had finished when the first failure came in (null: none failed). */
  readonly firstFailureAfter: number | null;
  readonly coverage: {
    readonly signals: number;
    readonly of: number;
    /** The rules counted: the core's, or a user's node's own (none when it names none). */
    readonly rules: number;
    readonly rulesNeverHit: readonly string[];
    readonly novelSeeds: number;
  };
}

/**
 * One exploration: hands out batches of seeds (nextBatch) and takes their summaries back (report),
 * in any order and from any number of workers; then summarize(). `shouldStop` is the host's clock.
 */
export class Exploration {
  private readonly picker: SeedPicker;
  private readonly results: SeedSummary[] = [];
  private failedAfter: number | null = null;
  /** Steps of the seeds finished (first runs) and how many failed: for progress lines. */
  private steps = 0;
  private failing = 0;

  constructor(private readonly o: ExplorationOptions) {
    this.picker = new SeedPicker(o);
  }

  /** The next seeds to run (empty: the exploration is over). */
  nextBatch(size: number, shouldStop: () => boolean = () => false): SeedBatch {
    const seeds: number[] = [];
    if (!shouldStop() && !(this.o.untilFailure && this.failedAfter !== null)) {
      for (let i = 0; i < size; i++) {
        const s = this.picker.next();
        if (s === undefined) break;
        seeds.push(s);
      }
    }
    return { scenario: this.o.scenario, seeds, twice: this.o.checkDeterminism };
  }

  /** Finished seeds; returns those that failed (a verdict, or two runs that differ). */
  report(rs: readonly SeedSummary[]): SeedSummary[] {
    const failed: SeedSummary[] = [];
    this.results.push(...rs);
    for (const r of rs) {
      this.picker.report(r.seed, r.coverage);
      this.steps += r.steps;
      if (r.verdict !== 'ok' || r.secondHash !== undefined) {
        this.failing++;
        failed.push(r);
        this.failedAfter ??= this.results.length;
      }
    }
    return failed;
  }

  /** Seeds finished, their steps (first runs), and how many failed. */
  get progress(): { readonly seeds: number; readonly steps: number; readonly failing: number } {
    return { seeds: this.results.length, steps: this.steps, failing: this.failing };
  }

  summarize(): ExplorationSummary {
    const results = [...this.results].sort((a, b) => a.seed - b.seed);
    const steps = results.reduce((n, r) => n + r.steps * (this.o.checkDeterminism ? 2 : 1), 0);
    const hit = this.picker.coverage;
    const counters = new Set([...hit].map(counterOf));
    const rulesNeverHit: string[] = [];
    const userRules = this.o.nodeRules;
    if (userRules !== undefined) {
      // A user's node: its own rules (the core's cannot fire).
      userRules.forEach((r, i) => {
        if (!counters.has(userRuleCounter(i))) rulesNeverHit.push(r);
      });
    } else {
      const bugsOn = new Set<string>(this.o.scenario.bugs);
      for (let i = 0; i < REASON_COUNTERS; i++) {
        if (counters.has(i)) continue;
        const rule = describeCounter(i).replace(/^rule /, '');
        // A planted bug's path is only reachable with the bug on.
        if (!rule.startsWith('bug.') || bugsOn.has(rule.slice(4))) rulesNeverHit.push(rule);
      }
    }
    return {
      results,
      steps,
      firstFailureAfter: this.failedAfter,
      coverage: {
        signals: hit.size,
        of: userRules === undefined ? SIGNALS : userNodeSignals(userRules.length),
        rules: userRules === undefined ? REASON_COUNTERS : userRules.length,
        rulesNeverHit,
        novelSeeds: this.picker.novelSeeds,
      },
    };
  }
}
