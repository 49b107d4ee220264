// Which seed to run next. With a fixed range, every seed in order. Open-ended (--time), coverage
// guided: each seed's fault mix is known before it runs (the swarm draw is a cheap pure function of
// the seed), so among the next few seeds of the stream the picker prefers those whose features —
// cluster size, which faults are on — have most often led to new coverage (rules, role changes,
// faults never seen before). Every run stays reproducible from its seed alone.
import { drawSwarm, Rng, type Scenario } from '../sim';

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
  ];
  on.forEach((b, i) => {
    if (b) f.push(5 + i);
  });
  return f;
}

export interface PickerOptions {
  readonly scenario: Scenario;
  /** null: open-ended from `from`. */
  readonly range: { readonly from: number; readonly to: number } | null;
  readonly from: number;
  readonly shard: { readonly i: number; readonly n: number } | null;
  readonly bias: boolean;
}

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
    this.nextSeed = o.range?.from ?? o.from;
  }

  private inShard(s: number): boolean {
    return this.o.shard === null || s % this.o.shard.n === this.o.shard.i - 1;
  }

  private pull(): number | undefined {
    while (this.o.range === null || this.nextSeed <= this.o.range.to) {
      const s = this.nextSeed++;
      if (this.inShard(s)) return s;
    }
    return undefined;
  }

  /** The next seed to run, or undefined when the range is exhausted. */
  next(): number | undefined {
    if (!this.o.bias || this.o.range !== null) return this.pull();
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
