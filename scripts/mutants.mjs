// npm run bench:mutants — what deterministic simulation finds, measured with a real mutation tester
// (StrykerJS) over core/ (not bugs.ts, testing/, tests or re-exports).
//
//   node scripts/mutants.mjs [explorer|examples|unit|all] [--seeds N] [--concurrency K] [--fresh] [--mutate GLOB]
//
// Three runs, each incremental (Stryker's incremental file under .liferaft/mutants/, so a rerun after
// a small change tests only the mutants it touched):
//   explorer — the only test is the explorer: N seeds (default 200) of the default scenario, every
//              invariant after every step (test/mutants/explorer.spec.ts);
//   examples — the explorer over every example scenario, N seeds each: what the scenario knobs
//              (compaction, slow disks, heavy loss, long partitions) add to the default mix;
//   unit     — the explorer (default scenario) and core's own unit tests (core/**/*.test.ts).
// Prints killed / survived / timed out / no coverage and the score for each file and for the
// protocol (step, election, replication, log, kv), counting the mutants listed as equivalent in
// test/mutants/equivalent.tsv out of the score; writes every survivor to .liferaft/mutants/.
import { mkdirSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { Stryker } from '@stryker-mutator/core';

const args = process.argv.slice(2);
const WITH_VALUE = new Set(['--seeds', '--concurrency', '--mutate']);
const words = args.filter((a, i) => !a.startsWith('--') && !WITH_VALUE.has(args[i - 1]));
const which = words[0] ?? 'all';
if (!['explorer', 'examples', 'unit', 'all'].includes(which) || words.length > 1) {
  console.error(`usage: node scripts/mutants.mjs [explorer|examples|unit|all] [--seeds N] [--concurrency K] [--fresh] [--mutate GLOB]`);
  process.exit(64);
}
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v < 1) {
    console.error(`--${name} needs a positive whole number (got ${JSON.stringify(args[i + 1] ?? '')})`);
    process.exit(64);
  }
  return v;
};
const seeds = opt('seeds', 200);
const mutateAt = args.indexOf('--mutate');
// --mutate GLOB: only these files (a quick look at one file; the scores above then cover only it).
const mutate = mutateAt >= 0 ? [args[mutateAt + 1]] : ['core/**/*.ts', '!core/**/*.test.ts', '!core/bugs.ts', '!core/testing/**', '!core/index.ts'];
const concurrency = opt('concurrency', availableParallelism());
const OUT = '.liferaft/mutants';
const PROTOCOL = ['step', 'election', 'replication', 'log', 'kv'];
mkdirSync(OUT, { recursive: true });

/** file:line:col<TAB>mutator<TAB>replacement<TAB>why it is equivalent (lines starting with # are comments). */
function readEquivalents() {
  const file = 'test/mutants/equivalent.tsv';
  const map = new Map();
  if (!existsSync(file)) return map;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [where, mutator, replacement, why] = line.split('\t');
    map.set(`${where}\t${mutator}\t${replacement}`, why ?? '');
  }
  return map;
}

const keyOf = (m) => `${relative(process.cwd(), m.fileName)}:${m.location.start.line}:${m.location.start.column + 1}\t${m.mutatorName}\t${oneLine(m.replacement ?? '')}`;
const oneLine = (s) => s.replace(/\s+/g, ' ').slice(0, 120);

async function run(kind) {
  const mocharc = `test/mutants/mocharc.${kind === 'unit' ? 'unit' : 'explorer'}.json`;
  // A kill with 50 seeds is not one with 200: the seed budget is part of the incremental file's name.
  const incrementalFile = join(OUT, `${kind}-${seeds}-seeds${mutateAt >= 0 ? '-partial' : ''}-incremental.json`);
  if (args.includes('--fresh')) rmSync(incrementalFile, { force: true });
  process.env.LIFERAFT_MUTANT_SEEDS = String(seeds);
  process.env.LIFERAFT_MUTANT_SCENARIOS = kind === 'examples' ? 'examples' : 'default';
  const t0 = performance.now();
  const stryker = new Stryker({
    testRunner: 'mocha',
    mochaOptions: { config: mocharc },
    mutate,
    coverageAnalysis: 'perTest',
    concurrency,
    incremental: true,
    incrementalFile,
    reporters: ['progress'],
    tempDirName: '.stryker-tmp',
    cleanTempDir: 'always',
    timeoutMS: 30_000,
    ignorePatterns: ['dist', '.vscode-test', 'test-artifacts', '.liferaft', '*.vsix', 'media', 'extension', 'language-server', 'net', 'debug-adapter'],
    logLevel: 'warn',
  });
  const results = await stryker.runMutationTest();
  const seconds = (performance.now() - t0) / 1000;
  return { kind, results, seconds };
}

function summarize({ kind, results, seconds }, equivalents) {
  const rows = new Map();
  const survivors = [];
  const usedEquivalents = new Set();
  for (const m of results) {
    if (m.status === 'CompileError' || m.status === 'RuntimeError' || m.status === 'Ignored') continue;
    const file = relative(process.cwd(), m.fileName).replace(/^core\//, '').replace(/\.ts$/, '');
    const r = rows.get(file) ?? { killed: 0, survived: 0, timeout: 0, noCoverage: 0, equivalent: 0 };
    const key = keyOf(m);
    if ((m.status === 'Survived' || m.status === 'NoCoverage') && equivalents.has(key)) {
      r.equivalent++;
      usedEquivalents.add(key);
    } else if (m.status === 'Killed') r.killed++;
    else if (m.status === 'Timeout') r.timeout++;
    else if (m.status === 'Survived') r.survived++;
    else if (m.status === 'NoCoverage') r.noCoverage++;
    if (m.status === 'Survived' || m.status === 'NoCoverage') {
      if (!equivalents.has(key)) survivors.push(`${key}\t${m.status}\t${oneLine(m.originalLines ?? '')}`);
    }
    rows.set(file, r);
  }
  const score = (r) => {
    const valid = r.killed + r.timeout + r.survived + r.noCoverage;
    return valid === 0 ? 100 : (100 * (r.killed + r.timeout)) / valid;
  };
  const add = (a, b) => ({ killed: a.killed + b.killed, survived: a.survived + b.survived, timeout: a.timeout + b.timeout, noCoverage: a.noCoverage + b.noCoverage, equivalent: a.equivalent + b.equivalent });
  const zero = { killed: 0, survived: 0, timeout: 0, noCoverage: 0, equivalent: 0 };
  const protocol = [...rows].filter(([f]) => PROTOCOL.includes(f)).reduce((a, [, r]) => add(a, r), zero);
  const all = [...rows.values()].reduce(add, zero);
  const title = {
    explorer: `the explorer alone (${seeds} seeds of the default scenario)`,
    examples: `the explorer over every example scenario (${seeds} seeds each)`,
    unit: `the explorer and core's unit tests`,
  }[kind];
  console.log(`\nmutants of core/ killed by ${title}: ${results.length} mutants, ${fmtTime(seconds)}`);
  console.log(`  ${'file'.padEnd(34)} ${'killed'.padStart(7)} ${'survived'.padStart(9)} ${'timeout'.padStart(8)} ${'no cov'.padStart(7)} ${'equiv'.padStart(6)} ${'score'.padStart(7)}`);
  const line = (name, r) => console.log(`  ${name.padEnd(34)} ${String(r.killed).padStart(7)} ${String(r.survived).padStart(9)} ${String(r.timeout).padStart(8)} ${String(r.noCoverage).padStart(7)} ${String(r.equivalent).padStart(6)} ${`${score(r).toFixed(1)}%`.padStart(7)}`);
  for (const [f, r] of [...rows].sort()) line(f, r);
  line(`protocol: ${PROTOCOL.join('+')}`, protocol);
  line('all of core/', all);
  console.log(`  score = (killed + timed out) / (all − equivalent); protocol target for the explorer alone: ≥ 80%`);
  const file = join(OUT, `survivors-${kind}.tsv`);
  writeFileSync(file, `# where\tmutator\treplacement\tstatus\toriginal\n${survivors.sort().join('\n')}\n`);
  console.log(`  ${survivors.length} survivors not listed as equivalent: ${file}`);
  return { kind, seconds, protocol: { ...protocol, score: score(protocol) }, all: { ...all, score: score(all) }, usedEquivalents };
}

function fmtTime(s) {
  return s < 120 ? `${s.toFixed(0)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

const equivalents = readEquivalents();
const kinds = which === 'all' ? ['explorer', 'examples', 'unit'] : [which];
const summaries = [];
for (const k of kinds) summaries.push(summarize(await run(k), equivalents));
const used = new Set(summaries.flatMap((s) => [...s.usedEquivalents]));
const stale = [...equivalents.keys()].filter((k) => !used.has(k));
if (stale.length > 0) console.log(`\n${stale.length} entries of test/mutants/equivalent.tsv matched no surviving mutant (moved or killed now):\n${stale.map((k) => `  ${k}`).join('\n')}`);
writeFileSync(join(OUT, "summary.json"), `${JSON.stringify(summaries.map(({ usedEquivalents: _used, ...s }) => s), null, 1)}\n`);
