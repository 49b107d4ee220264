// liferaft explore [SCENARIO] (--seeds A..B | --time SECONDS) [--workers K] [--shard I/N] [--out DIR]
//                  [--check-determinism] [--json]
// Runs many seeds in parallel on worker threads; for each failing seed writes a .rafttrace.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { firstDivergence, fromBase64, recordRun, type Scenario } from '../sim';
import { exitFor, intOption, rangeOption, readScenario, UsageError, type Io } from './args';
import { shrinkWithBudget } from './cmd-shrink';
import { runSeeds, type SeedSummary, type WorkerRequest } from './explore-core';

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
}

export interface ExploreFailure {
  readonly seed: number;
  readonly verdict: string;
  readonly invariant: string;
  readonly step: number;
  readonly message: string;
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
}

const BATCH = 4;
const MAX_TRACES = 20;

export async function exploreCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      seeds: { type: 'string' }, time: { type: 'string' }, workers: { type: 'string' }, shard: { type: 'string' },
      out: { type: 'string' }, 'check-determinism': { type: 'boolean' }, json: { type: 'boolean' }, 'shrink-seconds': { type: 'string' },
    },
    allowPositionals: true,
  });
  if (positionals.length > 1) throw new UsageError(`explore takes one scenario file, got ${positionals.length}`);
  if (values.seeds !== undefined && values.time !== undefined) throw new UsageError('give either --seeds A..B or --time SECONDS, not both');
  const seeds = values.seeds !== undefined ? rangeOption('seeds', values.seeds) : values.time === undefined ? { from: 1, to: 100 } : null;
  const timeSec = values.time === undefined ? null : intOption('time', values.time, 0, 1, 7 * 24 * 3600);
  let shard: ExploreOptions['shard'] = null;
  if (values.shard !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(values.shard);
    if (m === null || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new UsageError(`--shard must be I/N with 1 ≤ I ≤ N (got ${JSON.stringify(values.shard)})`);
    shard = { i: Number(m[1]), n: Number(m[2]) };
  }
  const opts: ExploreOptions = {
    scenario: readScenario(positionals[0]),
    seeds,
    timeSec,
    workers: intOption('workers', values.workers, availableParallelism(), 0, 64),
    shard,
    outDir: values.out ?? null,
    checkDeterminism: values['check-determinism'] === true,
    shrinkSeconds: intOption('shrink-seconds', values['shrink-seconds'], 20, 0, 3600),
  };
  const report = await explore(opts, io);
  if (values.json === true) {
    io.out(JSON.stringify({
      seedsRun: report.seedsRun,
      failures: report.failures.map(({ seed, verdict, invariant, step, trace, shrunk }) => ({ seed, verdict, invariant, step, trace, shrunk })),
      eventsPerSecond: report.eventsPerSecond,
      seedsPerSecond: report.seedsPerSecond,
      elapsedMs: report.elapsedMs,
    }));
  } else {
    for (const line of describeExplore(report, opts, positionals[0])) io.out(line);
  }
  const first = report.failures[0];
  return first === undefined ? 0 : exitFor(first.verdict);
}

function* seedStream(o: ExploreOptions): Generator<number> {
  const ok = (s: number): boolean => o.shard === null || s % o.shard.n === o.shard.i - 1;
  if (o.seeds !== null) {
    for (let s = o.seeds.from; s <= o.seeds.to; s++) if (ok(s)) yield s;
  } else {
    for (let s = 1; ; s++) if (ok(s)) yield s;
  }
}

export async function explore(o: ExploreOptions, io: Io): Promise<ExploreReport> {
  const started = performance.now();
  const deadline = o.timeSec === null ? Infinity : started + o.timeSec * 1000;
  const total = o.seeds === null ? null : countSeeds(o);
  const it = seedStream(o);
  const nextBatch = (): number[] => {
    const batch: number[] = [];
    if (performance.now() >= deadline) return batch;
    for (let i = 0; i < BATCH; i++) {
      const r = it.next();
      if (r.done === true) break;
      batch.push(r.value);
    }
    return batch;
  };
  const results: SeedSummary[] = [];
  let lastDraw = 0;
  const onResults = (rs: readonly SeedSummary[]): void => {
    results.push(...rs);
    const now = performance.now();
    if (io.progress !== null && now - lastDraw > 100) {
      lastDraw = now;
      io.progress(progressLine(results, total, now - started, o.timeSec));
    }
  };
  const req = (seeds: number[]): WorkerRequest => ({ file: o.scenario.file, text: o.scenario.text, seeds, twice: o.checkDeterminism });
  const workers = o.workers;
  if (workers === 0) {
    for (let b = nextBatch(); b.length > 0; b = nextBatch()) onResults(runSeeds(req(b)));
  } else {
    await runPool(workers, nextBatch, req, onResults);
  }
  if (io.progress !== null) io.progress('');
  const elapsedMs = Math.max(1, Math.round(performance.now() - started));
  results.sort((a, b) => a.seed - b.seed);
  const failures = collectFailures(results, o);
  const steps = results.reduce((n, r) => n + r.steps * (o.checkDeterminism ? 2 : 1), 0);
  return {
    seedsRun: results.length,
    failures,
    steps,
    eventsPerSecond: Math.round(steps / (elapsedMs / 1000)),
    seedsPerSecond: Math.round((results.length / (elapsedMs / 1000)) * 10) / 10,
    elapsedMs,
    workers,
  };
}

function countSeeds(o: ExploreOptions): number {
  let n = 0;
  for (const _ of seedStream(o)) n++;
  return n;
}

function workerScript(): string {
  const path = join(__dirname, 'explore-worker.js');
  if (!existsSync(path)) throw new UsageError(`worker script ${path} not found: run the built CLI (npm run build), or use --workers 0`);
  return path;
}

function runPool(size: number, nextBatch: () => number[], req: (seeds: number[]) => WorkerRequest, onResults: (r: readonly SeedSummary[]) => void): Promise<void> {
  const script = workerScript();
  return new Promise((resolve, reject) => {
    let active = 0;
    let failed = false;
    const feed = (w: Worker): void => {
      const batch = nextBatch();
      if (batch.length === 0) {
        void w.terminate();
        active--;
        if (active === 0) resolve();
        return;
      }
      w.postMessage(req(batch));
    };
    for (let i = 0; i < size; i++) {
      const w = new Worker(script, { resourceLimits: { maxYoungGenerationSizeMb: 64 } });
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

function collectFailures(results: readonly SeedSummary[], o: ExploreOptions): ExploreFailure[] {
  const failures: ExploreFailure[] = [];
  for (const r of results) {
    const nondeterministic = r.secondHash !== undefined;
    if (r.verdict === 'ok' && !nondeterministic) continue;
    let trace: string | null = null;
    let step = r.violation?.step ?? r.steps;
    let message = r.violation?.message ?? '';
    let verdict = r.verdict;
    let invariant = r.violation?.invariant ?? r.verdict;
    if (nondeterministic) {
      const a = recordRun(o.scenario, r.seed);
      const b = recordRun(o.scenario, r.seed);
      step = firstDivergence(fromBase64(a.trace.stepBytes), fromBase64(b.trace.stepBytes)) ?? Math.min(a.result.steps, b.result.steps);
      verdict = 'nondeterminism';
      invariant = 'Determinism';
      message = `two runs of seed ${r.seed} diverge at step ${step} (hashes ${r.traceHash} and ${r.secondHash})`;
    }
    let shrunk: string | null = null;
    if (o.outDir !== null && failures.length < MAX_TRACES) {
      mkdirSync(o.outDir, { recursive: true });
      trace = join(o.outDir, `seed-${r.seed}.rafttrace`);
      writeFileSync(trace, JSON.stringify(recordRun(o.scenario, r.seed).trace));
      if (!nondeterministic && o.shrinkSeconds > 0) {
        const s = shrinkWithBudget(o.scenario, r.seed, o.shrinkSeconds);
        if (s.reproduced) {
          shrunk = join(o.outDir, `seed-${r.seed}.shrunk.raftsim`);
          writeFileSync(shrunk, s.text);
        }
      }
    }
    failures.push({ seed: r.seed, verdict, invariant, step, message, trace, shrunk });
  }
  return failures;
}

function progressLine(results: readonly SeedSummary[], total: number | null, elapsedMs: number, timeSec: number | null): string {
  const done = results.length;
  const frac = total !== null ? done / Math.max(1, total) : timeSec !== null ? elapsedMs / (timeSec * 1000) : 0;
  const width = 24;
  const filled = Math.max(0, Math.min(width, Math.round(frac * width)));
  const steps = results.reduce((n, r) => n + r.steps, 0);
  const failures = results.filter((r) => r.verdict !== 'ok' || r.secondHash !== undefined).length;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}${total === null ? '' : `/${total}`} seeds  ${fmtRate(steps / (elapsedMs / 1000))} events/s  ${failures} failing`;
}

function fmtRate(x: number): string {
  return x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(0)}k` : x.toFixed(0);
}

function describeExplore(r: ExploreReport, o: ExploreOptions, path: string | undefined): string[] {
  const lines = [
    `explored ${r.seedsRun} seeds of ${o.scenario.file} in ${(r.elapsedMs / 1000).toFixed(1)}s on ${r.workers === 0 ? 'the main thread' : `${r.workers} worker${r.workers === 1 ? '' : 's'}`}: ${fmtRate(r.eventsPerSecond)} events/s, ${r.seedsPerSecond} seeds/s`,
  ];
  if (r.failures.length === 0) {
    lines.push('no failures');
    return lines;
  }
  lines.push(`${r.failures.length} failing seed${r.failures.length === 1 ? '' : 's'}:`);
  for (const f of r.failures) {
    lines.push(`  seed ${f.seed}: ${f.verdict} ${f.invariant} at step ${f.step}: ${f.message}`);
    lines.push(`    ${f.trace !== null ? `trace: ${f.trace}; ` : ''}${f.shrunk !== null ? `shrunk: ${f.shrunk}; ` : ''}reproduce: liferaft run ${path === undefined ? '' : `${path} `}--seed ${f.seed}`);
  }
  return lines;
}
