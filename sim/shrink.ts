// Shrinking a failing seed into a small regression scenario that fails the same way (the same
// verdict and invariant), in two phases; the shorter result wins, then its numbers are rounded.
//
// A. Statements: pin what the swarm drew for the seed (cluster size, rates, which fault kinds are on),
//    keep the random fault generators — one line per kind — and remove whole fault kinds and
//    environment knobs. A simpler scenario is tried with the current seed, then with a few others:
//    it is kept if any fails the same way, and pins that seed.
// B. Events: materialize the result of A — rerun it and turn every random fault that happened into
//    an explicit `at` line, switching the generators off; because every random stream has one
//    purpose, the run is the same — then remove faults ddmin-style (chunks, single faults, a fault
//    with the one that undoes it), simplify the environment, and cut what follows the failure, with
//    the seed fixed.
// C. Numbers: in the shorter result, each value drawn for the seed (a pinned rate, a mean interval, a
//    fault's time) is tried rounded to 1, 2, then 3 significant digits, and the first rounding that
//    still fails the same way is kept; a value no rounding keeps failing stays exact (the writer
//    still puts it in its natural unit). This pass has its own runs, beyond the budget.
// The result pins its seed (`seed N`), so `liferaft run FILE` reproduces it.
import { INVARIANT_NAMES } from './invariants';
import { DEFAULTS, formatScenario, parseScenario, percentLiteral, type Range, type Scenario, type ScheduledFault } from './scenario';
import { fmtRatio } from './scenario-format';
import { Simulation, type SimulationOptions, type RunResult } from './simulation';
import { drawSwarm, type SwarmDraw } from './swarm';

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export interface ShrinkOptions {
  /** Upper bound on the runs tried. */
  readonly maxRuns?: number;
  /** Asked between runs; true stops shrinking and keeps the best so far (the CLI checks a wall-clock budget). */
  readonly shouldStop?: () => boolean;
  /**
   * Other seeds tried when a simpler scenario (a fault kind or knob removed) no longer fails with the
   * current one (default 16). A long failing run is chaotic: any change shifts every later random
   * draw, so the same seed rarely fails again; a small scenario that fails with another seed is as
   * good a regression test (it pins the seed it fails with). 0 keeps the original seed.
   */
  readonly reseeds?: number;
  /** A user's node to run instead of the core (sim/node-api.ts). */
  readonly node?: SimulationOptions['node'];
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
export function materialize(s: Scenario, seed: number, node?: SimulationOptions['node']): { scenario: Scenario; result: RunResult } {
  const sim = new Simulation(s, seed, node === undefined ? {} : { node });
  const result = sim.run();
  const random = sim.faultLog.filter((f) => f.random && f.time < s.safetyUs);
  const schedule: ScheduledFault[] = [...s.schedule, ...random.map((f, i) => ({ atUs: f.time, action: f.action, line: 100_000 + i }))].sort(
    (a, b) => a.atUs - b.atUs || a.line - b.line,
  );
  // Random faults that happened are now in the schedule; their generators go off.
  const scenario: Scenario = {
    ...pinDraws(s, seed),
    corrupt: { min: 0, max: 0 },
    crash: null,
    partition: null,
    pause: null,
    clog: null,
    isolateLeader: null,
    crashLeader: null,
    transferLeader: null,
    churn: null,
    crashAfterVote: null,
    crashAfterAppend: null,
    schedule,
  };
  return { scenario, result };
}

/**
 * The same run as a scenario that keeps its random fault generators but pins what the swarm drew for
 * this seed (cluster size, rates, mean intervals, which kinds are on) and switches the swarm off: one
 * line per fault kind rather than one per fault. Every stream draws as before, so the run is the same.
 */
export function pinDraws(s: Scenario, seed: number): Scenario {
  const w = drawSwarm(s, seed);
  const pin = (x: number) => ({ min: x, max: x });
  const rec = (f: Scenario['crash'], d: SwarmDraw['crash']): Scenario['crash'] => (f === null || d === null ? null : { ...f, everyUs: pin(d.meanUs) });
  return {
    ...s,
    drop: pin(w.drop),
    duplicate: pin(w.duplicate),
    corrupt: pin(w.corrupt),
    crash: rec(s.crash, w.crash),
    partition: rec(s.partition, w.partition),
    pause: rec(s.pause, w.pause),
    clog: rec(s.clog, w.clog),
    isolateLeader: rec(s.isolateLeader, w.isolateLeader),
    crashLeader: rec(s.crashLeader, w.crashLeader),
    transferLeader: rec(s.transferLeader, w.transferLeader),
    churn: rec(s.churn, w.churn),
    crashAfterVote: w.crashAfterVote === null || s.crashAfterVote === null ? null : { ...s.crashAfterVote, chance: pin(w.crashAfterVote.chance) },
    crashAfterAppend: w.crashAfterAppend === null || s.crashAfterAppend === null ? null : { ...s.crashAfterAppend, chance: pin(w.crashAfterAppend.chance) },
    splitVotes: w.splitVotes ? { min: 1, max: 1 } : null,
    delay: w.delay === null || s.delay === null ? null : { ...s.delay, chance: pin(w.delay.chance) },
    pct: w.pct === null || s.pct === null ? null : { ...s.pct, depth: pin(w.pct.depth), stepUs: pin(w.pct.stepUs) },
    preVote: w.preVote ? 1 : 0,
    checkQuorum: w.checkQuorum ? 1 : 0,
    swarm: false,
    nodes: w.nodes,
    nodesMin: w.nodes,
    batch: pin(w.batch),
    snapshot: pin(w.snapshotEntries),
    snapshotChance: 1,
    earlyAppends: w.earlyAppends ? 1 : 0,
    seed,
  };
}

/** Runs the rounding pass may take beyond the shrinker's budget (one per rounding tried). */
export const ROUNDING_RUNS = 120;

export function shrink(s: Scenario, seed: number, opts: ShrinkOptions = {}): ShrinkResult {
  const options = opts.node === undefined ? {} : { node: opts.node };
  const original = new Simulation(s, seed, options).run();
  const key = failureKey(original);
  const sh = new Shrinker(seed, key, opts);
  const notReproduced = (): ShrinkResult => ({
    scenario: { ...s, seed },
    text: formatScenario({ ...s, seed }, header(s, seed, seed, original, false)),
    seed,
    result: original,
    original,
    runs: sh.runs,
    reproduced: false,
  });
  if (key === 'ok') return notReproduced();
  const a = sh.statements(s);
  const b = sh.events(a ?? { scenario: s, seed, result: original });
  if (a === null && b === null) return notReproduced();
  // The shorter of the two (the explicit schedule when they tie: it reads as a story).
  const shorter = [a, b]
    .filter((x): x is Found => x !== null)
    .map((f) => ({ f, lines: scenarioLines(formatScenario(f.scenario)) }))
    .reduce((x, y) => (y.lines <= x.lines ? y : x)).f;
  const best = sh.numbers(shorter);
  const text = formatScenario(best.scenario, header(s, seed, best.seed, best.result, true));
  // Round trip: the text must describe the same run.
  const reparsed = parseScenario(text, s.file, { invariants: INVARIANT_NAMES, bugs: best.scenario.bugs });
  const final = new Simulation(reparsed, best.seed, options).run();
  return { scenario: reparsed, text, seed: best.seed, result: final, original, runs: sh.runs + 1, reproduced: failureKey(final) === key };
}

/** A scenario that fails like the original, the seed it fails with, and how. */
interface Found {
  scenario: Scenario;
  seed: number;
  result: RunResult;
}

/** Environment knobs a shrink tries to turn down or back to their defaults, one scenario each. */
function knobs(c: Scenario, liveness: boolean): Scenario[] {
  return [
    ...(c.workload.clients > 0 ? [{ ...c, workload: { ...c.workload, clients: 0 } }] : []),
    ...(c.workload.clients > 1 ? [{ ...c, workload: { ...c.workload, clients: 1 } }] : []),
    ...(c.workload.keys > 1 ? [{ ...c, workload: { ...c.workload, keys: 1 } }] : []),
    ...(c.drop.max > 0 ? [{ ...c, drop: { min: 0, max: 0 } }] : []),
    ...(c.duplicate.max > 0 ? [{ ...c, duplicate: { min: 0, max: 0 } }] : []),
    ...(c.corrupt.max > 0 ? [{ ...c, corrupt: { min: 0, max: 0 } }] : []),
    ...(c.drift.max > 0 ? [{ ...c, drift: { min: 0, max: 0 } }] : []),
    ...(c.syncUs.max > 0 ? [{ ...c, syncUs: { min: 0, max: 0 }, torn: 0 }] : []),
    ...(c.torn > 0 ? [{ ...c, torn: 0 }] : []),
    // Back to the built-in defaults, so the regression scenario does not need the line.
    ...(same(c.latency, DEFAULTS.latency) ? [] : [{ ...c, latency: DEFAULTS.latency }]),
    ...(same(c.workload.mix, DEFAULTS.workload.mix) ? [] : [{ ...c, workload: { ...c.workload, mix: DEFAULTS.workload.mix } }]),
    ...(c.workload.timeoutUs === DEFAULTS.workload.timeoutUs ? [] : [{ ...c, workload: { ...c.workload, timeoutUs: DEFAULTS.workload.timeoutUs } }]),
    ...(same(c.workload.thinkUs, DEFAULTS.workload.thinkUs) ? [] : [{ ...c, workload: { ...c.workload, thinkUs: DEFAULTS.workload.thinkUs } }]),
    ...(c.maxSteps === DEFAULTS.maxSteps || liveness ? [] : [{ ...c, maxSteps: DEFAULTS.maxSteps }]),
    ...(c.pct === null ? [] : [{ ...c, pct: null }]),
    ...(c.delay === null ? [] : [{ ...c, delay: null }]),
    ...(c.splitVotes === null ? [] : [{ ...c, splitVotes: null }]),
    ...(same(c.batch, DEFAULTS.batch) ? [] : [{ ...c, batch: DEFAULTS.batch }]),
    ...[3, 4].flatMap((n) => (c.nodes > n && c.schedule.every((f) => nodesOf(f).every((x) => x < n)) ? [{ ...c, nodes: n, nodesMin: n }] : [])),
  ];
}

/** The scenario without each of its random fault generators in turn. */
function generators(c: Scenario): Scenario[] {
  return [
    ...(c.crash === null ? [] : [{ ...c, crash: null }]),
    ...(c.partition === null ? [] : [{ ...c, partition: null }]),
    ...(c.pause === null ? [] : [{ ...c, pause: null }]),
    ...(c.clog === null ? [] : [{ ...c, clog: null }]),
    ...(c.isolateLeader === null ? [] : [{ ...c, isolateLeader: null }]),
    ...(c.crashLeader === null ? [] : [{ ...c, crashLeader: null }]),
    ...(c.transferLeader === null ? [] : [{ ...c, transferLeader: null }]),
    ...(c.churn === null ? [] : [{ ...c, churn: null }]),
    ...(c.crashAfterVote === null ? [] : [{ ...c, crashAfterVote: null }]),
    ...(c.crashAfterAppend === null ? [] : [{ ...c, crashAfterAppend: null }]),
  ];
}

/** One shrink's runs: each candidate is run, and kept when it fails the way the original did. */
class Shrinker {
  /** Runs so far (the original's included). */
  runs = 1;
  private readonly maxRuns: number;
  private readonly stop: () => boolean;
  private readonly reseeds: number;
  private readonly node: ShrinkOptions['node'];

  constructor(
    private readonly seed: number,
    private readonly key: string,
    opts: ShrinkOptions,
  ) {
    this.node = opts.node;
    this.maxRuns = opts.maxRuns ?? 3000;
    this.stop = opts.shouldStop ?? (() => false);
    this.reseeds = opts.reseeds ?? 16;
  }

  private readonly budget = (): boolean => this.runs < this.maxRuns && !this.stop();

  private check(c: Scenario, sd: number): RunResult | null {
    this.runs++;
    const r = new Simulation(c, sd, this.node === undefined ? {} : { node: this.node }).run();
    return failureKey(r) === this.key ? r : null;
  }

  /**
   * Each candidate is tried with the current seed, then (if `seeds` allows) with others derived from
   * the original seed; the first that fails the same way wins.
   */
  private attempt(best: Found, c: Scenario, seeds: number, within: () => boolean = this.budget): Found | null {
    const tries = [best.seed, ...Array.from({ length: seeds }, (_, k) => this.seed + (k + 1) * 1_000_003).filter((x) => x !== best.seed)];
    for (const sd of tries) {
      if (!within()) return null;
      const r = this.check({ ...c, seed: sd }, sd);
      if (r !== null) return { scenario: { ...c, seed: sd }, seed: sd, result: r };
    }
    return null;
  }

  /**
   * Phase A, statements: the random fault generators stay (one line each, draws pinned); whole fault
   * kinds and environment knobs go, each change kept if the scenario still fails — with this seed or
   * one of a few others (a small scenario is a mini exploration; it pins the seed it fails with).
   * Null when the pinned scenario no longer fails.
   */
  statements(s: Scenario): Found | null {
    const pinned = pinDraws(s, this.seed);
    const pinnedResult = this.check(pinned, this.seed);
    if (pinnedResult === null) return null;
    let a: Found = { scenario: pinned, seed: this.seed, result: pinnedResult };
    const phaseA = (): boolean => this.runs < this.maxRuns / 2 && !this.stop();
    for (let changed = true; changed && phaseA(); ) {
      changed = false;
      for (const c of [...generators(a.scenario), ...knobs(a.scenario, a.result.verdict === 'liveness')]) {
        if (!phaseA()) break;
        const f = this.attempt(a, c, this.reseeds);
        if (f !== null) {
          a = f;
          changed = true;
          break;
        }
      }
    }
    return a;
  }

  /**
   * Phase B, events: materialize (every random fault that happened becomes an `at` line), then remove
   * faults ddmin-style and simplify the environment with the seed fixed. Null when the materialized
   * scenario no longer fails.
   */
  events(from: Found): Found | null {
    const m = materialize(from.scenario, from.seed, this.node);
    const first = this.check(m.scenario, from.seed);
    if (first === null) return null;
    let b: Found = { scenario: m.scenario, seed: from.seed, result: first };
    const tryB = (c: Scenario): boolean => {
      const f = this.attempt(b, c, 0);
      if (f !== null) b = f;
      return f !== null;
    };
    // Faults scheduled after a safety failure cannot have caused it: drop them. (The phase lengths
    // stay: PCT change points and the liveness phase depend on them, and so would the run.)
    const cut = (): void => {
      const v = b.result.violation;
      if (b.result.verdict === 'liveness' || v === undefined) return;
      const schedule = b.scenario.schedule.filter((f) => f.atUs <= v.time);
      if (schedule.length < b.scenario.schedule.length) tryB({ ...b.scenario, schedule });
    };
    cut();
    // ddmin over the schedule: remove chunks, halving the chunk size; then a fault together with the
    // one that undoes it (crash/restart, pause/resume, partition/heal), which alone would leave the
    // cluster broken for the rest of the run.
    for (let size = Math.ceil(b.scenario.schedule.length / 2); size >= 1 && this.budget(); size = size === 1 ? 0 : Math.ceil(size / 2)) {
      for (let i = 0; i < b.scenario.schedule.length && this.budget(); ) {
        const schedule = [...b.scenario.schedule.slice(0, i), ...b.scenario.schedule.slice(i + size)];
        if (!tryB({ ...b.scenario, schedule })) i += size;
      }
      if (size <= 2) {
        for (let i = 0; i < b.scenario.schedule.length && this.budget(); ) {
          const j = undoing(b.scenario.schedule, i);
          if (j === -1 || !tryB({ ...b.scenario, schedule: b.scenario.schedule.filter((_, k) => k !== i && k !== j) })) i++;
        }
      }
    }
    // Simpler environment, one knob at a time; then removing one more fault may be possible.
    for (const c of knobs(b.scenario, b.result.verdict === 'liveness')) {
      if (!this.budget()) break;
      tryB({ ...c, schedule: b.scenario.schedule });
    }
    for (let i = 0; i < b.scenario.schedule.length && this.budget(); ) {
      if (!tryB({ ...b.scenario, schedule: [...b.scenario.schedule.slice(0, i), ...b.scenario.schedule.slice(i + 1)] })) i++;
    }
    cut();
    return b;
  }

  /**
   * Phase C, numbers (rounding changes no line count), with the seed fixed. It has runs of its own
   * (ROUNDING_RUNS, past maxRuns and the stop signal): a scenario found as the time ran out still
   * reads as a person would write it.
   */
  numbers(shorter: Found): Found {
    let best: Found = shorter;
    let roundingRuns = 0;
    const roundingBudget = (): boolean => roundingRuns++ < ROUNDING_RUNS;
    roundNumbers(shorter.scenario, (c) => {
      const f = this.attempt(best, c, 0, roundingBudget);
      if (f !== null) best = f;
      return f !== null;
    });
    return best;
  }
}

/** A single value of a scenario that the rounding pass may change. */
interface Point {
  readonly unit: 'ratio' | 'us';
  readonly value: number;
  /** The scenario with the value replaced, or null where that value is not allowed (out of time order). */
  readonly set: (c: Scenario, v: number) => Scenario | null;
}

/**
 * Tries each value with more than 3 significant digits (what the swarm drew, when the faults happened)
 * rounded to 1, 2, then 3 digits, and keeps the first rounding `fails` accepts. Returns the scenario
 * with the roundings kept. `fails` is told only scenarios that the parser reads back from their text.
 */
export function roundNumbers(c: Scenario, fails: (candidate: Scenario) => boolean): Scenario {
  let current = c;
  for (const p of points(c)) {
    for (const v of roundings(p.value, p.unit)) {
      const candidate = p.set(current, v);
      if (candidate !== null && parses(candidate) && fails(candidate)) {
        current = candidate;
        break;
      }
    }
  }
  return current;
}

/** Rounder values than v (fewest significant digits first, as the parser reads them back); none when v has 3 or fewer. */
export function roundings(v: number, unit: 'ratio' | 'us'): number[] {
  if (significantDigits(unit === 'ratio' ? fmtRatio(v) : String(v)) <= 3) return [];
  const out: number[] = [];
  for (let digits = 1; digits <= 3; digits++) {
    const r = unit === 'ratio' ? percentLiteral(`${Number((v * 100).toPrecision(digits))}%`) : Number(v.toPrecision(digits));
    if (r !== null && r !== v && (unit === 'us' || r <= 1) && !out.includes(r)) out.push(r);
  }
  return out;
}

/** Significant digits of a number as written ("1.9075%" → 5, "0.007" → 1, "300000" → 1). */
function significantDigits(text: string): number {
  return text
    .replace(/[^0-9]/g, '')
    .replace(/^0+/, '')
    .replace(/0+$/, '').length;
}

function parses(c: Scenario): boolean {
  try {
    parseScenario(formatScenario(c), c.file, { invariants: INVARIANT_NAMES, bugs: c.bugs });
    return true;
  } catch {
    return false;
  }
}

/** The scenario's single values, in the order they are written: rates, then intervals, then the schedule's times. */
function points(c: Scenario): Point[] {
  const pin = (v: number): Range => ({ min: v, max: v });
  const point = (unit: Point['unit'], r: Range | undefined, set: (c: Scenario, r: Range) => Scenario): Point[] =>
    r === undefined || r.min !== r.max ? [] : [{ unit, value: r.min, set: (x, v) => set(x, pin(v)) }];
  const recurring = (['crash', 'partition', 'pause', 'clog', 'isolateLeader', 'crashLeader', 'transferLeader', 'churn'] as const).flatMap((k) =>
    point('us', c[k]?.everyUs, (x, everyUs) => ({ ...x, [k]: { ...x[k]!, everyUs } })),
  );
  const schedule = c.schedule.flatMap((f, i): Point[] => [
    {
      unit: 'us',
      value: f.atUs,
      set: (x, atUs) => (inOrder(x, i, atUs) ? { ...x, schedule: x.schedule.map((g, j) => (j === i ? { ...g, atUs } : g)) } : null),
    },
    ...(f.action.kind === 'clog'
      ? [
          {
            unit: 'us' as const,
            value: f.action.forUs,
            set: (x: Scenario, forUs: number) => ({
              ...x,
              schedule: x.schedule.map((g, j) => (j === i && g.action.kind === 'clog' ? { ...g, action: { ...g.action, forUs } } : g)),
            }),
          },
        ]
      : []),
  ]);
  return [
    ...point('ratio', c.drop, (x, drop) => ({ ...x, drop })),
    ...point('ratio', c.duplicate, (x, duplicate) => ({ ...x, duplicate })),
    ...point('ratio', c.corrupt, (x, corrupt) => ({ ...x, corrupt })),
    ...point('ratio', c.delay?.chance, (x, chance) => ({ ...x, delay: { ...x.delay!, chance } })),
    ...point('ratio', c.crashAfterVote?.chance, (x, chance) => ({ ...x, crashAfterVote: { ...x.crashAfterVote!, chance } })),
    ...point('ratio', c.crashAfterAppend?.chance, (x, chance) => ({ ...x, crashAfterAppend: { ...x.crashAfterAppend!, chance } })),
    ...recurring,
    ...point('us', c.pct?.stepUs, (x, stepUs) => ({ ...x, pct: { ...x.pct!, stepUs } })),
    ...schedule,
  ];
}

/** Whether fault i of the schedule may move to atUs without passing the faults around it (their order is part of the run). */
function inOrder(c: Scenario, i: number, atUs: number): boolean {
  const before = c.schedule[i - 1];
  const after = c.schedule[i + 1];
  return (before === undefined || before.atUs <= atUs) && (after === undefined || atUs <= after.atUs);
}

/** Lines of a scenario that say something (not blank, not comments). */
export function scenarioLines(text: string): number {
  return text.split('\n').filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#')).length;
}

/** The index of the later fault that undoes schedule[i] (the next restart of a crashed node, …), or -1. */
function undoing(schedule: readonly ScheduledFault[], i: number): number {
  const a = schedule[i]!.action;
  const undo =
    a.kind === 'crash' ? 'restart' : a.kind === 'pause' ? 'resume' : a.kind === 'partition' || a.kind === 'cut' || a.kind === 'isolate' ? 'heal' : null;
  if (undo === null) return -1;
  for (let j = i + 1; j < schedule.length; j++) {
    const b = schedule[j]!.action;
    if (b.kind === undo && (undo === 'heal' || ('node' in b && 'node' in a && b.node === a.node))) return j;
  }
  return -1;
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

function header(s: Scenario, seed: number, now: number, r: RunResult, shrunk: boolean): string[] {
  const v = r.violation;
  return [
    `${shrunk ? 'Shrunk' : 'Not shrunk'} from seed ${seed} of ${s.file}${now === seed ? '' : `; the smaller scenario fails with seed ${now}`}.`,
    `Fails with ${failureKey(r)}${v === undefined ? '' : ` at step ${v.step}: ${v.message}`}`,
    'Reproduce: run this file (liferaft run FILE, or Run in VS Code); it pins its seed',
  ];
}
