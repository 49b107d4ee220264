// liferaft explore [SCENARIO] (--seeds N | A..B | --time SECONDS) [--workers K] [--shard I/N] [--out DIR]
//                  [--check-determinism] [--json]
// Runs many seeds in parallel on worker threads; for each failing seed writes a .rafttrace.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import {
  Exploration,
  findDivergence,
  nodeRules,
  firstDivergence,
  foreignRefusal,
  fromBase64,
  recordRun,
  runSeeds,
  type ExplorationSummary,
  type NodeRun,
  type Scenario,
  type SeedBatch,
  type SeedSummary,
} from '../sim';
import { nodeFor, withNodeLine, type LoadedNode } from './node-module';
import { exitFor, intOption, readScenario, reproduceCommand, seedsOption, shardOption, shellQuote, UsageError, withCliBugs, type Io } from './args';
import { shrinkWithBudget } from './cmd-shrink';

export interface ExploreOptions {
  readonly scenario: Scenario;
  readonly seeds: { readonly from: number; readonly to: number } | null;
  readonly timeSec: number | null;
  readonly workers: number;
  readonly shard: { readonly i: number; readonly n: number } | null;
  readonly outDir: string | null;
  readonly checkDeterminism: boolean;
  /** Wall-clock budget for shrinking each failing seed (with --out). */
  readonly shrinkSeconds: number;
  /** Open-ended exploration starts here (--from). */
  readonly from: number;
  /** Coverage-guided seed choice in open-ended exploration (off with --no-bias). */
  readonly bias: boolean;
  /** Stop at the first failing seed (--until-failure). */
  readonly untilFailure: boolean;
  /** A user's node instead of the core (--node). */
  readonly node?: LoadedNode | null;
}

export interface ExploreFailure {
  readonly seed: number;
  readonly verdict: string;
  readonly invariant: string;
  readonly step: number;
  readonly message: string;
  /** The run's trace hash: `liferaft run` of the printed reproduce command prints the same. */
  readonly traceHash: string;
  /** Path of the written .rafttrace (null without --out, or past the first MAX_TRACES failures). */
  readonly trace: string | null;
  /** Path of the shrunk .raftsim regression scenario, when shrinking reproduced the failure. */
  readonly shrunk: string | null;
}

export interface ExploreReport {
  readonly seedsRun: number;
  readonly failures: ExploreFailure[];
  readonly steps: number;
  readonly eventsPerSecond: number;
  readonly seedsPerSecond: number;
  readonly elapsedMs: number;
  readonly workers: number;
  /** Seeds run before the first failure was found (including it), and how long that took. */
  readonly firstFailure: { readonly seeds: number; readonly ms: number } | null;
  readonly coverage: ExplorationSummary['coverage'];
  /** Time spent after the seeds: re-running failures for their traces, shrinking them. */
  readonly afterMs: number;
}

const BATCH = 4;
const MAX_TRACES = 20;

export async function exploreCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      seeds: { type: 'string' },
      time: { type: 'string' },
      workers: { type: 'string' },
      shard: { type: 'string' },
      out: { type: 'string' },
      'check-determinism': { type: 'boolean' },
      json: { type: 'boolean' },
      'shrink-seconds': { type: 'string' },
      bug: { type: 'string', multiple: true },
      from: { type: 'string' },
      'no-bias': { type: 'boolean' },
      'until-failure': { type: 'boolean' },
      node: { type: 'string' },
    },
    allowPositionals: true,
  });
  if (positionals.length > 1) throw new UsageError(`explore takes one scenario file, got ${positionals.length}`);
  if (values.seeds !== undefined && values.time !== undefined) throw new UsageError('give either --seeds N|A..B or --time SECONDS, not both');
  const seeds = values.seeds !== undefined ? seedsOption(values.seeds) : values.time === undefined ? { from: 1, to: 100 } : null;
  const timeSec = values.time === undefined ? null : intOption('time', values.time, 0, 1, 7 * 24 * 3600);
  const shard = shardOption(values.shard);
  let opts: ExploreOptions = {
    scenario: withCliBugs(readScenario(positionals[0]), values.bug, io),
    seeds,
    timeSec,
    workers: intOption('workers', values.workers, availableParallelism(), 0, 64),
    shard,
    outDir: values.out ?? null,
    checkDeterminism: values['check-determinism'] === true,
    shrinkSeconds: intOption('shrink-seconds', values['shrink-seconds'], 20, 0, 3600),
    from: intOption('from', values.from, 1, 0, Number.MAX_SAFE_INTEGER),
    bias: values['no-bias'] !== true,
    untilFailure: values['until-failure'] === true,
    node: null,
  };
  opts = { ...opts, node: (await nodeFor(opts.scenario, values.node)) ?? null };
  const refusal = opts.node == null ? null : foreignRefusal(opts.scenario, opts.node.label);
  if (refusal !== null) throw new UsageError(refusal);
  const tail = values.node === undefined ? '' : `--node ${shellQuote(values.node)}`;
  const report = await explore(opts, io);
  if (values.json === true) {
    io.out(
      JSON.stringify({
        seedsRun: report.seedsRun,
        failures: report.failures.map(({ seed, verdict, invariant, step, message, traceHash, trace, shrunk }) => ({
          seed,
          verdict,
          invariant,
          step,
          message,
          traceHash,
          trace,
          shrunk,
          reproduce: reproduceCommand(positionals[0], seed, values.bug, tail),
        })),
        eventsPerSecond: report.eventsPerSecond,
        seedsPerSecond: report.seedsPerSecond,
        elapsedMs: report.elapsedMs,
        firstFailure: report.firstFailure,
        coverage: report.coverage,
      }),
    );
  } else {
    for (const line of describeExplore(report, opts, positionals[0], values.bug, tail)) io.out(line);
  }
  const worst = worstVerdict(report.failures.map((f) => f.verdict));
  return worst === null ? 0 : exitFor(worst);
}

export async function explore(o: ExploreOptions, io: Io): Promise<ExploreReport> {
  const started = performance.now();
  const deadline = o.timeSec === null ? Infinity : started + o.timeSec * 1000;
  const total = o.seeds === null ? null : countSeeds(o);
  const exploration = new Exploration(o.node == null ? o : { ...o, nodeRules: nodeRules(o.node.module) });
  let failedAtMs: number | null = null;
  const nodeFile = o.node == null ? null : resolve(o.node.file);
  const nextBatch = (): SeedBatch => ({ ...exploration.nextBatch(BATCH, () => performance.now() >= deadline), node: nodeFile });
  const inline = o.node == null ? undefined : { module: o.node.module, label: o.node.label };
  let lastDraw = 0;
  const onResults = (rs: readonly SeedSummary[]): void => {
    if (exploration.report(rs).length > 0) failedAtMs ??= Math.round(performance.now() - started);
    const now = performance.now();
    if (io.progress !== null && now - lastDraw > 100) {
      lastDraw = now;
      io.progress(progressLine(exploration.progress, total, now - started, o.timeSec));
    }
  };
  const workers = o.workers;
  if (workers === 0) {
    for (let b = nextBatch(); b.seeds.length > 0; b = nextBatch()) onResults(runSeeds(b, inline));
  } else {
    await runPool(workers, nextBatch, onResults);
  }
  if (io.progress !== null) io.progress('');
  const elapsedMs = Math.max(1, Math.round(performance.now() - started));
  const summary = exploration.summarize();
  // (Writing traces and shrinking come after the seeds, and may take longer than they did.)
  const after = performance.now();
  const failures = collectFailures(summary.results, o, (line) => io.progress?.(line));
  if (io.progress !== null) io.progress('');
  return {
    seedsRun: summary.results.length,
    failures,
    afterMs: Math.round(performance.now() - after),
    steps: summary.steps,
    eventsPerSecond: Math.round(summary.steps / (elapsedMs / 1000)),
    seedsPerSecond: Math.round((summary.results.length / (elapsedMs / 1000)) * 10) / 10,
    elapsedMs,
    workers,
    firstFailure: summary.firstFailureAfter === null ? null : { seeds: summary.firstFailureAfter, ms: failedAtMs ?? 0 },
    coverage: summary.coverage,
  };
}

function countSeeds(o: ExploreOptions): number {
  return o.seeds === null ? 0 : seedsInShard(o.seeds, o.shard);
}

/** How many seeds of `range` fall in shard I/N (those ≡ I-1 mod N), without visiting them. */
export function seedsInShard(range: { readonly from: number; readonly to: number }, shard: ExploreOptions['shard']): number {
  if (shard === null) return range.to - range.from + 1;
  const r = shard.i - 1;
  const upTo = (x: number): number => (x < r ? 0 : Math.floor((x - r) / shard.n) + 1); // seeds s ≤ x with s ≡ r
  return upTo(range.to) - upTo(range.from - 1);
}

/** How explore starts its workers (bench's side-by-side ceiling starts its own the same way). */
export const WORKER_OPTIONS = { resourceLimits: { maxYoungGenerationSizeMb: 64 } } as const;

export function workerScript(): string {
  const path = join(__dirname, 'explore-worker.js');
  if (!existsSync(path)) throw new UsageError(`worker script ${path} not found: run the built CLI (npm run build), or use --workers 0`);
  return path;
}

function runPool(size: number, nextBatch: () => SeedBatch, onResults: (r: readonly SeedSummary[]) => void): Promise<void> {
  const script = workerScript();
  return new Promise((resolve, reject) => {
    let active = 0;
    let failed = false;
    const feed = (w: Worker): void => {
      const batch = nextBatch();
      if (batch.seeds.length === 0) {
        void w.terminate();
        active--;
        if (active === 0) resolve();
        return;
      }
      w.postMessage(batch);
    };
    for (let i = 0; i < size; i++) {
      const w = new Worker(script, WORKER_OPTIONS);
      active++;
      w.on('message', (rs: SeedSummary[]) => {
        onResults(rs);
        feed(w);
      });
      w.on('error', (e) => {
        if (!failed) {
          failed = true;
          reject(e);
        }
      });
      feed(w);
    }
  });
}

function collectFailures(results: readonly SeedSummary[], o: ExploreOptions, progress: (line: string) => void): ExploreFailure[] {
  const failures: ExploreFailure[] = [];
  const node: NodeRun | undefined = o.node == null ? undefined : { module: o.node.module, file: o.node.file, name: o.node.label, sha256: o.node.sha256 };
  const record = (seed: number) => recordRun(o.scenario, seed, undefined, [], node);
  for (const r of results) {
    const nondeterministic = r.secondHash !== undefined;
    if (r.verdict === 'ok' && !nondeterministic) continue;
    let trace: string | null = null;
    let step = r.violation?.step ?? r.steps;
    let message = r.violation?.message ?? '';
    let verdict = r.verdict;
    let invariant = r.violation?.invariant ?? r.verdict;
    if (nondeterministic) {
      verdict = 'nondeterminism';
      invariant = 'Determinism';
      // Side by side, the step, node and field where they part; else where their traces part.
      const d = findDivergence(o.scenario, r.seed, node === undefined ? undefined : { module: node.module, label: node.name });
      if (d !== null) {
        step = d.step;
        message = `two runs of seed ${r.seed} diverge at step ${d.step}${d.node === null ? '' : ` on ${d.node}`} (${d.event}): ${d.detail}${node === undefined ? '' : ` — ${node.name} got an input other than its steps' and its rng's (Math.random, a clock, a variable kept outside its state?)`}`;
      } else {
        const a = record(r.seed);
        const b = record(r.seed);
        step = firstDivergence(fromBase64(a.trace.stepBytes), fromBase64(b.trace.stepBytes)) ?? Math.min(a.result.steps, b.result.steps);
        message = `two runs of seed ${r.seed} diverge at step ${step} (hashes ${r.traceHash} and ${r.secondHash})`;
      }
    }
    let shrunk: string | null = null;
    if (o.outDir !== null && failures.length < MAX_TRACES) {
      mkdirSync(o.outDir, { recursive: true });
      trace = join(o.outDir, `seed-${r.seed}.rafttrace`);
      writeFileSync(trace, JSON.stringify(record(r.seed).trace));
      if (!nondeterministic && o.shrinkSeconds > 0) {
        progress(`shrinking seed ${r.seed} (at most ${o.shrinkSeconds}s; failure ${failures.length + 1})…`);
        const s = shrinkWithBudget(o.scenario, r.seed, o.shrinkSeconds, node);
        if (s.reproduced) {
          shrunk = join(o.outDir, `seed-${r.seed}.shrunk.raftsim`);
          writeFileSync(shrunk, node === undefined ? s.text : withNodeLine(s.text, node, shrunk));
        }
      }
    }
    failures.push({ seed: r.seed, verdict, invariant, step, message, traceHash: r.traceHash, trace, shrunk });
  }
  return failures;
}

function progressLine(p: Exploration['progress'], total: number | null, elapsedMs: number, timeSec: number | null): string {
  const done = p.seeds;
  const frac = total !== null ? done / Math.max(1, total) : timeSec !== null ? elapsedMs / (timeSec * 1000) : 0;
  const width = 24;
  const filled = Math.max(0, Math.min(width, Math.round(frac * width)));
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}${total === null ? '' : `/${total}`} seeds  ${fmtRate(p.steps / (elapsedMs / 1000))} events/s  ${p.failing} failing`;
}

function fmtRate(x: number): string {
  return x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(0)}k` : x.toFixed(0);
}

/** With mixed verdicts the most severe decides the exit code: safety, then a crash, then liveness. */
export function worstVerdict(verdicts: readonly string[]): string | null {
  const rank = (v: string): number => (v === 'safety' ? 3 : v === 'liveness' ? 1 : 2);
  return verdicts.reduce<string | null>((w, v) => (w === null || rank(v) > rank(w) ? v : w), null);
}

function describeExplore(r: ExploreReport, o: ExploreOptions, path: string | undefined, cliBugs: readonly string[] | undefined, tail = ''): string[] {
  const lines = [
    `explored ${r.seedsRun} seed${r.seedsRun === 1 ? '' : 's'} of ${path === undefined ? 'the built-in default scenario' : o.scenario.file} in ${(r.elapsedMs / 1000).toFixed(1)}s on ${r.workers === 0 ? 'the main thread' : `${r.workers} worker${r.workers === 1 ? '' : 's'}`}: ${fmtRate(r.eventsPerSecond)} events/s, ${r.seedsPerSecond} seeds/s`,
  ];
  const never = r.coverage.rulesNeverHit;
  const neverHit = (whose: string): string =>
    never.length === 0
      ? `every rule of ${whose} hit`
      : `${never.length} rule${never.length === 1 ? '' : 's'} never hit: ${never.slice(0, 8).join(', ')}${never.length > 8 ? ', …' : ''}`;
  const rules = o.node == null ? [] : nodeRules(o.node.module);
  lines.push(
    o.node == null
      ? `coverage: ${r.coverage.signals} of ${r.coverage.of} signals; ${neverHit('the core')}`
      : rules.length === 0
        ? `coverage: ${r.coverage.signals} signals of faults and role changes (${o.node.label} names no rules: export \`rules\` and report them in \`outputs.rules\` to see which are never taken)`
        : `coverage: ${r.coverage.signals} of ${r.coverage.of} signals of faults, role changes and ${o.node.label}'s ${rules.length} rules; ${neverHit(o.node.label)}`,
  );
  if (r.failures.length === 0) {
    lines.push('no failures');
    return lines;
  }
  if (r.afterMs >= 1000)
    lines.push(
      `then ${(r.afterMs / 1000).toFixed(1)}s for traces${o.shrinkSeconds > 0 ? ` and shrinking (at most ${o.shrinkSeconds}s per failing seed; --shrink-seconds)` : ''}`,
    );
  if (r.firstFailure !== null)
    lines.push(
      `first failure found after ${r.firstFailure.seeds} seed${r.firstFailure.seeds === 1 ? '' : 's'} had run (${(r.firstFailure.ms / 1000).toFixed(1)}s); lowest failing seed: ${Math.min(...r.failures.map((f) => f.seed))}`,
    );
  lines.push(
    `${r.failures.length} failing seed${r.failures.length === 1 ? '' : 's'}${o.untilFailure && r.failures.length > 1 ? ' (--until-failure: seeds already running on other workers finish)' : ''}:`,
  );
  for (const f of r.failures) {
    lines.push(`  seed ${f.seed}: ${f.verdict} ${f.invariant} at step ${f.step} (trace ${f.traceHash}): ${f.message}`);
    lines.push(
      `    ${f.trace !== null ? `trace: ${f.trace}; ` : ''}${f.shrunk !== null ? `shrunk: ${f.shrunk}; ` : ''}reproduce: ${reproduceCommand(path, f.seed, cliBugs, tail)}`,
    );
  }
  return lines;
}
