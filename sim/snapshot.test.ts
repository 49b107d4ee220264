import assert from 'node:assert/strict';
import { DEFAULT_SCENARIO, loadScenario, Simulation } from './index';
import { cloneGraph, CLONE, SnapshotError } from './snapshot';

const scenario = loadScenario(DEFAULT_SCENARIO, 'default.raftsim');
const buggy = loadScenario(`${DEFAULT_SCENARIO}\nbugs stale-vote-response commit-old-term\n`, 'buggy.raftsim');

function runTo(sim: Simulation, step: number): void {
  while (!sim.done && sim.steps < step) sim.step();
}

describe('simulation snapshots', function () {
  this.timeout(60_000);

  it('copies, shares and keeps cycles as the rules say', () => {
    const shared = { immutable: true };
    const a: { self?: unknown; list: number[]; keep: object; map: Map<string, { n: number }>; bytes: Uint8Array } = {
      list: [1, 2],
      keep: shared,
      map: new Map([['k', { n: 1 }]]),
      bytes: new Uint8Array([1, 2]),
    };
    a.self = a;
    const b = cloneGraph(a, new Map([['keep', 'share']]));
    assert.equal(b.self, b);
    assert.equal(b.keep, shared);
    assert.notEqual(b.list, a.list);
    assert.deepEqual(b.list, [1, 2]);
    b.map.get('k')!.n = 2;
    b.bytes[0] = 9;
    assert.equal(a.map.get('k')!.n, 1);
    assert.equal(a.bytes[0], 1);
    assert.throws(() => cloneGraph({ f: () => 1 }, new Map()), SnapshotError);
    const self = { [CLONE]: () => 'copied' };
    assert.equal(cloneGraph({ x: self }, new Map()).x, 'copied');
  });

  // The law the debugger's time travel rests on: a snapshot runs on exactly as the original does,
  // and running one never disturbs the other.
  for (const [name, sc, seeds] of [
    ['default', scenario, [1, 2, 3, 4, 5, 6]],
    ['with planted bugs', buggy, [11, 12, 13, 14]],
  ] as const) {
    it(`a snapshot taken mid-run finishes like the original (${name})`, () => {
      for (const seed of seeds) {
        const whole = new Simulation(sc, seed).run();
        for (const at of [0, 1, 137, Math.floor(whole.steps / 2), whole.steps - 1]) {
          const sim = new Simulation(sc, seed);
          runTo(sim, at);
          const copy = sim.snapshot();
          const fromCopy = copy.run();
          assert.equal(sim.steps, Math.min(at, whole.steps), 'running the copy moved the original');
          const fromOriginal = sim.run();
          for (const r of [fromCopy, fromOriginal]) {
            assert.equal(r.traceHash, whole.traceHash, `seed ${seed} snapshot at ${at}`);
            assert.equal(r.steps, whole.steps);
            assert.deepEqual(r.violation, whole.violation);
            assert.deepEqual(r.stats, whole.stats);
          }
        }
      }
    });
  }

  it('a stored copy of a large Map shares its unchanged chunks; copied back, it is the Map it was, in order', () => {
    const live = { m: new Map<string, unknown>(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i])) };
    const first = { slots: 0, objects: 0 };
    const a = cloneGraph(live, new Map(), first, true);
    live.m.set('k5000', 5000);
    const second = { slots: 0, objects: 0 };
    const b = cloneGraph(live, new Map(), second, true);
    assert.ok(second.slots < first.slots / 10, `only the last chunk is new: ${second.slots} vs ${first.slots} slots`);
    // A change in the middle, a deletion, an object value: those chunks are copied, the rest shared.
    live.m.set('k10', 'changed');
    live.m.delete('k4000');
    const obj = { n: 1 };
    live.m.set('o', obj);
    const c = cloneGraph(live, new Map(), undefined, true);
    obj.n = 2;
    const back = (x: typeof live): [string, unknown][] => [...cloneGraph(x, new Map()).m];
    assert.deepEqual(
      back(a),
      Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]),
    );
    assert.deepEqual(back(b).length, 5001);
    const cc = back(c);
    assert.deepEqual(cc[10], ['k10', 'changed']);
    assert.equal(cc.length, 5001);
    assert.ok(!cc.some(([k]) => k === 'k4000'));
    assert.deepEqual(cc[cc.length - 1], ['o', { n: 1 }], 'an object value was copied when stored, not shared');
    // A map copied back and changed does not change the stored copy.
    const run = cloneGraph(b, new Map());
    run.m.set('k0', 'x');
    assert.equal(cloneGraph(b, new Map()).m.get('k0'), 0);
  });

  it('a stored copy shares unchanged chunks of long arrays with the last one, and runs on like the original once copied', () => {
    const long = loadScenario(DEFAULT_SCENARIO.replace(/^safety .*$/m, 'safety 1000s'), 'long.raftsim');
    const sim = new Simulation(long, 2);
    runTo(sim, 300_000);
    const first = { slots: 0, objects: 0 };
    const a = sim.store(first);
    runTo(sim, 301_000);
    const second = { slots: 0, objects: 0 };
    const b = sim.store(second);
    assert.ok(second.slots < first.slots / 2, `the second stored copy shares most of the first: ${second.slots} vs ${first.slots} slots`);
    const full = { slots: 0, objects: 0 };
    sim.snapshot(full);
    assert.ok(first.slots <= full.slots * 1.05, `a first stored copy costs about a plain one: ${first.slots} vs ${full.slots}`);
    // Aliasing survives storing and copying back: the checker judges a running node by its very state.
    const views = (x: Simulation): unknown[] => (x.checker as unknown as { views: unknown[] }).views;
    const copyB = b.snapshot();
    sim.nodes.forEach((n, i) => {
      assert.equal(views(copyB)[i] === copyB.nodes[i]!.state, views(sim)[i] === n.state, `node ${i}: the checker's view aliases its state`);
      assert.ok(Array.isArray(copyB.nodes[i]!.state.log));
    });
    // Run on from each stored copy (through a plain copy of it) and from the original: same runs.
    const end = 310_000;
    const fromB = b.snapshot();
    runTo(fromB, end);
    const fromA = a.snapshot();
    runTo(fromA, end);
    runTo(sim, end);
    for (const x of [fromA, fromB]) {
      assert.equal(x.stateHash(), sim.stateHash());
      assert.equal(x.trace.hash.hex(), sim.trace.hash.hex());
      assert.deepEqual(
        x.nodes.map((n) => n.state.log.length),
        sim.nodes.map((n) => n.state.log.length),
      );
    }
    // The stored copies themselves did not move.
    assert.equal(a.steps, 300_000);
    assert.equal(a.snapshot().snapshot().steps, 300_000);
  });

  it('a snapshot of a snapshot, taken on a fork, replays the fork', () => {
    const sim = new Simulation(scenario, 7);
    runTo(sim, 500);
    assert.ok(sim.fork({ kind: 'crash', node: 0 }));
    const copy = sim.snapshot().snapshot();
    assert.equal(copy.run().traceHash, sim.run().traceHash);
  });
});
