// liferaft bench soundness [SCENARIO...] [--seeds N | A..B] [--shard I/N] [--workers K] [--chunk K]
//                          [--state FILE] [--fresh] [--out DIR] [--node FILE] [--json]
// The soundness campaign: explore a large range of seeds of every shipped example scenario on the
// correct core, and report per scenario seeds, failures, seeds/s and wall time. On a correct core
// every failure is a false alarm of the tool or a bug of the core, so the target is zero. With
// --node, the same for a user's node (examples/your-node/raft.js): the scenarios it cannot run
// (membership, transfers) are skipped, saying so.
//
// Resumable: progress is saved after every chunk of seeds (1,000 by default) in a state file, keyed
// by the scenario's text, the seed range, the shard and the build, so an interrupted campaign (Ctrl-C
// says what was saved) goes on where it stopped, and a changed scenario or build starts that
// scenario over. A longer range is a new campaign: run the added seeds as their own range
// (--seeds 100001..200000). --shard I/N takes the seeds ≡ I-1 (mod N), so a CI matrix of N jobs
// covers the range once. Without a terminal (CI logs) a progress line is printed once a minute.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { intOption, readScenario, reproduceCommand, seedsOption, shardOption, shellQuote, UsageError, type Io } from './args';
import { foreignRefusal, type Scenario } from '../sim';
import { explore, seedsInShard, type ExploreFailure } from './cmd-explore';
import { loadNode, nodeFor, type LoadedNode } from './node-module';

/** What the state file keeps of a failing seed (its trace and shrunk paths belong to one run). */
type CampaignFailure = Pick<ExploreFailure, 'seed' | 'verdict' | 'invariant' | 'step' | 'message' | 'traceHash'>;

interface ScenarioProgress {
  readonly scenario: string;
  readonly textHash: string;
  readonly from: number;
  readonly to: number;
  readonly shard: string;
  /** Every seed below this one (of the shard) has run. */
  next: number;
  seeds: number;
  steps: number;
  ms: number;
  failures: CampaignFailure[];
}

interface CampaignState {
  readonly version: 1;
  readonly build: string;
  runs: Record<string, ScenarioProgress>;
}

export interface SoundnessRow {
  readonly scenario: string;
  readonly seeds: number;
  /** Each with the command that reproduces it, for the scenario path as given in this run. */
  readonly failures: readonly (CampaignFailure & { readonly reproduce: string })[];
  readonly seedsPerSecond: number;
  readonly eventsPerSecond: number;
  readonly wallSeconds: number;
  readonly resumedFrom: number;
}

const DEFAULT_SEEDS = 100_000;
const DEFAULT_STATE = '.liferaft/soundness-state.json';

/** The shipped example scenarios, next to the built CLI (dist/../examples) or the sources (cli/../examples). */
export function exampleScenarios(): string[] {
  const dir = join(__dirname, '..', 'examples');
  if (!existsSync(dir)) throw new UsageError(`no example scenarios at ${dir}: name the scenarios to run`);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.raftsim'))
    .sort()
    .map((f) => join(dir, f));
}

/** What ran: the worker bundle (or, run from sources, the sources' entry), so a rebuilt tool starts over. */
function buildId(): string {
  const worker = join(__dirname, 'explore-worker.js');
  const file = existsSync(worker) ? worker : __filename;
  return createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 16);
}

function loadState(path: string, build: string, fresh: boolean, io: Io): CampaignState {
  const empty: CampaignState = { version: 1, build, runs: {} };
  if (fresh || !existsSync(path)) return empty;
  let s: CampaignState;
  try {
    s = JSON.parse(readFileSync(path, 'utf8')) as CampaignState;
  } catch (e) {
    throw new UsageError(`cannot read the campaign state ${path}: ${(e as Error).message} (--fresh starts over)`);
  }
  if (s.version !== 1 || typeof s.runs !== 'object' || s.runs === null) throw new UsageError(`${path} is not a soundness campaign state (--fresh starts over)`);
  if (s.build !== build) {
    io.err(`liferaft: the build changed since ${path} was written: every scenario starts over`);
    return empty;
  }
  return s;
}

function saveState(path: string, s: CampaignState): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(s, null, 1)}\n`);
  renameSync(tmp, path);
}

export async function benchSoundnessCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      seeds: { type: 'string' },
      shard: { type: 'string' },
      workers: { type: 'string' },
      chunk: { type: 'string' },
      state: { type: 'string' },
      fresh: { type: 'boolean' },
      out: { type: 'string' },
      node: { type: 'string' },
      json: { type: 'boolean' },
    },
    allowPositionals: true,
  });
  const cliNode = values.node === undefined ? null : await loadNode(values.node);
  const range = values.seeds === undefined ? { from: 1, to: DEFAULT_SEEDS } : seedsOption(values.seeds);
  const shard = shardOption(values.shard);
  // Shards that run on one machine keep one state file each (they would overwrite each other's).
  const statePath = values.state ?? (shard === null ? DEFAULT_STATE : DEFAULT_STATE.replace(/\.json$/, `-shard-${shard.i}-of-${shard.n}.json`));
  const json = values.json === true;
  const paths = positionals.length > 0 ? positionals : exampleScenarios();
  // Each scenario's node: --node, else its own `node` line, else the core.
  const all: CampaignScenario[] = [];
  for (const p of paths) {
    const scenario = readScenario(p);
    const node = cliNode ?? (await nodeFor(scenario, undefined)) ?? null;
    // (A scenario's own `node` line needs no --node to reproduce: run reads it too.)
    all.push({ path: p, scenario, text: readFileSync(p, 'utf8'), node, reproduceTail: cliNode === null ? '' : `--node ${shellQuote(cliNode.file)}` });
  }
  // A user's node runs the scenarios it can (no membership changes or transfers yet).
  const refusal = (x: CampaignScenario): string | null => (x.node === null ? null : foreignRefusal(x.scenario, x.node.label));
  const skipped = all.filter((x) => refusal(x) !== null).map((x) => ({ scenario: displayName(x.path), reason: refusal(x)!.replace(/^[^:]*: /, '') }));
  const scenarios = all.filter((x) => refusal(x) === null);
  if (scenarios.length === 0) throw new UsageError(`no scenario to run: ${skipped.map((x) => `${x.scenario}: ${x.reason}`).join('; ')}`);
  const build = buildId();
  const c = new Campaign(io, json, {
    range,
    shard,
    workers: intOption('workers', values.workers, availableParallelism(), 0, 64),
    chunk: intOption('chunk', values.chunk, 1000, 1, 1e9),
    statePath,
    state: loadState(statePath, build, values.fresh === true, io),
    build,
    outDir: values.out ?? null,
  });
  c.say(
    `liferaft soundness campaign: ${scenarios.length} scenario${scenarios.length === 1 ? '' : 's'} × seeds ${range.from}..${range.to}${shard === null ? '' : ` (shard ${c.shardText}: ${c.perScenario.toLocaleString('en-US')} seeds each)`} on ${c.o.workers === 0 ? 'the main thread' : `${c.o.workers} worker${c.o.workers === 1 ? '' : 's'}`}; state in ${statePath}`,
  );
  for (const x of skipped) c.say(`  ${x.scenario}: skipped (${x.reason})`);
  // One column width for every row (long paths included), so the figures line up.
  const width = Math.max(28, ...scenarios.map(({ path }) => displayName(path).length));
  const rows: SoundnessRow[] = [];
  // Ctrl-C: the chunks that finished are in the state file; say so, and how to go on.
  const onInterrupt = (): void => {
    const r = c.running;
    const where = r === null ? '' : ` (${r.name}: ${r.p.seeds.toLocaleString('en-US')} of ${c.perScenario.toLocaleString('en-US')} seeds saved)`;
    io.err(`\nliferaft: interrupted${where}; progress is in ${statePath}: run the same command to resume (the chunk that was running starts again)`);
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  try {
    for (const x of scenarios) {
      const row = await c.runScenario(x);
      rows.push(row);
      c.sayRow(row, width);
    }
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
  const seeds = rows.reduce((n, r) => n + r.seeds, 0);
  const failures = rows.reduce((n, r) => n + r.failures.length, 0);
  const wall = rows.reduce((n, r) => n + r.wallSeconds, 0);
  if (rows.some((r) => r.resumedFrom > 0)) c.say("  (wall: the time spent on each scenario's seeds, over every session that ran them)");
  c.say(
    `  ${'total'.padEnd(width)} ${seeds.toLocaleString('en-US').padStart(9)} seeds  ${String(failures).padStart(4)} failures  ${''.padStart(15)}  ${fmtDuration(wall).padStart(8)} wall`,
  );
  if (json) io.out(JSON.stringify({ range, shard: c.shardText, workers: c.o.workers, build, scenarios: rows, skipped }));
  return failures === 0 ? 0 : 1;
}

/** What a campaign runs: seeds, shard, workers, chunk size, and where its progress is kept. */
interface CampaignOptions {
  readonly range: { readonly from: number; readonly to: number };
  readonly shard: { readonly i: number; readonly n: number } | null;
  readonly workers: number;
  readonly chunk: number;
  readonly statePath: string;
  readonly state: CampaignState;
  readonly build: string;
  readonly outDir: string | null;
}

/** A scenario of the campaign, and the user's node it runs (null: the core). */
interface CampaignScenario {
  readonly path: string;
  readonly scenario: Scenario;
  readonly text: string;
  /** Its content hash keys the scenario's progress. */
  readonly node: LoadedNode | null;
  /** What a reproduce command adds after the seed (--node FILE when the node came from --node). */
  readonly reproduceTail: string;
}

/** One campaign: scenario after scenario, chunk after chunk, its progress saved after each chunk. */
class Campaign {
  readonly shardText: string;
  /** Seeds each scenario runs (of this shard). */
  readonly perScenario: number;
  /** The scenario running now and its progress (for an interrupt to say what was saved). */
  running: { name: string; p: ScenarioProgress } | null = null;
  private lastLine = Date.now();

  constructor(
    private readonly io: Io,
    private readonly json: boolean,
    readonly o: CampaignOptions,
  ) {
    this.shardText = o.shard === null ? '1/1' : `${o.shard.i}/${o.shard.n}`;
    this.perScenario = seedsInShard(o.range, o.shard);
  }

  say(l: string): void {
    if (!this.json) this.io.out(l);
  }

  /** The saved progress of a scenario in this campaign (its text, range and shard), or a fresh one. */
  private progressOf(path: string, text: string, userNode: LoadedNode | null): ScenarioProgress {
    const { range } = this.o;
    const textHash = createHash('sha256').update(text).digest('hex').slice(0, 16);
    const node = userNode === null ? '' : `|node ${userNode.sha256.slice(0, 16)}`;
    const key = `${resolve(path)}|${textHash}|${range.from}..${range.to}|${this.shardText}${node}`;
    return (this.o.state.runs[key] ??= {
      scenario: path,
      textHash,
      from: range.from,
      to: range.to,
      shard: this.shardText,
      next: range.from,
      seeds: 0,
      steps: 0,
      ms: 0,
      failures: [],
    });
  }

  /** Runs a scenario's remaining seeds, a chunk at a time, and sums them up. */
  async runScenario({ path, scenario, text, node, reproduceTail }: CampaignScenario): Promise<SoundnessRow> {
    const { range, statePath } = this.o;
    const name = displayName(path);
    const p = this.progressOf(path, text, node);
    const resumedFrom = p.seeds;
    this.running = { name, p };
    if (p.next <= range.to && p.seeds > 0)
      this.say(`  resuming ${name}: ${p.seeds.toLocaleString('en-US')} of ${this.perScenario.toLocaleString('en-US')} seeds done`);
    if (scenario.bugs.length > 0) this.io.err(`liferaft: ${name} plants bugs (${scenario.bugs.join(', ')}): its failures are expected, not false alarms`);
    while (p.next <= range.to) {
      // Each chunk starts its workers from the built bundle: a rebuild in the middle of a campaign
      // would test other code under this state's build.
      if (buildId() !== this.o.build)
        throw new UsageError(
          `the build changed during the campaign (npm run build?): progress so far is saved in ${statePath}; run again to start over on the new build`,
        );
      await this.runChunk(scenario, p, node);
      saveState(statePath, this.o.state);
      this.progress(name, p);
    }
    if (this.io.progress !== null) this.io.progress('');
    return {
      scenario: name,
      seeds: p.seeds,
      failures: p.failures.map((f) => ({
        ...f,
        reproduce: reproduceCommand(path, f.seed, undefined, reproduceTail),
      })),
      wallSeconds: Math.round(p.ms / 100) / 10,
      resumedFrom,
      seedsPerSecond: Math.round((p.seeds / Math.max(0.001, p.ms / 1000)) * 10) / 10,
      eventsPerSecond: Math.round(p.steps / Math.max(0.001, p.ms / 1000)),
    };
  }

  /** The next chunk of a scenario's seeds, explored quietly; its counts and failures go into `p`. */
  private async runChunk(scenario: Scenario, p: ScenarioProgress, node: LoadedNode | null): Promise<void> {
    const to = Math.min(this.o.range.to, p.next + this.o.chunk - 1);
    const quiet: Io = { out: () => {}, err: () => {}, progress: null };
    const r = await explore(
      {
        scenario,
        seeds: { from: p.next, to },
        timeSec: null,
        workers: this.o.workers,
        shard: this.o.shard,
        outDir: this.o.outDir,
        checkDeterminism: false,
        shrinkSeconds: 0,
        from: 1,
        bias: false,
        untilFailure: false,
        node,
      },
      quiet,
    );
    for (const f of r.failures) {
      const { seed, verdict, invariant, step, message, traceHash } = f;
      p.failures.push({ seed, verdict, invariant, step, message, traceHash });
    }
    p.next = to + 1;
    p.seeds += r.seedsRun;
    p.steps += r.steps;
    p.ms += r.elapsedMs;
  }

  /** The progress line: on a terminal after every chunk, in a log once a minute. */
  private progress(name: string, p: ScenarioProgress): void {
    const rate = p.seeds / Math.max(0.001, p.ms / 1000);
    const line = `${name}: ${p.seeds.toLocaleString('en-US')}/${this.perScenario.toLocaleString('en-US')} seeds, ${p.failures.length} failing, ${rate.toFixed(1)} seeds/s, ${fmtDuration((this.perScenario - p.seeds) / Math.max(0.001, rate))} left`;
    if (this.io.progress !== null) this.io.progress(line);
    else if (Date.now() - this.lastLine >= 60_000 && p.next <= this.o.range.to) {
      this.say(`    ${line}`);
      this.lastLine = Date.now();
    }
  }

  /** A scenario's row of the table, and its first failures with the command that reproduces each. */
  sayRow(row: SoundnessRow, width: number): void {
    const statePath = this.o.statePath;
    const resumed =
      row.resumedFrom === 0
        ? ''
        : row.resumedFrom === row.seeds
          ? ` (already done: all from ${statePath})`
          : ` (resumed after ${row.resumedFrom.toLocaleString('en-US')})`;
    this.say(
      `  ${row.scenario.padEnd(width)} ${row.seeds.toLocaleString('en-US').padStart(9)} seeds  ${String(row.failures.length).padStart(4)} failures  ${row.seedsPerSecond.toFixed(1).padStart(7)} seeds/s  ${fmtDuration(row.wallSeconds).padStart(8)} wall${resumed}`,
    );
    for (const f of row.failures.slice(0, 20)) {
      this.say(`      seed ${f.seed}: ${f.verdict} ${f.invariant} at step ${f.step} (trace ${f.traceHash}): ${f.message}`);
      this.say(`        reproduce: ${f.reproduce}`);
    }
    if (row.failures.length > 20) this.say(`      … and ${row.failures.length - 20} more (all in ${statePath})`);
  }
}

function displayName(path: string): string {
  const r = relative(process.cwd(), path);
  return r.startsWith('..') ? path : r;
}

function fmtDuration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
