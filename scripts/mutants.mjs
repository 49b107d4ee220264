// npm run bench:mutants — what deterministic simulation finds, measured with a real mutation tester
// (StrykerJS) over core/.
//
//   node scripts/mutants.mjs [explorer|examples|unit|all] [--seeds N] [--example-seeds N] [--concurrency K] [--fresh | --survivors] [--mutate GLOB]
//
// Three rows, each from an incremental Stryker run (its report under .liferaft/mutants/, so a rerun
// after a small change of core/ tests only the mutants it touched):
//   explorer — the only test is the explorer: N seeds (default 200) of the default scenario, every
//              invariant after every step, linearizability at the end (test/mutants/explorer.spec.ts).
//              Every mutant of core/ is run.
//   examples — the explorer over every example scenario (--example-seeds each, default 50), run on
//              the explorer's survivors only: what the scenario knobs (compaction, slow disks, heavy
//              loss, long partitions) add to the default mix, and which scenario kills each survivor.
//   unit     — core's own unit tests (core/**/*.test.ts: goldens, properties), run on the explorer's
//              survivors only: the row is the explorer and the unit tests together (a mutant either
//              kills is killed, exactly as if both ran on every mutant).
// Not mutated: the planted bugs, test helpers, re-exports, and the three files of text only (reason
// explanations in reasons.ts, descriptions in describe.ts, assertion messages in assert.ts): their
// mutants change words a person reads, never a verdict.
// Prints killed / survived / timed out / no coverage and the score per file and for the protocol
// (step, election, follower, replication, log, kv), counting the mutants listed in test/mutants/equivalent.tsv
// out of the score; writes every other survivor to .liferaft/mutants/survivors-*.tsv.
// The incremental reports notice changes to core/ and to the spec file, not to sim/: after a change
// to the simulator, run with --fresh (every mutant again), or with --survivors when the change only
// adds checks and leaves every run as it was (an oracle; the trace hashes unchanged): then only the
// explorer's live mutants are tested again, and a kill is written back into its report.
import { mkdirSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Stryker } from '@stryker-mutator/core';

const USAGE =
  'usage: node scripts/mutants.mjs [explorer|examples|unit|all] [--seeds N] [--example-seeds N] [--concurrency K] [--fresh | --survivors] [--mutate GLOB]';
const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h') || args[0] === 'help') {
  console.log(
    `${USAGE}\n\n${readFileSync(new URL(import.meta.url), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('//'))
      .slice(5, 24)
      .map((l) => l.slice(3))
      .join('\n')}`,
  );
  process.exit(0);
}
const WITH_VALUE = new Set(['--seeds', '--example-seeds', '--concurrency', '--mutate']);
for (const a of args) if (a.startsWith('--') && !WITH_VALUE.has(a) && a !== '--fresh' && a !== '--survivors') fail(`unknown option ${a}`);
if (args.includes('--fresh') && args.includes('--survivors')) fail('--fresh and --survivors exclude each other');
const words = args.filter((a, i) => !a.startsWith('--') && !WITH_VALUE.has(args[i - 1]));
const which = words[0] ?? 'all';
if (!['explorer', 'examples', 'unit', 'all'].includes(which) || words.length > 1) fail(USAGE);

function fail(message) {
  console.error(message);
  process.exit(64);
}
function opt(name, fallback) {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v < 1) fail(`--${name} needs a positive whole number (got ${JSON.stringify(args[i + 1] ?? '')})`);
  return v;
}
const seeds = opt('seeds', 200);
const exampleSeeds = opt('example-seeds', 50);
const concurrency = opt('concurrency', availableParallelism());
const mutateAt = args.indexOf('--mutate');
if (mutateAt >= 0 && (args[mutateAt + 1] === undefined || args[mutateAt + 1].startsWith('--'))) fail('--mutate needs a glob, e.g. core/log.ts');
// --mutate GLOB: only these files (a quick look at one file; the scores then cover only it).
const mutate =
  mutateAt >= 0
    ? [args[mutateAt + 1]]
    : ['core/**/*.ts', '!core/**/*.test.ts', '!core/bugs.ts', '!core/testing/**', '!core/index.ts', '!core/reasons.ts', '!core/describe.ts', '!core/assert.ts'];
const OUT = '.liferaft/mutants';
const PROTOCOL = ['step', 'election', 'follower', 'replication', 'log', 'kv'];
mkdirSync(OUT, { recursive: true });
const partial = mutateAt >= 0 ? '-partial' : '';
// A kill with 50 seeds is not one with 200: the seed budget is part of each report's name.
const reportOf = {
  explorer: join(OUT, `explorer-${seeds}-seeds${partial}.json`),
  examples: join(OUT, `examples-${exampleSeeds}-seeds-after-explorer-${seeds}${partial}.json`),
  unit: join(OUT, `unit-after-explorer-${seeds}${partial}.json`),
};

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

const oneLine = (s) => s.replace(/\s+/g, ' ').slice(0, 120);
/** The report's locations are 1-based lines and columns. */
const keyOf = (file, m) => `${file}:${m.location.start.line}:${m.location.start.column}\t${m.mutatorName}\t${oneLine(m.replacement ?? '')}`;
const alive = (status) => status === 'Survived' || status === 'NoCoverage';

/**
 * Every mutant of a Stryker report (mutation-testing-report-schema), by its full place (key and end:
 * two mutants may share a start, a mutator and a replacement); `key` is what equivalent.tsv lists.
 */
function mutantsOf(reportFile) {
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  const testNames = new Map();
  for (const t of Object.values(report.testFiles ?? {})) for (const x of t.tests ?? []) testNames.set(x.id, x.name);
  const out = new Map();
  for (const [file, f] of Object.entries(report.files)) {
    const lines = f.source.split('\n');
    for (const m of f.mutants) {
      out.set(`${keyOf(file, m)}\t${m.location.end.line}:${m.location.end.column}`, {
        key: keyOf(file, m),
        file,
        status: m.status,
        line: m.location.start.line,
        column: m.location.start.column,
        endLine: m.location.end.line,
        endColumn: m.location.end.column,
        original: oneLine(lines[m.location.start.line - 1] ?? ''),
        killedBy: (m.killedBy ?? []).map((id) => testNames.get(id) ?? id),
      });
    }
  }
  return out;
}

async function stryker(kind, files, mocharc, incrementalFile) {
  if (args.includes('--fresh')) rmSync(incrementalFile, { force: true });
  const t0 = performance.now();
  await new Stryker({
    testRunner: 'mocha',
    mochaOptions: { config: mocharc },
    mutate: files,
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
  }).runMutationTest();
  return (performance.now() - t0) / 1000;
}

/**
 * Stryker `mutate` entries for the spans of the explorer's survivors that are not listed as
 * equivalent (file:line:col-line:col; Stryker then mutates only inside them, nested mutants too).
 */
function survivorRanges(base, equivalents) {
  const ranges = new Set();
  // The report's columns count from 1; a range's from 0 (as Babel's): off by one, a range misses
  // the mutant it was made for and takes only those nested inside it.
  for (const m of base.values())
    if (alive(m.status) && !equivalents.has(m.key)) ranges.add(`${m.file}:${m.line}:${m.column - 1}-${m.endLine}:${m.endColumn - 1}`);
  return [...ranges].sort();
}

async function runExplorer() {
  process.env.LIFERAFT_MUTANT_SEEDS = String(seeds);
  process.env.LIFERAFT_MUTANT_SCENARIOS = 'default';
  if (args.includes('--survivors')) return retestSurvivors();
  const seconds = await stryker('explorer', mutate, 'test/mutants/mocharc.explorer.json', reportOf.explorer);
  const base = mutantsOf(reportOf.explorer);
  return { kind: 'explorer', seconds, mutants: base, base };
}

/**
 * --survivors: the explorer again, on its own live mutants only (a fresh Stryker run over their
 * spans), after a simulator change that only adds checks. Kills are written back into the explorer's
 * report (status Killed or Timeout, killed by its one test), so later incremental runs keep them.
 */
async function retestSurvivors() {
  if (!existsSync(reportOf.explorer)) fail(`--survivors needs an earlier explorer run (${reportOf.explorer} is missing)`);
  const before = mutantsOf(reportOf.explorer);
  const ranges = survivorRanges(before, equivalents);
  const again = join(OUT, `explorer-${seeds}-seeds-survivors${partial}.json`);
  rmSync(again, { force: true });
  const seconds = ranges.length === 0 ? 0 : await stryker('explorer', ranges, 'test/mutants/mocharc.explorer.json', again);
  const now = ranges.length === 0 ? new Map() : mutantsOf(again);
  const report = JSON.parse(readFileSync(reportOf.explorer, 'utf8'));
  const testId = Object.values(report.testFiles ?? {}).flatMap((t) => t.tests ?? [])[0]?.id;
  let killed = 0;
  for (const [file, f] of Object.entries(report.files)) {
    for (const m of f.mutants) {
      const later = alive(m.status) ? now.get(`${keyOf(file, m)}\t${m.location.end.line}:${m.location.end.column}`) : undefined;
      if (later === undefined || alive(later.status) || (later.status !== 'Killed' && later.status !== 'Timeout')) continue;
      m.status = later.status;
      m.killedBy = testId === undefined ? [] : [testId];
      m.statusReason = `killed when its survivors were tested again (--survivors)`;
      killed++;
    }
  }
  writeFileSync(reportOf.explorer, JSON.stringify(report));
  console.log(`\n--survivors: ${ranges.length} live spans tested again; ${killed} mutants killed now (written back into ${reportOf.explorer})`);
  const base = mutantsOf(reportOf.explorer);
  return { kind: 'explorer', seconds, mutants: base, base };
}

/** Runs `kind` on the explorer's survivors; a mutant's status is the explorer's unless it survived there. */
async function runOnSurvivors(kind, base) {
  const ranges = survivorRanges(base, equivalents);
  let seconds = 0;
  let again = new Map();
  if (ranges.length > 0) {
    if (kind === 'examples') {
      process.env.LIFERAFT_MUTANT_SEEDS = String(exampleSeeds);
      process.env.LIFERAFT_MUTANT_SCENARIOS = 'examples';
    }
    seconds = await stryker(kind, ranges, `test/mutants/mocharc.${kind === 'unit' ? 'unit' : 'explorer'}.json`, reportOf[kind]);
    again = mutantsOf(reportOf[kind]);
  }
  const mutants = new Map();
  for (const [place, m] of base) {
    const later = alive(m.status) ? again.get(place) : undefined;
    mutants.set(place, later === undefined ? m : { ...m, status: later.status, killedBy: later.killedBy });
  }
  return { kind, seconds, mutants, base };
}

function summarize({ kind, seconds, mutants, base }, equivalents) {
  const rows = new Map();
  const survivors = [];
  const usedEquivalents = new Set();
  const killers = new Map();
  for (const [place, m] of mutants) {
    const key = m.key;
    if (m.status === 'CompileError' || m.status === 'RuntimeError' || m.status === 'Ignored') continue;
    const file = m.file.replace(/^core\//, '').replace(/\.ts$/, '');
    const r = rows.get(file) ?? { killed: 0, survived: 0, timeout: 0, noCoverage: 0, equivalent: 0 };
    // An entry is in use while the explorer leaves its mutant alive (the unit goldens may kill it).
    if (equivalents.has(key) && alive(base.get(place)?.status)) usedEquivalents.add(key);
    if (alive(m.status) && equivalents.has(key)) {
      r.equivalent++;
    } else if (m.status === 'Killed') r.killed++;
    else if (m.status === 'Timeout') r.timeout++;
    else if (m.status === 'Survived') r.survived++;
    else if (m.status === 'NoCoverage') r.noCoverage++;
    if (alive(m.status) && !equivalents.has(key)) survivors.push(`${key}\t${m.status}\t${m.original}`);
    // What the examples add: which scenario killed each of the explorer's survivors.
    if (kind === 'examples' && alive(base.get(place)?.status) && !alive(m.status)) {
      const by = m.killedBy.length > 0 ? m.killedBy.map((t) => t.replace(/^explorer \d+ seeds of (\S+) pass$/, '$1')).join(', ') : m.status;
      killers.set(by, (killers.get(by) ?? 0) + 1);
    }
    rows.set(file, r);
  }
  const score = (r) => {
    const valid = r.killed + r.timeout + r.survived + r.noCoverage;
    return valid === 0 ? 100 : (100 * (r.killed + r.timeout)) / valid;
  };
  const add = (a, b) => ({
    killed: a.killed + b.killed,
    survived: a.survived + b.survived,
    timeout: a.timeout + b.timeout,
    noCoverage: a.noCoverage + b.noCoverage,
    equivalent: a.equivalent + b.equivalent,
  });
  const zero = { killed: 0, survived: 0, timeout: 0, noCoverage: 0, equivalent: 0 };
  const protocol = [...rows].filter(([f]) => PROTOCOL.includes(f)).reduce((a, [, r]) => add(a, r), zero);
  const all = [...rows.values()].reduce(add, zero);
  const title = {
    explorer: `the explorer alone (${seeds} seeds of the default scenario)`,
    examples: `the explorer, then every example scenario on its survivors (${exampleSeeds} seeds each)`,
    unit: `the explorer and core's unit tests`,
  }[kind];
  console.log(`\nmutants of core/ killed by ${title}: ${mutants.size} mutants, ${fmtTime(seconds)}${kind === 'explorer' ? '' : ' for the survivors'}`);
  console.log(
    `  ${'file'.padEnd(34)} ${'killed'.padStart(7)} ${'survived'.padStart(9)} ${'timeout'.padStart(8)} ${'no cov'.padStart(7)} ${'equiv'.padStart(6)} ${'score'.padStart(7)}`,
  );
  const line = (name, r) =>
    console.log(
      `  ${name.padEnd(34)} ${String(r.killed).padStart(7)} ${String(r.survived).padStart(9)} ${String(r.timeout).padStart(8)} ${String(r.noCoverage).padStart(7)} ${String(r.equivalent).padStart(6)} ${`${score(r).toFixed(1)}%`.padStart(7)}`,
    );
  for (const [f, r] of [...rows].sort()) line(f, r);
  if (rows.size > 1) {
    line(`protocol files (${[...rows.keys()].filter((f) => PROTOCOL.includes(f)).length})`, protocol);
    line('all mutated files', all);
  }
  console.log(
    `  score = (killed + timed out) / (all − equivalent); protocol files: ${PROTOCOL.join(', ')}${kind === 'explorer' ? '; target for the explorer alone: ≥ 80% of them' : ''}`,
  );
  if (killers.size > 0)
    console.log(
      `  the explorer's survivors killed here, by scenario: ${[...killers]
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k} ${n}`)
        .join(' · ')}`,
    );
  const file = join(OUT, `survivors-${kind}${partial}.tsv`);
  const byPlace = (a, b) => {
    const [fa, la, ca] = a.split('\t')[0].split(':');
    const [fb, lb, cb] = b.split('\t')[0].split(':');
    return fa.localeCompare(fb) || Number(la) - Number(lb) || Number(ca) - Number(cb) || a.localeCompare(b);
  };
  writeFileSync(file, `# where\tmutator\treplacement\tstatus\toriginal line\n${survivors.sort(byPlace).join('\n')}\n`);
  console.log(`  ${survivors.length} mutants alive (survived or not covered) and not listed as equivalent: ${file}`);
  return { kind, seconds, protocol: { ...protocol, score: score(protocol) }, all: { ...all, score: score(all) }, usedEquivalents };
}

function fmtTime(s) {
  return s < 120 ? `${s.toFixed(0)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

const equivalents = readEquivalents();
const explorer = await runExplorer();
const results = which === 'explorer' || which === 'all' ? [explorer] : [];
if (which === 'examples' || which === 'all') results.push(await runOnSurvivors('examples', explorer.base));
if (which === 'unit' || which === 'all') results.push(await runOnSurvivors('unit', explorer.base));
const summaries = results.map((r) => summarize(r, equivalents));
const used = new Set(summaries.flatMap((s) => [...s.usedEquivalents]));
const stale = [...equivalents.keys()].filter((k) => !used.has(k));
if (stale.length > 0)
  console.log(
    `\n${stale.length} entries of test/mutants/equivalent.tsv matched no surviving mutant (moved or killed now):\n${stale.map((k) => `  ${k}`).join('\n')}`,
  );
// One entry per row: a later run of one row keeps the others.
const summaryFile = join(OUT, `summary${partial}.json`);
const earlier = existsSync(summaryFile) ? JSON.parse(readFileSync(summaryFile, 'utf8')).filter((e) => !summaries.some((s) => s.kind === e.kind)) : [];
writeFileSync(summaryFile, `${JSON.stringify([...earlier, ...summaries.map(({ usedEquivalents: _used, ...s }) => s)], null, 1)}\n`);
