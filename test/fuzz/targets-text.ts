// Fuzz targets for what users write or download: .raftsim scenarios (parser, then a short run),
// the language server's features on them, .rafttrace files (parse, then replay), and history files
// in every format `liferaft check` reads.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, complete, formatEdits, hover, symbols } from '../../language-server/features';
import { STATEMENTS } from '../../sim/statements';
import { ScenarioError } from '../../sim/scenario-model';
import { Simulation } from '../../sim/simulation';
import { loadScenario, parseTrace, recordRun, replayTrace, TraceError } from '../../sim/tracefile';
import { checkHistory } from '../../sim/linearizability/checker';
import { readHistory } from '../../sim/linearizability/formats';
import { generateHistory } from '../../sim/linearizability/generate';
import { HistoryError, type Operation } from '../../sim/linearizability/history';
import { FuzzFailure, type FuzzTarget, type Outcome } from './campaign';
import { junkValue, mutateJson, mutateText, randomString, type Rng } from './gen';

const ROOT = join(__dirname, '..', '..');

function filesIn(dir: string, ext: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8'));
}

/** Every scenario we ship or test with: the examples, the bug zoo's regressions, the DAP fixture. */
export function scenarioCorpus(): string[] {
  return [
    ...filesIn(join(ROOT, 'examples'), '.raftsim'),
    ...filesIn(join(ROOT, 'sim', 'testdata', 'bugs'), '.raftsim'),
    readFileSync(join(ROOT, 'test', 'testdata', 'dap', 'lines.raftsim'), 'utf8'),
  ];
}

const SCENARIO_WORDS = [
  ...Object.keys(STATEMENTS),
  'at',
  'every=',
  'for=',
  'weight=',
  'clients=',
  'keys=',
  'n1',
  'n2',
  'n9',
  'n0',
  'nX',
  '1ms',
  '0s',
  '10s..1ms',
  '1..2',
  '50%',
  '101%',
  '..',
  '#',
  '=',
  'crash',
  'restart',
  'partition',
  'heal',
  'pause',
  'add',
  'remove',
  'off',
  'on',
  '{n1,n2}',
  '|',
];

/** A scenario-like text: mostly a mutated real one, sometimes statements with random arguments, or noise. */
function makeScenarioText(r: Rng, corpus: readonly string[]): string {
  const x = r.next();
  if (x < 0.7) return mutateText(r, r.pick(corpus), SCENARIO_WORDS, corpus);
  if (x < 0.9) {
    const lines: string[] = [];
    for (let i = r.between(1, 8); i > 0; i--) {
      const words = [r.pick(SCENARIO_WORDS)];
      for (let k = r.int(5); k > 0; k--) words.push(r.chance(0.7) ? r.pick(SCENARIO_WORDS) : randomString(r, 6));
      lines.push(words.join(' '));
    }
    return lines.join('\n');
  }
  return randomString(r, 200);
}

/** A ScenarioError must point into the file: "fuzz.raftsim:LINE:COL: detail", LINE within the text. */
function checkScenarioError(e: ScenarioError, text: string): Outcome {
  const lines = text.split(/\r\n|\r|\n/).length;
  if (!/^fuzz\.raftsim:\d+:\d+: \S/.test(e.message)) throw new FuzzFailure(`a refusal without file:line:col: ${JSON.stringify(e.message)}`);
  if (e.line < 1 || e.line > lines + 1 || e.col < 1)
    throw new FuzzFailure(`a refusal pointing outside the file (${e.line}:${e.col}, ${lines} lines): ${e.message}`);
  return { kind: 'refused', message: e.message.slice('fuzz.raftsim:'.length) };
}

export const raftsimTarget: FuzzTarget<string> = {
  name: 'raftsim',
  about: '.raftsim parser, then 200 steps of the simulation on what it accepts',
  async open() {
    const corpus = scenarioCorpus();
    return {
      make: (r) => makeScenarioText(r, corpus),
      run(text) {
        let scenario;
        try {
          scenario = loadScenario(text, 'fuzz.raftsim');
        } catch (e) {
          if (e instanceof ScenarioError) return checkScenarioError(e, text);
          throw e;
        }
        new Simulation(scenario, 1 + (text.length % 97), { stopAtStep: 200 }).run();
        return { kind: 'accepted' };
      },
      show: (text) => text,
      close: async () => undefined,
    };
  },
};

export const lspTarget: FuzzTarget<{ text: string; line: number; ch: number }> = {
  name: 'lsp',
  about: 'language server: diagnostics, completion, hover, symbols, formatting at any position',
  async open() {
    const corpus = scenarioCorpus();
    return {
      make: (r) => ({ text: makeScenarioText(r, corpus), line: r.int(30) - 2, ch: r.int(60) - 2 }),
      run({ text, line, ch }) {
        const { diagnostics } = analyze(text, 'fuzz.raftsim');
        const lines = text.split(/\r\n|\r|\n/).length;
        for (const d of diagnostics) {
          if (d.message.trim() === '') throw new FuzzFailure('a diagnostic without a message');
          if (d.range.start.line < 0 || d.range.start.line >= lines + 1)
            throw new FuzzFailure(`a diagnostic outside the document: line ${d.range.start.line} of ${lines}`);
        }
        complete(text, line, ch);
        hover(text, line, ch);
        symbols(text);
        formatEdits(text);
        return diagnostics.length === 0 ? { kind: 'accepted' } : { kind: 'refused', message: diagnostics[0]!.message };
      },
      show: (i) => JSON.stringify(i),
      close: async () => undefined,
    };
  },
};

/** Small traces of a few scenarios, with forks, as users save them from the debugger. */
function traceCorpus(): string[] {
  const scenarios = [
    'nodes 3..5\nspares 1\nworkload clients=2 keys=2\ncrash every=200ms..1s for=50ms..300ms\nchurn every=200ms..1s\nsafety 1s\nliveness 2s\n',
    readFileSync(join(ROOT, 'examples', 'default.raftsim'), 'utf8'),
    readFileSync(join(ROOT, 'examples', 'compaction.raftsim'), 'utf8'),
  ];
  return scenarios.flatMap((text, i) => [
    JSON.stringify(recordRun(loadScenario(text, `s${i}.raftsim`), 3 + i, 300).trace),
    JSON.stringify(recordRun(loadScenario(text, `s${i}.raftsim`), 5 + i, 300, [{ step: 40, action: { kind: 'crash', node: 1 } }]).trace),
  ]);
}

const TRACE_WORDS = ['"forks"', '"steps"', '"seed"', '"kind"', '"node"', '"crash"', '"partition"', 'null', 'true', '[]', '{}', '-1', '1e99', '"n1"'];

export const rafttraceTarget: FuzzTarget<string> = {
  name: 'rafttrace',
  about: '.rafttrace loader, then the replay of what it accepts',
  async open() {
    const corpus = traceCorpus();
    return {
      make(r) {
        const base = r.pick(corpus);
        const x = r.next();
        if (x < 0.6) {
          const t = JSON.parse(base) as Record<string, unknown>;
          // Forks are where a user's own edits go: mutate them more often than the rest.
          if (r.chance(0.4)) t['forks'] = [{ step: r.int(320), action: mutateJson(r, { kind: 'crash', node: 1 }) }, ...(r.chance(0.3) ? [junkValue(r)] : [])];
          else return JSON.stringify(mutateJson(r, t));
          return JSON.stringify(t);
        }
        if (x < 0.95) return mutateText(r, base, TRACE_WORDS);
        return randomString(r, 100);
      },
      run(text) {
        try {
          replayTrace(parseTrace(text, 'fuzz.rafttrace'));
          return { kind: 'accepted' };
        } catch (e) {
          if (!(e instanceof TraceError)) throw e;
          if (!/\S/.test(e.message)) throw new FuzzFailure('a TraceError without a message');
          return { kind: 'refused', message: e.message };
        }
      },
      show: (text) => text,
      close: async () => undefined,
    };
  },
};

// ---- histories

function ednOf(ops: readonly Operation[]): string {
  const lines: string[] = [];
  ops.forEach((o, i) => {
    const f = o.op === 'get' ? ':read' : o.op === 'put' ? ':write' : o.op === 'cas' ? ':cas' : ':write';
    const v = o.op === 'get' ? 'nil' : o.op === 'cas' ? `[${JSON.stringify(o.expected ?? null)} ${JSON.stringify(o.value)}]` : JSON.stringify(o.value ?? '');
    lines.push(`{:type :invoke, :f ${f}, :value [${JSON.stringify(o.key)} ${v}], :process ${i % 5}, :time ${o.call}, :index ${2 * i}}`);
    if (o.return !== null)
      lines.push(`{:type :ok, :f ${f}, :value [${JSON.stringify(o.key)} ${v}], :process ${i % 5}, :time ${o.return}, :index ${2 * i + 1}}`);
  });
  return lines.join('\n');
}

function jepsenLogOf(ops: readonly Operation[]): string {
  return ops
    .map((o, i) => {
      const f = o.op === 'get' ? ':read' : ':write';
      return `INFO  jepsen.util - ${i % 5}\t:invoke\t${f}\t${o.op === 'get' ? 'nil' : i}\nINFO  jepsen.util - ${i % 5}\t:ok\t${f}\t${i}`;
    })
    .join('\n');
}

const HISTORY_WORDS = [
  '"op"',
  '"get"',
  '"put"',
  '"cas"',
  '"return"',
  'null',
  ':invoke',
  ':ok',
  ':info',
  ':fail',
  ':read',
  ':write',
  ':cas',
  'nil',
  '[',
  ']',
  '{',
  '}',
  '#{',
  ':process',
  '-1',
];

export const historyTarget: FuzzTarget<string> = {
  name: 'history',
  about: 'history files (our JSON, Jepsen EDN, jepsen.util logs), then the checker on what they accept',
  async open() {
    const corpus: string[] = [];
    for (let seed = 1; seed <= 4; seed++) {
      const h = generateHistory({ operations: 12 + seed * 3, keys: 2, clients: 3, maxDuration: 5, maxGap: 3, pendingRatio: 0.1, seed });
      corpus.push(
        JSON.stringify(h, null, 1),
        JSON.stringify({ initial: null, operations: h }),
        ednOf(h.filter((o) => o.op !== 'append' && o.op !== 'delete')),
        jepsenLogOf(h),
      );
    }
    return {
      make: (r) => (r.chance(0.95) ? mutateText(r, r.pick(corpus), HISTORY_WORDS, corpus) : randomString(r, 120)),
      run(text) {
        let h;
        try {
          h = readHistory(text, 'fuzz.history');
        } catch (e) {
          if (!(e instanceof HistoryError)) throw e;
          if (!/^fuzz\.history:\d+:\d+: \S/.test(e.message) && !/^fuzz\.history: \S/.test(e.message))
            throw new FuzzFailure(`a refusal that does not say where: ${JSON.stringify(e.message)}`);
          return { kind: 'refused', message: e.message.replace(/^fuzz\.history:(\d+:\d+:)?\s*/, '') };
        }
        checkHistory(h.operations, { searchStepsMax: 20_000, initial: h.initial });
        return { kind: 'accepted' };
      },
      show: (text) => text,
      close: async () => undefined,
    };
  },
};
