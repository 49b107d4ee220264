// Shrinking a failing seed into a small regression scenario that fails the same way.
//
// 1. Materialize: rerun the seed, turn every random fault that happened into an explicit `at` line,
//    pin the rates the swarm drew for this seed, and switch the random faults off. Because every
//    random stream has one purpose and the swarm always draws the same values, the run is the same.
// 2. Reduce, keeping each change only if the run still fails with the same invariant: remove
//    scheduled faults (chunks, then one by one — ddmin style), fewer clients and keys, no message
//    loss or duplication, no clock drift, immediate disk syncs, fewer nodes, a shorter run.
// The seed stays fixed and is written into the scenario (`seed N`).
import { INVARIANT_NAMES } from './invariants';
import { DEFAULTS, parseScenario, type Scenario, type ScheduledFault } from './scenario';

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
import { formatScenario } from './scenario-format';
import { Simulation, type RunResult } from './simulation';
import { drawSwarm } from './swarm';

export interface ShrinkOptions {
  /** Upper bound on the runs tried. */
  readonly maxRuns?: number;
  /** Asked between runs; true stops shrinking and keeps the best so far (the CLI checks a wall-clock budget). */
  readonly shouldStop?: () => boolean;
}

export interface ShrinkResult {
  readonly scenario: Scenario;
  readonly text: string;
  readonly seed: number;
  /** What the shrunk scenario fails with. */
  readonly result: RunResult;
  readonly original: RunResult;
  readonly runs: number;
  /** False when even the materialized scenario did not fail the same way (nothing was shrunk). */
  readonly reproduced: boolean;
}

/** "safety LogMatchingInv", "crash assert:no-truncate-committed", "liveness". */
export function failureKey(r: RunResult): string {
  if (r.verdict === 'ok') return 'ok';
  if (r.verdict === 'liveness') return 'liveness';
  return `${r.verdict} ${r.violation?.invariant ?? ''}`;
}

/** The same run with its random faults written out as a schedule and the swarm's draws pinned. */
export function materialize(s: Scenario, seed: number): { scenario: Scenario; result: RunResult } {
  const sim = new Simulation(s, seed);
  const result = sim.run();
  const w = drawSwarm(s, seed);
  const pin = (x: number) => ({ min: x, max: x });
  const random = sim.faultLog.filter((f) => f.random && f.time < s.safetyUs);
  const schedule: ScheduledFault[] = [...s.schedule, ...random.map((f, i) => ({ atUs: f.time, action: f.action, line: 100_000 + i }))]
    .sort((a, b) => a.atUs - b.atUs || a.line - b.line);
  const scenario: Scenario = {
    ...s,
    drop: pin(w.drop),
    duplicate: pin(w.duplicate),
    corrupt: pin(0),
    crash: null,
    partition: null,
    pause: null,
    clog: null,
    isolateLeader: null,
    crashLeader: null,
    crashAfterVote: null,
    crashAfterAppend: null,
    splitVotes: w.splitVotes ? { min: 1, max: 1 } : null,
    delay: w.delay === null || s.delay === null ? null : { ...s.delay, chance: pin(w.delay.chance) },
    pct: w.pct === null || s.pct === null ? null : { ...s.pct, depth: pin(w.pct.depth), stepUs: pin(w.pct.stepUs) },
    swarm: false,
    nodes: w.nodes,
    nodesMin: w.nodes,
    batch: pin(w.batch),
    seed,
    schedule,
  };
  return { scenario, result };
}

export function shrink(s: Scenario, seed: number, opts: ShrinkOptions = {}): ShrinkResult {
  const maxRuns = opts.maxRuns ?? 3000;
  const stop = opts.shouldStop ?? (() => false);
  const { scenario: start, result: original } = materialize(s, seed);
  const key = failureKey(original);
  let runs = 1;
  const check = (c: Scenario): RunResult | null => {
    runs++;
    const r = new Simulation(c, seed).run();
    return failureKey(r) === key ? r : null;
  };
  const first = key === 'ok' ? null : check(start);
  if (first === null) {
    return { scenario: { ...s, seed }, text: formatScenario({ ...s, seed }, header(s, seed, original, false)), seed, result: original, original, runs, reproduced: false };
  }
  let best = start;
  let bestResult = first;
  const budget = (): boolean => runs < maxRuns && !stop();
  const tryCandidate = (c: Scenario): boolean => {
    if (!budget()) return false;
    const r = check(c);
    if (r === null) return false;
    best = c;
    bestResult = r;
    return true;
  };

  // Faults scheduled after a safety failure cannot have caused it: drop them. (The phase lengths
  // stay: PCT change points and the liveness phase depend on them, and so would the run.)
  const cut = (): void => {
    if (bestResult.verdict === 'liveness' || bestResult.violation === undefined) return;
    const end = bestResult.violation.time;
    const schedule = best.schedule.filter((f) => f.atUs <= end);
    if (schedule.length < best.schedule.length) tryCandidate({ ...best, schedule });
  };
  cut();

  // ddmin over the schedule: remove chunks, halving the chunk size.
  for (let size = Math.ceil(best.schedule.length / 2); size >= 1 && budget(); size = size === 1 ? 0 : Math.ceil(size / 2)) {
    for (let i = 0; i < best.schedule.length && budget();) {
      const schedule = [...best.schedule.slice(0, i), ...best.schedule.slice(i + size)];
      if (!tryCandidate({ ...best, schedule })) i += size;
    }
  }

  // Simpler environment, one knob at a time.
  const knobs: ((c: Scenario) => Scenario | null)[] = [
    (c) => (c.workload.clients > 0 ? { ...c, workload: { ...c.workload, clients: 0 } } : null),
    (c) => (c.workload.clients > 1 ? { ...c, workload: { ...c.workload, clients: 1 } } : null),
    (c) => (c.workload.keys > 1 ? { ...c, workload: { ...c.workload, keys: 1 } } : null),
    (c) => (c.drop.max > 0 ? { ...c, drop: { min: 0, max: 0 } } : null),
    (c) => (c.duplicate.max > 0 ? { ...c, duplicate: { min: 0, max: 0 } } : null),
    (c) => (c.drift.max > 0 ? { ...c, drift: { min: 0, max: 0 } } : null),
    (c) => (c.syncUs.max > 0 ? { ...c, syncUs: { min: 0, max: 0 }, torn: 0 } : null),
    (c) => (c.torn > 0 ? { ...c, torn: 0 } : null),
    // Back to the built-in defaults, so the regression scenario does not need the line.
    (c) => (same(c.latency, DEFAULTS.latency) ? null : { ...c, latency: DEFAULTS.latency }),
    (c) => (same(c.workload.mix, DEFAULTS.workload.mix) ? null : { ...c, workload: { ...c.workload, mix: DEFAULTS.workload.mix } }),
    (c) => (c.workload.timeoutUs === DEFAULTS.workload.timeoutUs ? null : { ...c, workload: { ...c.workload, timeoutUs: DEFAULTS.workload.timeoutUs } }),
    (c) => (same(c.workload.thinkUs, DEFAULTS.workload.thinkUs) ? null : { ...c, workload: { ...c.workload, thinkUs: DEFAULTS.workload.thinkUs } }),
    (c) => (c.maxSteps === DEFAULTS.maxSteps || bestResult.verdict === 'liveness' ? null : { ...c, maxSteps: DEFAULTS.maxSteps }),
    (c) => (c.pct === null ? null : { ...c, pct: null }),
    (c) => (c.delay === null ? null : { ...c, delay: null }),
    (c) => (c.splitVotes === null ? null : { ...c, splitVotes: null }),
    (c) => (same(c.batch, DEFAULTS.batch) ? null : { ...c, batch: DEFAULTS.batch }),
    ...[3, 4].map((n) => (c: Scenario) => (c.nodes > n && c.schedule.every((f) => nodesOf(f).every((x) => x < n)) ? { ...c, nodes: n, nodesMin: n } : null)),
  ];
  for (const knob of knobs) {
    const c = knob(best);
    if (c !== null) tryCandidate(c);
  }
  // Removing one more fault may now be possible in the simpler world.
  for (let i = 0; i < best.schedule.length && budget();) {
    if (!tryCandidate({ ...best, schedule: [...best.schedule.slice(0, i), ...best.schedule.slice(i + 1)] })) i++;
  }
  cut();

  const text = formatScenario(best, header(s, seed, bestResult, true));
  // Round trip: the text must describe the same run.
  const reparsed = parseScenario(text, s.file, { invariants: INVARIANT_NAMES, bugs: best.bugs });
  const final = new Simulation(reparsed, seed).run();
  return { scenario: reparsed, text, seed, result: final, original, runs: runs + 1, reproduced: failureKey(final) === key };
}

function nodesOf(f: ScheduledFault): number[] {
  const a = f.action;
  switch (a.kind) {
    case 'partition':
      return a.groups.flat();
    case 'cut':
      return [a.from, a.to];
    case 'clog':
      return [a.a, a.b];
    case 'heal':
      return [];
    default:
      return [a.node];
  }
}

function header(s: Scenario, seed: number, r: RunResult, shrunk: boolean): string[] {
  const v = r.violation;
  return [
    `${shrunk ? 'Shrunk' : 'Not shrunk'} from seed ${seed} of ${s.file}.`,
    `Fails with ${failureKey(r)}${v === undefined ? '' : ` at step ${v.step}: ${v.message}`}`,
    'Reproduce: liferaft run <this file> (it pins its seed)',
  ];
}
