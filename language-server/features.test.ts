import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { analyze, complete, format, formatEdits, hover, symbols } from './features';

const examples = join(__dirname, '../examples');
const exampleTexts = readdirSync(examples)
  .filter((f) => f.endsWith('.raftsim'))
  .map((f) => readFileSync(join(examples, f), 'utf8'));

describe('language server features', () => {
  it('reports every error of a scenario, each where it is', () => {
    const { diagnostics } = analyze('nodes 3\ntick 10\nelection 20..10\nat 1s crash n7\nbugs no-such-bug\nfrobnicate 3\n', 'x.raftsim');
    assert.deepEqual(
      diagnostics.map((d) => [d.range.start.line, d.severity]),
      [
        [1, 'error'],
        [2, 'error'],
        [3, 'error'],
        [4, 'error'],
        [5, 'error'],
      ],
    );
    assert.match(diagnostics[0]!.message, /with a unit/);
    assert.match(diagnostics[1]!.message, /MIN greater than MAX/);
    assert.match(diagnostics[2]!.message, /n7 does not exist/);
    assert.match(diagnostics[3]!.message, /unknown bug "no-such-bug"/);
    assert.match(diagnostics[4]!.message, /unknown statement "frobnicate"/);
    const d = diagnostics[4]!;
    assert.deepEqual([d.range.start.character, d.range.end.character], [0, 'frobnicate'.length]);
  });

  it('reports a bad value of a statement set twice and the duplicate, each with its range, and goes on', () => {
    const { diagnostics } = analyze('nodes 3\nnodes x\ntick 10\n', 'x.raftsim');
    assert.deepEqual(
      diagnostics.map((d) => [d.range.start.line, d.range.start.character, d.range.end.character, d.severity, d.message]),
      [
        [1, 0, 5, 'error', '"nodes" already set on line 1'],
        [1, 6, 7, 'error', 'expected a node count (an integer), got "x"'],
        [2, 5, 7, 'error', 'expected a tick length with a unit (us, ms, s, m), got "10"'],
      ],
    );
    // A good value set twice is only a duplicate.
    assert.deepEqual(
      analyze('nodes 3\nnodes 4\n', 'x.raftsim').diagnostics.map((d) => [d.range.start.line, d.range.start.character, d.message]),
      [[1, 0, '"nodes" already set on line 1']],
    );
  });

  it('warns of scheduled faults out of time order; a fault after the safety phase is an error; the examples are clean', () => {
    const { diagnostics } = analyze('nodes 3\nsafety 2s\nat 1s crash n1\nat 500ms restart n1\n', 'x.raftsim');
    assert.deepEqual(
      diagnostics.map((d) => [d.range.start.line, d.severity]),
      [[3, 'warning']],
    );
    assert.match(diagnostics[0]!.message, /time order/);
    const late = analyze('nodes 3\nsafety 2s\nat 3s heal\n', 'x.raftsim').diagnostics;
    assert.deepEqual(
      late.map((d) => [d.range.start.line, d.severity]),
      [[2, 'error']],
    );
    assert.match(late[0]!.message, /not inside the safety phase/);
    for (const t of exampleTexts) assert.deepEqual(analyze(t, 'example.raftsim').diagnostics, []);
  });

  it('completes statements, invariants, bugs, fault actions, nodes and parameters', () => {
    const labels = (text: string, line: number, ch: number): string[] => complete(text, line, ch).map((c) => c.label);
    assert.ok(labels('', 0, 0).includes('crash-after-append'));
    assert.ok(labels('check ', 0, 6).includes('LeaderCompletenessInv'));
    assert.ok(labels('bugs ', 0, 5).includes('stale-vote-response'));
    assert.deepEqual(labels('at 1s ', 0, 6).slice(0, 3), ['partition', 'cut', 'isolate']);
    assert.deepEqual(labels('nodes 3\nat 1s crash ', 1, 12), ['n1', 'n2', 'n3']);
    assert.deepEqual(labels('nodes 3\nat 1s crash n1 ', 1, 15), []);
    assert.deepEqual(labels('nodes 2..4\nat 1s partition n1 n2 ', 1, 22), ['n1', 'n2', 'n3', 'n4']);
    assert.deepEqual(labels('crash every=1s..2s ', 0, 19), ['for=', 'weight=']);
    assert.deepEqual(labels('tick 10ms # ', 0, 12), []);
  });

  it('explains what is under the cursor', () => {
    assert.match(hover('crash-leader every=1s for=1s', 0, 3)!.markdown, /Targeted: crash whichever node is leader/);
    assert.match(hover('check LogMatchingInv', 0, 10)!.markdown, /two logs with an entry of the same term/);
    assert.match(hover('bugs stale-read', 0, 8)!.markdown, /Caught by/);
    assert.match(hover('at 2s isolate n2', 0, 8)!.markdown, /cut a node off/);
    assert.equal(hover('tick 10ms # crash', 0, 14), null);
  });

  it('lists settings and scheduled faults as symbols', () => {
    const s = symbols('# a comment\nnodes 3\n  at 1s crash n1  # boom\n');
    assert.deepEqual(
      s.map((x) => [x.name, x.kind, x.range.start.line, x.range.start.character]),
      [
        ['nodes', 'setting', 1, 0],
        ['at 1s crash n1', 'fault', 2, 2],
      ],
    );
  });

  it('formats: one space between words, comments aligned, no stray blank lines, idempotent; meaning unchanged', () => {
    const messy = '  nodes   3   # size\ntick 10ms # clock\n\n\n\nat 1s    crash n1\n# end\n';
    assert.equal(format(messy), 'nodes 3    # size\ntick 10ms  # clock\n\nat 1s crash n1\n# end\n');
    assert.deepEqual(formatEdits(format(messy)), []);
    for (const t of exampleTexts) {
      assert.equal(format(format(t)), format(t), 'idempotent');
      const a = analyze(t, 'x').scenario!;
      const b = analyze(format(t), 'x').scenario!;
      assert.deepEqual({ ...b, text: '' }, { ...a, text: '' }, 'the same scenario after formatting');
    }
  });

  it('never throws, whatever the input (random and mutated scenarios)', () => {
    const mutated = fc
      .tuple(fc.constantFrom(...exampleTexts), fc.array(fc.tuple(fc.nat(), fc.nat(5), fc.string({ maxLength: 6 })), { maxLength: 8 }))
      .map(([t, edits]) => {
        let s = t;
        for (const [at, del, ins] of edits) {
          const i = at % (s.length + 1);
          s = s.slice(0, i) + ins + s.slice(i + del);
        }
        return s;
      });
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), mutated), fc.nat(40), fc.nat(80), (text, line, ch) => {
        analyze(text, 'fuzz.raftsim');
        complete(text, line, ch);
        hover(text, line, ch);
        symbols(text);
        formatEdits(text);
      }),
      { numRuns: 1500 },
    );
  });
});
