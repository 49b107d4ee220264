// liferaft bench lin [--json]: the linearizability checker on generated histories, against a
// baseline measured in the same run (replaying the history through the model in call order, the
// least any checker must do).
import { checkHistory, modelStep, type LinResult, type Operation } from '../sim';
import { generateHistory, type GenerateOptions } from '../sim/linearizability/generate';
import { type Io } from './args';

interface Case {
  readonly name: string;
  readonly gen: Omit<GenerateOptions, 'seed'>;
  readonly seeds: number;
  readonly breakOneRead?: boolean;
}

const CASES: readonly Case[] = [
  { name: '10k ops, 10 keys, 10 clients', gen: { operations: 10_000, keys: 10, clients: 10, maxDuration: 50, maxGap: 20, pendingRatio: 0.001 }, seeds: 5 },
  { name: '100k ops, 100 keys, 20 clients', gen: { operations: 100_000, keys: 100, clients: 20, maxDuration: 50, maxGap: 20, pendingRatio: 0.001 }, seeds: 2 },
  { name: 'hard: 10k ops, 1 key, 10 clients', gen: { operations: 10_000, keys: 1, clients: 10, maxDuration: 50, maxGap: 20, pendingRatio: 0.001 }, seeds: 2 },
  { name: 'hard: 2k ops, 1 key, 20 clients, long ops', gen: { operations: 2_000, keys: 1, clients: 20, maxDuration: 100, maxGap: 20, pendingRatio: 0.001 }, seeds: 2 },
  { name: 'illegal: 10k ops, 10 keys, one read broken', gen: { operations: 10_000, keys: 10, clients: 10, maxDuration: 50, maxGap: 20, pendingRatio: 0.001 }, seeds: 3, breakOneRead: true },
];

function replay(h: readonly Operation[]): number {
  const t0 = performance.now();
  const order = h.map((_, i) => i).sort((a, b) => h[a]!.call - h[b]!.call || a - b);
  const state = new Map<string, string | null>();
  let sink = 0;
  for (const i of order) {
    const o = h[i]!;
    const [ok, next] = modelStep(state.get(o.key) ?? null, o);
    state.set(o.key, next);
    if (ok) sink++;
  }
  if (sink < 0) throw new Error('unreachable');
  return performance.now() - t0;
}

export function benchLinCommand(argv: string[], io: Io): number {
  const json = argv.includes('--json');
  const rows: { name: string; operations: number; result: string; msPerHistory: number; opsPerSecond: number; baselineOpsPerSecond: number; ratio: number; minimalSet?: number }[] = [];
  if (!json) io.out('liferaft bench lin: linearizability checking of generated histories (P-compositional WGL/Lowe search with memoization)');
  // Warm up the JIT so the first case is not charged for compiling.
  for (let seed = 100; seed < 103; seed++) checkHistory(generateHistory({ ...CASES[0]!.gen, seed }));
  for (const c of CASES) {
    let ms = 0;
    let base = 0;
    let result = '';
    let minimal: number | undefined;
    for (let seed = 1; seed <= c.seeds; seed++) {
      let h = generateHistory({ ...c.gen, seed });
      if (c.breakOneRead === true) {
        const reads = h.map((o, i) => [o, i] as const).filter(([o]) => o.op === 'get' && o.return !== null);
        const [, i] = reads[Math.floor(reads.length / 2)]!;
        h = h.map((o, j) => (j === i ? { ...o, output: 'never-written' } : o));
      }
      base += replay(h);
      const t0 = performance.now();
      const r: LinResult = checkHistory(h);
      ms += performance.now() - t0;
      result = r.result;
      if (r.result === 'illegal') minimal = r.operations.length;
    }
    const n = c.gen.operations;
    const msPer = ms / c.seeds;
    const row = {
      name: c.name, operations: n, result, msPerHistory: Math.round(msPer * 10) / 10,
      opsPerSecond: Math.round(n / (msPer / 1000)), baselineOpsPerSecond: Math.round(n / (base / c.seeds / 1000)),
      ratio: Math.round((base / ms) * 1000) / 1000, ...(minimal === undefined ? {} : { minimalSet: minimal }),
    };
    rows.push(row);
    if (!json) {
      io.out(`  ${c.name.padEnd(44)} ${result.padEnd(8)} ${String(row.msPerHistory).padStart(8)} ms/history  ${fmt(row.opsPerSecond).padStart(6)} ops/s  (replay baseline ${fmt(row.baselineOpsPerSecond)} ops/s, ratio ${row.ratio})${minimal === undefined ? '' : `  minimal failing set: ${minimal} ops`}`);
    }
  }
  if (json) io.out(JSON.stringify({ cases: rows }));
  return 0;
}

function fmt(x: number): string {
  return x >= 1e6 ? `${(x / 1e6).toFixed(1)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(0)}k` : String(x);
}
