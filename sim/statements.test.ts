import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS, formatScenario, parseScenario, STATEMENTS } from './scenario';
import { statementsMarkdown } from './statements';

const DOC = join(__dirname, 'SCENARIOS.md');
const BEGIN = '<!-- statements: generated from sim/statements.ts by `REWRITE=1 npx mocha sim/statements.test.ts` -->\n';
const END = '<!-- end of statements -->\n';

describe('scenario statements: one table', () => {
  it('SCENARIOS.md lists every statement as the table defines it (REWRITE=1 regenerates it)', () => {
    const text = readFileSync(DOC, 'utf8');
    const a = text.indexOf(BEGIN);
    const b = text.indexOf(END);
    assert.ok(a >= 0 && b > a, 'SCENARIOS.md has the generated section');
    const want = `${BEGIN}${statementsMarkdown()}\n${END}`;
    const got = text.slice(a, b + END.length);
    if (process.env['REWRITE'] === '1' && got !== want) writeFileSync(DOC, text.slice(0, a) + want + text.slice(b + END.length));
    else assert.equal(got, want, 'SCENARIOS.md is out of date: run REWRITE=1 npx mocha sim/statements.test.ts');
    for (const name of Object.keys(STATEMENTS)) assert.ok(got.includes(`| \`${name}`), `${name} is documented`);
  });

  it('each statement written back reads back as the same scenario', () => {
    const text = [
      'seed 7',
      'nodes 3..5',
      'spares 2',
      'tick 5ms',
      'election 5..9',
      'heartbeat 2',
      'batch 1..8',
      'snapshot 4..9 50%',
      'prevote off',
      'checkquorum 25%',
      'early-appends on',
      'latency exp 2ms cap 30ms',
      'drop 1%..2%',
      'duplicate 1%',
      'drift 5%',
      'sync 1ms..2ms',
      'torn 10%',
      'corrupt 0%..3%',
      'workload clients=2 think=1ms..3ms',
      'mix get=1 put=2',
      'crash every=1s..2s for=100ms..1s',
      'partition every=2s for=1s weight=30%',
      'pause every=1s for=10ms',
      'clog every=1s for=5ms',
      'isolate-leader every=3s for=1s',
      'crash-leader every=4s for=1s',
      'transfer-leader every=2s..5s weight=40%',
      'churn every=500ms..2s weight=70%',
      'delay chance=10% by=5ms..20ms',
      'crash-after-vote chance=5% for=10ms..1s weight=20%',
      'crash-after-append chance=5% for=10ms..1s',
      'split-votes 20%',
      'scheduler pct depth=1..3 step=1ms..2ms',
      'swarm off',
      'safety 4s',
      'liveness 6s',
      'steps 90000',
      'at 1s crash n2',
      'at 2s partition n1 | n2 n3',
      'at 3s add n4',
      'at 3500ms remove n1',
      'check ElectionSafety',
      'node ../raft/node.js',
      'bugs',
    ];
    // `bugs` needs a known name; every other statement appears once above.
    const s = parseScenario(text.filter((l) => l !== 'bugs').join('\n'), 'all.raftsim', { invariants: ['ElectionSafety'], bugs: [] });
    const back = parseScenario(formatScenario(s), 'back.raftsim', { invariants: ['ElectionSafety'], bugs: [] });
    // (Statements remember their line for the debugger; the written file has its own lines.)
    const meaning = (x: object): unknown => JSON.parse(JSON.stringify({ ...x, file: '', text: '' }, (k, v: unknown) => (k === 'line' ? undefined : v)));
    assert.deepEqual(meaning(back), meaning(s));
    const written = new Set(
      formatScenario(s)
        .split('\n')
        .map((l) => l.split(' ')[0]),
    );
    for (const name of Object.keys(STATEMENTS)) if (name !== 'bugs') assert.ok(written.has(name), `${name} is written back`);
    assert.equal(formatScenario(parseScenario('', 'empty.raftsim')), '\n', 'the defaults are written as nothing');
    assert.equal(DEFAULTS.nodes, 5);
  });

  it('refuses a name that is only a property of every object', () => {
    assert.throws(() => parseScenario('toString 1', 'x.raftsim'), /x\.raftsim:1:1: unknown statement "toString"/);
  });
});
