// liferaft bench lin [--json] [--porcupine DIR]: the linearizability checker on generated histories,
// against a baseline measured in the same run (replaying the history through the model in call
// order, the least any checker must do); with --porcupine, side by side with Porcupine on its own
// test histories and on the generated hard classes, written in Porcupine's formats.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  checkHistory,
  generateAppendKv,
  generateHistory,
  generateRegister,
  modelStep,
  readHistory,
  type GenerateOptions,
  type LinResult,
  type Operation,
} from '../sim';
import { UsageError, type Io } from './args';
import { runPorcupine } from './porcupine';

interface Case {
  readonly name: string;
  readonly make: (seed: number) => Operation[];
  readonly seeds: number;
  /** What every key holds at first (Porcupine's key/value model: ""). */
  readonly initial?: string;
}

const classic =
  (gen: Omit<GenerateOptions, 'seed'>, breakOneRead = false) =>
  (seed: number): Operation[] => {
    const h = generateHistory({ ...gen, seed });
    if (!breakOneRead) return h;
    const reads = h.map((o, i) => [o, i] as const).filter(([o]) => o.op === 'get' && o.return !== null);
    const [, i] = reads[Math.floor(reads.length / 2)]!;
    return h.map((o, j) => (j === i ? { ...o, output: 'never-written' } : o));
  };

const APPEND_KV = { operations: 2000, keys: 10, clients: 50 } as const;
const REGISTER = { operations: 1000, processes: 5, infoRatio: 0.2 } as const;

const CASES: readonly Case[] = [
  {
    name: '10k ops, 10 keys, 10 clients',
    make: classic({ operations: 10_000, keys: 10, clients: 10, maxDuration: 50, maxGap: 20, pendingRatio: 0.001 }),
    seeds: 5,
  },
  {
    name: '100k ops, 100 keys, 20 clients',
    make: classic({ operations: 100_000, keys: 100, clients: 20, maxDuration: 50, maxGap: 20, pendingRatio: 0.001 }),
    seeds: 2,
  },
  {
    name: 'hard: 10k ops, 1 key, 10 clients',
    make: classic({ operations: 10_000, keys: 1, clients: 10, maxDuration: 50, maxGap: 20, pendingRatio: 0.001 }),
    seeds: 2,
  },
  {
    name: 'hard: 2k ops, 1 key, 20 clients, long ops',
    make: classic({ operations: 2_000, keys: 1, clients: 20, maxDuration: 100, maxGap: 20, pendingRatio: 0.001 }),
    seeds: 2,
  },
  {
    name: 'illegal: 10k ops, 10 keys, one read broken',
    make: classic({ operations: 10_000, keys: 10, clients: 10, maxDuration: 50, maxGap: 20, pendingRatio: 0.001 }, true),
    seeds: 3,
  },
  { name: 'append kv: 2k ops, 10 keys, 50 clients', make: (seed) => generateAppendKv({ ...APPEND_KV, seed }), seeds: 3, initial: '' },
  {
    name: 'append kv illegal: two pieces of a read swapped',
    make: (seed) => generateAppendKv({ ...APPEND_KV, seed, breakOneRead: true }),
    seeds: 3,
    initial: '',
  },
  { name: 'register: 1k ops, 5 procs, 20% :info', make: (seed) => generateRegister({ ...REGISTER, seed }), seeds: 3 },
  { name: 'register: 1k ops, 10 procs, 40% :info', make: (seed) => generateRegister({ operations: 1000, processes: 10, infoRatio: 0.4, seed }), seeds: 3 },
];

function replay(h: readonly Operation[], initial: string | null): number {
  const t0 = performance.now();
  const order = h.map((_, i) => i).sort((a, b) => h[a]!.call - h[b]!.call || a - b);
  const state = new Map<string, string | null>();
  let sink = 0;
  for (const i of order) {
    const o = h[i]!;
    const [ok, next] = modelStep(state.has(o.key) ? state.get(o.key)! : initial, o);
    state.set(o.key, next);
    if (ok) sink++;
  }
  if (sink < 0) throw new Error('unreachable');
  return performance.now() - t0;
}

export function benchLinCommand(argv: string[], io: Io): number {
  const { values } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean' }, porcupine: { type: 'string' }, repeat: { type: 'string' }, 'only-porcupine': { type: 'boolean' } },
  });
  const json = values.json === true;
  const porcupine = values.porcupine ?? process.env.PORCUPINE_DIR;
  const repeat = values.repeat === undefined ? 3 : Number(values.repeat);
  if (!Number.isSafeInteger(repeat) || repeat < 1) throw new UsageError(`--repeat must be a positive integer (got ${JSON.stringify(values.repeat)})`);
  const rows: {
    name: string;
    operations: number;
    result: string;
    msPerHistory: number;
    opsPerSecond: number;
    baselineOpsPerSecond: number;
    ratio: number;
    minimalSet?: number;
  }[] = [];
  if (!json) {
    io.out('liferaft bench lin: linearizability checking of generated histories (P-compositional WGL/Lowe search, memoized, with pruning)');
    io.out('  (replay baseline: the same operations applied one after another to the model, no search, in the same run; ratio = checker ops/s ÷ replay ops/s)');
  }
  // Warm up the JIT so the first case is not charged for compiling.
  for (let seed = 100; seed < 103; seed++) checkHistory(CASES[0]!.make(seed));
  if (values['only-porcupine'] === true && porcupine === undefined) throw new UsageError('--only-porcupine needs --porcupine DIR');
  for (const c of values['only-porcupine'] === true ? [] : CASES) {
    let ms = 0;
    let base = 0;
    const results = new Set<string>();
    let minimal: number | undefined;
    let n = 0;
    for (let seed = 1; seed <= c.seeds; seed++) {
      const h = c.make(seed);
      n += h.length;
      base += replay(h, c.initial ?? null);
      const t0 = performance.now();
      const r: LinResult = checkHistory(h, { initial: c.initial ?? null });
      ms += performance.now() - t0;
      results.add(r.result);
      if (r.result === 'illegal') minimal = r.operations.length;
    }
    const msPer = ms / c.seeds;
    const ops = Math.round(n / c.seeds);
    const result = [...results].join('/');
    const row = {
      name: c.name,
      operations: ops,
      result,
      msPerHistory: Math.round(msPer * 10) / 10,
      opsPerSecond: Math.round(ops / (msPer / 1000)),
      baselineOpsPerSecond: Math.round(ops / (base / c.seeds / 1000)),
      ratio: Math.round((base / ms) * 1000) / 1000,
      ...(minimal === undefined ? {} : { minimalSet: minimal }),
    };
    rows.push(row);
    if (!json) {
      io.out(
        `  ${c.name.padEnd(48)} ${result.padEnd(8)} ${String(row.msPerHistory).padStart(8)} ms/history  ${fmt(row.opsPerSecond).padStart(6)} ops/s  (replay baseline ${fmt(row.baselineOpsPerSecond)} ops/s, ratio ${row.ratio})${minimal === undefined ? '' : `  minimal failing set: ${minimal} ops`}`,
      );
    }
  }
  let sideBySide: SideBySide | undefined;
  if (porcupine !== undefined) {
    sideBySide = benchPorcupine(porcupine, repeat, json ? () => {} : io.out);
  } else if (!json) {
    io.out('  (side by side with Porcupine: --porcupine DIR, a checkout of github.com/anishathalye/porcupine, with Go installed)');
  }
  if (json) io.out(JSON.stringify({ cases: rows, ...(sideBySide === undefined ? {} : { porcupine: sideBySide }) }));
  return 0;
}

interface SideBySide {
  readonly commit: string;
  readonly classes: {
    name: string;
    histories: number;
    agree: number;
    liferaftMs: number;
    liferaftWithMinimizingMs: number;
    porcupineMs: number;
    ratio: number;
    undecided: { liferaft: number; porcupine: number };
  }[];
  readonly liferaftPeakRssMiB: number;
}

/** A class of histories of the side-by-side, in the format both checkers read. */
interface HistoryClass {
  readonly name: string;
  readonly kind: 'etcd' | 'kv';
  readonly paths: string[];
}

/** Porcupine's own suite (the histories its tests check) and our generated hard classes, written to `gen`. */
function porcupineClasses(dir: string, gen: string): HistoryClass[] {
  // (etcd_095.log, empty, is not one of Porcupine's tests.)
  const tests = readFileSync(join(dir, 'porcupine_test.go'), 'utf8');
  const etcd = [...tests.matchAll(/checkJepsen\(t, (\d+), (?:true|false)\)/g)].map((m) =>
    join(dir, 'test_data', 'jepsen', `etcd_${m[1]!.padStart(3, '0')}.log`),
  );
  const kv = [...new Set([...tests.matchAll(/checkKv\(t, "([\w-]+)", (?:true|false), true\)/g)].map((m) => join(dir, 'test_data', 'kv', `${m[1]}.txt`)))];
  if (etcd.length === 0 || kv.length === 0) throw new UsageError(`${dir}/porcupine_test.go names no checkJepsen/checkKv tests: not the Porcupine expected`);
  return [
    { name: "Porcupine's etcd (Jepsen) logs", kind: 'etcd', paths: etcd },
    { name: "Porcupine's key/value logs", kind: 'kv', paths: kv },
    {
      name: 'generated append kv, 50 clients (ok)',
      kind: 'kv',
      paths: [1, 2, 3].map((s) => writeKv(join(gen, `append-ok-${s}.txt`), generateAppendKv({ ...APPEND_KV, seed: s }))),
    },
    {
      name: 'generated append kv, 50 clients (bad)',
      kind: 'kv',
      paths: [1, 2, 3].map((s) => writeKv(join(gen, `append-bad-${s}.txt`), generateAppendKv({ ...APPEND_KV, seed: s, breakOneRead: true }))),
    },
    {
      name: 'generated register, 20% :info',
      kind: 'etcd',
      paths: [1, 2, 3].map((s) => writeEtcd(join(gen, `register-${s}.log`), generateRegister({ ...REGISTER, seed: s }))),
    },
    {
      name: 'generated register, 10 procs, 40% :info',
      kind: 'etcd',
      paths: [1, 2, 3].map((s) =>
        writeEtcd(join(gen, `register-info-${s}.log`), generateRegister({ operations: 1000, processes: 10, infoRatio: 0.4, seed: s })),
      ),
    },
  ];
}

/**
 * Our checker on one history: the best of `repeat` timed checks, its verdict and the resident memory
 * after them, then one run that also minimizes.
 */
function timeOurs(
  path: string,
  kind: 'etcd' | 'kv',
  repeat: number,
  timeoutMs: number,
): { best: number; verdict: string; rss: number; withMinimizing: number } {
  const h = readHistory(readFileSync(path, 'utf8'), path);
  const opts = { initial: kind === 'kv' ? '' : null, minimize: false, searchStepsMax: Number.MAX_SAFE_INTEGER };
  let best = Number.POSITIVE_INFINITY;
  let verdict = '';
  let rss = 0;
  for (let i = 0; i < repeat; i++) {
    const deadline = performance.now() + timeoutMs;
    const t0 = performance.now();
    verdict = checkHistory(h.operations, { ...opts, shouldStop: () => performance.now() > deadline }).result;
    best = Math.min(best, performance.now() - t0);
    rss = Math.max(rss, process.memoryUsage().rss);
    if (verdict === 'unknown') break;
  }
  const t0 = performance.now();
  checkHistory(h.operations, { ...opts, minimize: true });
  return { best, verdict, rss, withMinimizing: performance.now() - t0 };
}

/** Porcupine's own suite (its test_data) and the generated hard classes, in both checkers. */
function benchPorcupine(dir: string, repeat: number, out: (line: string) => void): SideBySide {
  const gen = mkdtempSync(join(tmpdir(), 'liferaft-bench-lin-'));
  try {
    const classes = porcupineClasses(dir, gen);
    const timeoutMs = 60_000;
    out(
      `side by side with Porcupine (${dir}), best of ${repeat} per history, checking time in process (parsing not counted), ${timeoutMs / 1000} s budget each:`,
    );
    out("  (times: the sum over the class of each history's best time; agree: histories where both checkers gave the same verdict;");
    out("  Porcupine/LifeRaft: Porcupine's time ÷ ours, above 1× LifeRaft is faster; (+minimal): ours also minimizing each illegal");
    out('  key, which Porcupine does not do, so the ratio is taken without it)');
    const p = runPorcupine(
      dir,
      classes.flatMap((c) => c.paths.map((path) => ({ kind: c.kind, path }))),
      { repeat, timeoutMs },
    );
    out(`  Porcupine: ${p.commit} (${p.goVersion})`);
    let peak = process.memoryUsage().rss;
    const rowsOut: SideBySide['classes'] = [];
    out(
      `  ${'class'.padEnd(42)} ${'histories'.padStart(9)} ${'agree'.padStart(7)} ${'LifeRaft'.padStart(11)} ${'(+minimal)'.padStart(11)} ${'Porcupine'.padStart(11)}  Porcupine/LifeRaft`,
    );
    const totals = { histories: 0, agree: 0, ours: 0, oursMin: 0, theirs: 0 };
    for (const c of classes) {
      let ours = 0;
      let oursMin = 0;
      let theirs = 0;
      let agree = 0;
      const undecided = { liferaft: 0, porcupine: 0 };
      for (const path of c.paths) {
        const t = timeOurs(path, c.kind, repeat, timeoutMs);
        peak = Math.max(peak, t.rss);
        ours += t.best;
        oursMin += t.withMinimizing;
        const them = p.results.get(path);
        theirs += them?.ms ?? timeoutMs;
        if (t.verdict === 'unknown') undecided.liferaft++;
        if (them === undefined || them.verdict === 'unknown') undecided.porcupine++;
        if (them !== undefined && them.verdict === t.verdict && t.verdict !== 'unknown') agree++;
      }
      const ratio = theirs / ours;
      rowsOut.push({
        name: c.name,
        histories: c.paths.length,
        agree,
        liferaftMs: round(ours),
        liferaftWithMinimizingMs: round(oursMin),
        porcupineMs: round(theirs),
        ratio: round(ratio),
        undecided,
      });
      totals.histories += c.paths.length;
      totals.agree += agree;
      totals.ours += ours;
      totals.oursMin += oursMin;
      totals.theirs += theirs;
      const und = undecided.liferaft + undecided.porcupine > 0 ? `  undecided: LifeRaft ${undecided.liferaft}, Porcupine ${undecided.porcupine}` : '';
      out(
        `  ${c.name.padEnd(42)} ${String(c.paths.length).padStart(9)} ${`${agree}/${c.paths.length}`.padStart(7)} ${ms(ours).padStart(11)} ${ms(oursMin).padStart(11)} ${ms(theirs).padStart(11)}  ${ratio.toFixed(1)}×${und}`,
      );
    }
    out(
      `  ${'total'.padEnd(42)} ${String(totals.histories).padStart(9)} ${`${totals.agree}/${totals.histories}`.padStart(7)} ${ms(totals.ours).padStart(11)} ${ms(totals.oursMin).padStart(11)} ${ms(totals.theirs).padStart(11)}  ${(totals.theirs / totals.ours).toFixed(1)}×`,
    );
    out(
      `  LifeRaft's peak resident memory over the side-by-side: ${Math.round(peak / 2 ** 20)} MiB; "(+minimal)" is one run that also minimizes each illegal key (Porcupine does not)`,
    );
    return { commit: p.commit, classes: rowsOut, liferaftPeakRssMiB: Math.round(peak / 2 ** 20) };
  } finally {
    rmSync(gen, { recursive: true, force: true });
  }
}

/** Invocations and completions in time order, invocations first at equal times. */
function events(h: readonly Operation[]): { op: Operation; done: boolean; t: number }[] {
  const ev: { op: Operation; done: boolean; t: number }[] = [];
  for (const o of h) {
    ev.push({ op: o, done: false, t: o.call });
    ev.push({ op: o, done: true, t: o.return ?? Number.MAX_SAFE_INTEGER });
  }
  return ev.sort((a, b) => a.t - b.t || Number(a.done) - Number(b.done));
}

/** Porcupine's key/value log format (test_data/kv). */
export function writeKv(path: string, h: readonly Operation[]): string {
  const lines = events(h).map(({ op, done }) => {
    const v = op.op === 'get' ? (done ? JSON.stringify(op.output) : 'nil') : JSON.stringify(op.value);
    return `{:process ${op.client}, :type ${done ? ':ok' : ':invoke'}, :f :${op.op}, :key ${JSON.stringify(op.key)}, :value ${v}}`;
  });
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** jepsen.util log lines (Porcupine's test_data/jepsen); a crashed write or cas times out (:info). */
export function writeEtcd(path: string, h: readonly Operation[]): string {
  const lines = events(h).map(({ op, done }) => {
    const f = op.op === 'get' ? ':read' : op.op === 'put' ? ':write' : ':cas';
    const arg = op.op === 'get' ? 'nil' : op.op === 'put' ? op.value! : `[${op.expected} ${op.value}]`;
    if (!done) return `INFO  jepsen.util - ${op.client}\t:invoke\t${f}\t${arg}`;
    if (op.return === null) return `INFO  jepsen.util - ${op.client}\t:info\t${f}\t:timed-out`;
    const result = op.op === 'get' ? (op.output ?? 'nil') : arg;
    return `INFO  jepsen.util - ${op.client}\t:ok\t${f}\t${result}`;
  });
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

function ms(x: number): string {
  return x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${x.toFixed(1)} ms`;
}

function fmt(x: number): string {
  return x >= 1e6 ? `${(x / 1e6).toFixed(1)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(0)}k` : String(x);
}
