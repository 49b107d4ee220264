// liferaft bench [--json] [--quick]: simulator throughput against a baseline measured in the same
// process, explore's seeds/s on all cores, and memory over a long run. Figures, not pass/fail: the
// machines are shared, so the ratio to the baseline is the number to compare across runs.
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { DEFAULT_SCENARIO, DEFAULT_SCENARIO_FILE, EventHeap, loadScenario, Rng, Simulation, type Scenario } from '../sim';
import { type Io } from './args';
import { Worker } from 'node:worker_threads';
import { explore, WORKER_OPTIONS, workerScript } from './cmd-explore';
import type { SeedBatch, SeedSummary } from '../sim';

interface Measure {
  readonly events: number;
  readonly seconds: number;
  readonly perSecond: number;
}

export interface BenchReport {
  readonly baseline: Measure;
  readonly simulation: Measure & { readonly seeds: number };
  readonly ratio: number;
  readonly explore: {
    readonly workers: number;
    readonly seeds: number;
    readonly seedsPerSecond: number;
    readonly eventsPerSecond: number;
    readonly eventsPerSecondPerCore: number;
    /** Explore's events/s per core over the one-core simulation's (target ≥ 0.8). */
    readonly perCoreRatio: number;
  };
  /**
   * The same seeds as plain simulations side by side, one worker per core, each sent all its seeds
   * at once: what this machine's cores give together without explore's scheduling. Explore's ratio
   * to it is explore's own overhead; its ratio to one core is the machine's (shared cores, memory).
   */
  readonly parallelCeiling: {
    readonly workers: number;
    readonly eventsPerSecond: number;
    readonly eventsPerSecondPerCore: number;
    readonly perCoreRatio: number;
    readonly exploreRatio: number;
  };
  /** Without clients: only the simulator's own machinery (should be flat). */
  readonly memoryProtocol: MemoryRun;
  /** With the default workload: the replicated data grows with committed writes (no snapshots yet). */
  readonly memoryWorkload: MemoryRun;
}

interface MemoryRun {
  readonly events: number;
  readonly samples: readonly { readonly events: number; readonly heapMB: number }[];
  readonly peakRssMB: number;
  readonly growthMBPerMillionEvents: number;
  readonly committedEntries: number;
  readonly bytesPerCommittedEntry: number | null;
}

/** The same event loop with nothing to do: pop an event, draw a delay from the same PRNG, push one. */
function baseline(events: number): Measure {
  const heap = new EventHeap<{ time: number; seq: number; kind: number }>();
  const rng = Rng.stream(1, 'bench');
  for (let i = 0; i < 64; i++) heap.push({ time: rng.intIn(0, 10_000), seq: 0, kind: i & 7 });
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < events; i++) {
    const e = heap.pop()!;
    sink ^= e.kind;
    heap.push({ time: e.time + rng.intIn(1_000, 15_000), seq: 0, kind: (e.kind + 1) & 7 });
  }
  const seconds = (performance.now() - t0) / 1000;
  if (sink === -1) throw new Error('unreachable');
  return { events, seconds, perSecond: Math.round(events / seconds) };
}

function simulation(s: Scenario, minEvents: number): Measure & { seeds: number } {
  let events = 0;
  let seeds = 0;
  const t0 = performance.now();
  for (let seed = 1; events < minEvents; seed++) {
    events += new Simulation(s, seed).run().steps;
    seeds++;
  }
  const seconds = (performance.now() - t0) / 1000;
  return { events, seconds, seeds, perSecond: Math.round(events / seconds) };
}

/**
 * The no-op loop and the simulation, measured PASSES times in turn; each keeps its fastest pass. On
 * a shared machine a neighbour's burst slows one pass, not every pass, so the best of a few
 * interleaved passes gives a ratio that holds from run to run (a single pass of each swung the
 * ratio between 0.07 and 0.14 on one machine within an hour).
 */
function interleaved(s: Scenario, baselineEvents: number, simEvents: number): { base: Measure; sim: Measure & { seeds: number } } {
  let base: Measure | null = null;
  let sim: (Measure & { seeds: number }) | null = null;
  for (let pass = 0; pass < PASSES; pass++) {
    const b = baseline(baselineEvents);
    if (base === null || b.perSecond > base.perSecond) base = b;
    const x = simulation(s, simEvents);
    if (sim === null || x.perSecond > sim.perSecond) sim = x;
  }
  return { base: base!, sim: sim! };
}

const PASSES = 3;

function memory(s: Scenario, events: number, every: number): MemoryRun {
  // One long run: the safety phase lasts long enough for `events` steps.
  const long: Scenario = { ...s, safetyUs: 100_000_000_000, maxSteps: events + 1 };
  const sim = new Simulation(long, 1);
  const gc = (globalThis as { gc?: () => void }).gc;
  const samples: { events: number; heapMB: number }[] = [];
  let peakRss = 0;
  const sample = (): void => {
    gc?.();
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    samples.push({ events: sim.steps, heapMB: Math.round((m.heapUsed / 2 ** 20) * 10) / 10 });
  };
  sample();
  while (sim.steps < events && sim.step()) {
    if (sim.steps % every === 0) sample();
  }
  if (samples[samples.length - 1]!.events !== sim.steps) sample();
  const first = samples[1] ?? samples[0]!;
  const last = samples[samples.length - 1]!;
  const growth = last.events > first.events ? ((last.heapMB - first.heapMB) / (last.events - first.events)) * 1e6 : 0;
  const entries = sim.checker.committedLog.length;
  const bytes = entries > 0 ? Math.round(((last.heapMB - first.heapMB) * 2 ** 20) / entries) : null;
  return {
    events: sim.steps,
    samples,
    peakRssMB: Math.round(peakRss / 2 ** 20),
    growthMBPerMillionEvents: Math.round(growth * 100) / 100,
    committedEntries: entries,
    bytesPerCommittedEntry: bytes,
  };
}

export async function benchCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, quick: { type: 'boolean' } } });
  const quick = values.quick === true;
  const s = loadScenario(DEFAULT_SCENARIO, DEFAULT_SCENARIO_FILE);
  const say = (l: string): void => {
    if (values.json !== true) io.out(l);
  };
  say(`liferaft bench: ${DEFAULT_SCENARIO_FILE} (3–5 nodes drawn per seed, default faults, all invariants after every step)`);
  baseline(quick ? 200_000 : 2_000_000); // warm up
  simulation(s, quick ? 100_000 : 1_000_000);
  const { base, sim } = interleaved(s, quick ? 1_000_000 : 5_000_000, quick ? 500_000 : 3_000_000);
  say(`  no-op event loop (heap + PRNG):  ${fmt(base.perSecond)} events/s   (best of ${PASSES} passes, taken in turn with the simulation's)`);
  const ratio = Math.round((sim.perSecond / base.perSecond) * 1000) / 1000;
  say(
    `  full simulation, one core:       ${fmt(sim.perSecond)} events/s (${sim.seeds} seeds, ${fmt(sim.events)} events; best of ${PASSES})  ratio to no-op: ${ratio}`,
  );
  const workers = availableParallelism();
  // Long enough that each worker's warm-up (a fresh V8 isolate compiles the simulator again) weighs
  // as little as in a real campaign of many thousand seeds.
  const { explore: exploreFigures, parallelCeiling } = await benchExplore(s, quick ? 40 : 4000, workers, sim.perSecond, say);
  const memEvents = quick ? 1_000_000 : 10_000_000;
  const protocol = memory({ ...s, workload: { ...s.workload, clients: 0 } }, memEvents, memEvents / 10);
  say(
    `  one run of ${fmt(protocol.events)} events without clients: heap ${protocol.samples.map((x) => `${x.heapMB}`).join(' → ')} MB (every ${fmt(memEvents / 10)} events), peak RSS ${protocol.peakRssMB} MB`,
  );
  const workload = memory(s, memEvents, memEvents / 10);
  say(
    `  one run of ${fmt(workload.events)} events with 3 clients: heap ${workload.samples.map((x) => `${x.heapMB}`).join(' → ')} MB, peak RSS ${workload.peakRssMB} MB;`,
  );
  say(
    `    ${fmt(workload.committedEntries)} entries committed, ${workload.bytesPerCommittedEntry ?? '-'} bytes of heap per committed entry (logs on every node and disk, checker, client history; compaction is off in this scenario)`,
  );
  const report: BenchReport = {
    baseline: base,
    simulation: sim,
    ratio,
    explore: exploreFigures,
    parallelCeiling,
    memoryProtocol: protocol,
    memoryWorkload: workload,
  };
  if (values.json === true) io.out(JSON.stringify(report));
  return 0;
}

/**
 * Explore's throughput on `workers` threads over seeds 1..seeds, against one core's (`simPerSecond`)
 * and against the same seeds run as plain simulations side by side (the ceiling explore can reach).
 */
async function benchExplore(
  s: Scenario,
  seeds: number,
  workers: number,
  simPerSecond: number,
  say: (l: string) => void,
): Promise<{ explore: BenchReport['explore']; parallelCeiling: BenchReport['parallelCeiling'] }> {
  const ex = await explore(
    {
      scenario: s,
      seeds: { from: 1, to: seeds },
      timeSec: null,
      workers,
      shard: null,
      outDir: null,
      checkDeterminism: false,
      shrinkSeconds: 0,
      from: 1,
      bias: false,
      untilFailure: false,
    },
    { out: () => {}, err: () => {}, progress: null },
  );
  const perCore = Math.round(ex.eventsPerSecond / workers);
  const perCoreRatio = Math.round((perCore / simPerSecond) * 100) / 100;
  say(
    `  explore on ${workers} worker threads:   ${ex.seedsPerSecond} seeds/s, ${fmt(ex.eventsPerSecond)} events/s (${fmt(perCore)} per core, ${perCoreRatio} of one core; ${ex.seedsRun} seeds)`,
  );
  const ceiling = await sideBySide(s, seeds, workers);
  const ceilingPerCore = Math.round(ceiling / workers);
  const parallelCeiling = {
    workers,
    eventsPerSecond: ceiling,
    eventsPerSecondPerCore: ceilingPerCore,
    perCoreRatio: Math.round((ceilingPerCore / simPerSecond) * 100) / 100,
    exploreRatio: Math.round((ex.eventsPerSecond / ceiling) * 100) / 100,
  };
  say(
    `  the same seeds as ${workers} plain runs side by side: ${fmt(ceiling)} events/s (${fmt(ceilingPerCore)} per core, ${parallelCeiling.perCoreRatio} of one core); explore reaches ${parallelCeiling.exploreRatio} of it`,
  );
  return {
    explore: {
      workers,
      seeds: ex.seedsRun,
      seedsPerSecond: ex.seedsPerSecond,
      eventsPerSecond: ex.eventsPerSecond,
      eventsPerSecondPerCore: perCore,
      perCoreRatio,
    },
    parallelCeiling,
  };
}

/** Seeds 1..n as plain simulations on `workers` threads, each sent its share at once; events/s over all. */
async function sideBySide(s: Scenario, n: number, workers: number): Promise<number> {
  const script = workerScript();
  const shares: number[][] = Array.from({ length: workers }, () => []);
  for (let seed = 1; seed <= n; seed++) shares[(seed - 1) % workers]!.push(seed);
  const threads = shares.map(() => new Worker(script, WORKER_OPTIONS));
  try {
    // Load the bundle in every thread before the clock starts (explore pays this once per run too).
    await Promise.all(
      threads.map(
        (w) =>
          new Promise<void>((res, rej) => {
            w.once('message', () => res());
            w.once('error', rej);
            w.postMessage({ scenario: s, seeds: [], twice: false } satisfies SeedBatch);
          }),
      ),
    );
    const t0 = performance.now();
    const steps = await Promise.all(
      threads.map(
        (w, i) =>
          new Promise<number>((res, rej) => {
            w.once('message', (rs: SeedSummary[]) => res(rs.reduce((k, r) => k + r.steps, 0)));
            w.once('error', rej);
            w.postMessage({ scenario: s, seeds: shares[i]!, twice: false } satisfies SeedBatch);
          }),
      ),
    );
    const seconds = (performance.now() - t0) / 1000;
    return Math.round(steps.reduce((a, b) => a + b, 0) / seconds);
  } finally {
    await Promise.all(threads.map((w) => w.terminate()));
  }
}

function fmt(x: number): string {
  return x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(0)}k` : String(Math.round(x));
}
