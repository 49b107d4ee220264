// A .rafttrace is input from anywhere (a file a user opens, one a CI job uploads): every mutation of
// a valid trace is either refused with a TraceError saying what is wrong, or runs — it never
// crashes the replay (a fork naming a node the run does not have once did, exit 3).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadScenario, parseTrace, recordRun, replayTrace, TraceError } from './tracefile';

const TEXT = 'nodes 3..5\nspares 1\nworkload clients=2 keys=2\ncrash every=200ms..1s for=50ms..300ms\nchurn every=200ms..1s\nsafety 1s\nliveness 2s\n';
const BASE = JSON.stringify(recordRun(loadScenario(TEXT, 'f.raftsim'), 3, undefined, [{ step: 50, action: { kind: 'crash', node: 1 } }]).trace);

const KINDS = ['partition', 'cut', 'isolate', 'heal', 'crash', 'restart', 'pause', 'resume', 'clog', 'corrupt', 'transfer', 'add', 'remove', 'drop', 'nope'];
const junk = fc.oneof(fc.integer({ min: -5, max: 20 }), fc.constantFrom('n1', null, true, [], {}, 1e12, 0.5, 'x'));
const action = fc.record({
  kind: fc.constantFrom(...KINDS),
  node: fc.oneof(fc.integer({ min: -1, max: 10 }), junk),
  from: fc.integer({ min: -1, max: 10 }),
  to: fc.integer({ min: -1, max: 10 }),
  a: fc.integer({ min: -1, max: 10 }),
  b: fc.integer({ min: -1, max: 10 }),
  forUs: fc.integer({ min: -1, max: 2000 }),
  seq: fc.integer({ min: -1, max: 500 }),
  groups: fc.array(fc.array(fc.integer({ min: -1, max: 10 }), { maxLength: 3 }), { maxLength: 3 }),
});
/** One change to a valid trace: its forks, seed, steps, scenario text, or any other field. */
const mutation = fc.oneof(
  fc.record({ forks: fc.array(fc.record({ step: fc.oneof(fc.integer({ min: 0, max: 400 }), junk), action }), { maxLength: 3 }) }),
  fc.record({ seed: junk }),
  fc.record({ steps: junk }),
  fc.record({ scenario: fc.record({ file: fc.constant('f.raftsim'), text: fc.integer({ min: 0, max: 9 }).map((d) => TEXT.replace(/\d/, String(d))) }) }),
  fc.record({ field: fc.constantFrom('checkpoints', 'stepBytes', 'verdict', 'bugs', 'traceHash', 'format', 'version'), value: junk }),
);

describe('.rafttrace files from anywhere', function () {
  this.timeout(60_000);

  it('every mutation of a valid trace is refused with a TraceError or runs; none crashes the replay', () => {
    const seen = { refused: 0, ran: 0 };
    fc.assert(
      fc.property(mutation, (m) => {
        const t = JSON.parse(BASE) as Record<string, unknown>;
        if ('field' in m) t[m.field] = m.value;
        else Object.assign(t, m);
        try {
          replayTrace(parseTrace(JSON.stringify(t), 'm.rafttrace'));
          seen.ran++;
        } catch (e) {
          if (!(e instanceof TraceError)) throw e;
          assert.match(e.message, /\S/);
          seen.refused++;
        }
      }),
      { numRuns: 1500 },
    );
    assert.ok(seen.refused > 100 && seen.ran > 100, JSON.stringify(seen));
  });

  it('a fork naming a node this run does not have is refused before the run, naming the fork', () => {
    const t = JSON.parse(BASE) as Record<string, unknown>;
    t['forks'] = [{ step: 10, action: { kind: 'pause', node: 8 } }];
    assert.throws(
      () => replayTrace(parseTrace(JSON.stringify(t), 'm.rafttrace')),
      (e: unknown) => e instanceof TraceError && /fork 1: "pause" needs a node index 0\.\.\d \(seed 3 of this scenario runs \d nodes\)/.test(e.message),
    );
  });
});
