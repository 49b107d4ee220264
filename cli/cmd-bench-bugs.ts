// liferaft bench bugs [--streams N] [--budget SECONDS] [--json]: for every planted bug, explore the
// default scenario (with membership changes for the bugs that need them) until the first failure over N independent seed streams, with LifeRaft's search
// (swarm, targeted faults, PCT scheduler, coverage-guided seed choice) and with plain uniform random
// exploration side by side; shrink the first failure; and check that with no bug the same budget
// finds nothing.
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { BUG_NAMES, BUGS, isBugName } from '../core';
import { DEFAULT_SCENARIO, DEFAULT_SCENARIO_FILE, loadScenario, scenarioLines, shrink, type Scenario } from '../sim';
import { intOption, UsageError, type Io } from './args';
import { explore, type ExploreReport } from './cmd-explore';

interface Attempt {
  readonly found: boolean;
  readonly seeds: number;
  readonly seconds: number;
  readonly invariant: string | null;
  readonly seed: number | null;
}

interface BugRow {
  readonly bug: string;
  readonly expected: string;
  readonly targeted: readonly Attempt[];
  readonly uniform: readonly Attempt[];
  readonly shrunkLines: number | null;
}

/** The default scenario as plain uniform random exploration: no swarm, no targeted faults, no PCT, fixed size and batch. */
export function uniformScenario(s: Scenario): Scenario {
  return {
    ...s,
    swarm: false,
    nodes: s.nodes,
    nodesMin: s.nodes,
    batch: { min: 64, max: 64 },
    isolateLeader: null,
    crashLeader: null,
    delay: null,
    crashAfterVote: null,
    crashAfterAppend: null,
    splitVotes: null,
    pct: null,
  };
}

/** A scenario with membership changes: two spares, and a leader asked to add or remove one server every 200ms–2s (as examples/membership.raftsim). */
export function withChurn(s: Scenario): Scenario {
  return { ...s, spares: 2, churn: { everyUs: { min: 200_000, max: 2_000_000 }, forUs: { min: 0, max: 0 }, weight: 0.9, line: 0 } };
}

/** The scenario a bug is hunted on: the default one, with membership changes for the bugs that need them. */
function huntedOn(bug: string, s: Scenario): Scenario {
  return isBugName(bug) && 'membership' in BUGS[bug] ? withChurn(s) : s;
}

const STREAM = 1_000_000_007;

/** Explores `s` from seed `from` on for `budget` seconds, until the first failure, printing nothing. */
function exploreFor(s: Scenario, from: number, bias: boolean, budget: number, workers: number): Promise<ExploreReport> {
  const quiet: Io = { out: () => {}, err: () => {}, progress: null };
  return explore(
    {
      scenario: s,
      seeds: null,
      timeSec: budget,
      workers,
      shard: null,
      outDir: null,
      checkDeterminism: false,
      shrinkSeconds: 0,
      from,
      bias,
      untilFailure: true,
    },
    quiet,
  );
}

/** One stream's hunt for a failure: how many seeds and seconds it took to the first, and which. */
async function hunt(s: Scenario, stream: number, bias: boolean, budget: number, workers: number): Promise<Attempt> {
  const r = await exploreFor(s, 1 + stream * STREAM, bias, budget, workers);
  const f = r.failures[0];
  return f === undefined
    ? { found: false, seeds: r.seedsRun, seconds: r.elapsedMs / 1000, invariant: null, seed: null }
    : { found: true, seeds: r.firstFailure?.seeds ?? r.seedsRun, seconds: (r.firstFailure?.ms ?? r.elapsedMs) / 1000, invariant: f.invariant, seed: f.seed };
}

/**
 * One planted bug: `streams` hunts on the default scenario (coverage-guided) and as many on the
 * uniform one, then the first failure found shrunk to a regression scenario (its line count).
 */
async function benchBug(bug: string, defaultScenario: Scenario, uniformDefault: Scenario, streams: number, budget: number, workers: number): Promise<BugRow> {
  const targeted: Attempt[] = [];
  const plain: Attempt[] = [];
  const base = huntedOn(bug, defaultScenario);
  const uniform = huntedOn(bug, uniformDefault);
  for (let k = 0; k < streams; k++) targeted.push(await hunt({ ...base, bugs: [bug] }, k, true, budget, workers));
  for (let k = 0; k < streams; k++) plain.push(await hunt({ ...uniform, bugs: [bug] }, k, false, budget, workers));
  let shrunkLines: number | null = null;
  const first = targeted.find((a) => a.found);
  if (first?.seed != null) {
    const deadline = performance.now() + budget * 1000;
    const r = shrink({ ...base, bugs: [bug] }, first.seed, { shouldStop: () => performance.now() > deadline });
    if (r.reproduced) shrunkLines = scenarioLines(r.text);
  }
  const expected = isBugName(bug) ? BUGS[bug].caughtBy : '?';
  return { bug, expected, targeted, uniform: plain, shrunkLines };
}

export async function benchBugsCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean' }, streams: { type: 'string' }, budget: { type: 'string' }, bug: { type: 'string', multiple: true } },
  });
  const streams = intOption('streams', values.streams, 5, 1, 100);
  const budget = intOption('budget', values.budget, 20, 1, 3600);
  const bugs = values.bug ?? BUG_NAMES;
  for (const b of bugs) {
    if (!isBugName(b)) throw new UsageError(`unknown planted bug "${b}" (known: ${BUG_NAMES.join(', ')})`);
  }
  const json = values.json === true;
  const say = (l: string): void => {
    if (!json) io.out(l);
  };
  const base = loadScenario(DEFAULT_SCENARIO, DEFAULT_SCENARIO_FILE);
  const uniform = uniformScenario(base);
  const workers = availableParallelism();
  say(`liferaft bench bugs: ${streams} seed streams per bug, ${budget}s budget each, ${workers} workers; default scenario vs uniform random`);
  say(`${'bug'.padEnd(24)} ${'caught by'.padEnd(26)} ${'LifeRaft: seeds / seconds to first failure'.padEnd(46)} shrunk  uniform random: seeds / seconds`);
  const rows: BugRow[] = [];
  for (const bug of bugs) {
    const row = await benchBug(bug, base, uniform, streams, budget, workers);
    rows.push(row);
    say(
      `${bug.padEnd(24)} ${caughtBy(row.targeted).padEnd(26)} ${summary(row.targeted).padEnd(46)} ${String(row.shrunkLines ?? '-').padStart(6)}  ${summary(row.uniform)}`,
    );
  }
  // Without a bug, the same budget must find nothing — with membership changes too.
  const clean = await exploreFor(base, 1, true, budget, workers);
  const cleanChurn = await exploreFor(withChurn(base), 1, true, budget, workers);
  for (const [what, c] of [
    ['no planted bug', clean],
    ['no planted bug, with membership changes', cleanChurn],
  ] as const)
    say(
      `${what}: ${c.seedsRun} seeds in ${(c.elapsedMs / 1000).toFixed(1)}s, ${c.failures.length} failures${c.failures[0] ? ` (seed ${c.failures[0].seed}: ${c.failures[0].invariant})` : ''}`,
    );
  if (json)
    io.out(
      JSON.stringify({
        streams,
        budgetSeconds: budget,
        workers,
        bugs: rows,
        noBug: { seeds: clean.seedsRun, seconds: clean.elapsedMs / 1000, failures: clean.failures.length },
        noBugWithChurn: { seeds: cleanChurn.seedsRun, seconds: cleanChurn.elapsedMs / 1000, failures: cleanChurn.failures.length },
      }),
    );
  // A failure with no bug planted is a real finding (or a false invariant): the bench fails.
  return clean.failures.length === 0 && cleanChurn.failures.length === 0 ? 0 : 1;
}

/** The invariant that caught the bug in most streams, and how many other invariants did in the rest. */
function caughtBy(attempts: readonly Attempt[]): string {
  const counts = new Map<string, number>();
  for (const a of attempts) if (a.invariant !== null) counts.set(a.invariant, (counts.get(a.invariant) ?? 0) + 1);
  const sorted = [...counts].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]));
  if (sorted.length === 0) return '-';
  return sorted.length === 1 ? sorted[0]![0] : `${sorted[0]![0]} (+${sorted.length - 1} other)`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function summary(as: readonly Attempt[]): string {
  const found = as.filter((a) => a.found);
  if (found.length === 0) return `not found (${as.length}× ${as[0]?.seeds ?? 0}+ seeds)`;
  // Misses count as the budget (a lower bound) in the median and max.
  const seconds = as.map((a) => a.seconds);
  const seeds = as.map((a) => a.seeds);
  const miss = found.length < as.length ? ` ${as.length - found.length} missed` : '';
  return `median ${median(seeds)} / ${median(seconds).toFixed(2)}s, max ${Math.max(...seeds)} / ${Math.max(...seconds).toFixed(2)}s${miss}`;
}
