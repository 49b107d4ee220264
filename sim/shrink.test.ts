import assert from 'node:assert/strict';
import { DEFAULT_SCENARIO, loadScenario, Simulation } from './index';
import { formatScenario } from './scenario-format';
import { failureKey, materialize, pinDraws, shrink } from './shrink';

describe('shrinking', function () {
  this.timeout(120_000);
  const base = loadScenario(DEFAULT_SCENARIO, 'default.raftsim');

  it('materializing a seed (random faults written out, swarm draws pinned) replays the same run', () => {
    for (let seed = 1; seed <= 8; seed++) {
      const a = new Simulation(base, seed);
      const ra = a.run();
      const { scenario } = materialize(base, seed);
      assert.equal(scenario.crash, null);
      assert.equal(scenario.swarm, false);
      const b = new Simulation(scenario, seed);
      const rb = b.run();
      assert.equal(rb.verdict, ra.verdict, `seed ${seed}`);
      assert.equal(rb.simulatedMs, ra.simulatedMs, `seed ${seed}`);
      assert.equal(b.nodesHash(), a.nodesHash(), `seed ${seed}: final states differ`);
      assert.deepEqual(b.history, a.history, `seed ${seed}: client histories differ`);
    }
  });

  it('pinning a seed\'s draws (generators kept, swarm off) replays the same run, also from its text', () => {
    for (let seed = 1; seed <= 8; seed++) {
      const a = new Simulation(base, seed);
      const ra = a.run();
      const pinned = pinDraws(base, seed);
      assert.equal(pinned.swarm, false);
      for (const again of [pinned, loadScenario(formatScenario(pinned), 'pinned.raftsim')]) {
        const b = new Simulation(again, seed);
        const rb = b.run();
        assert.equal(rb.traceHash, ra.traceHash, `seed ${seed}`);
        assert.equal(b.nodesHash(), a.nodesHash(), `seed ${seed}: final states differ`);
      }
    }
  });

  it('reduces a failing run to a short regression scenario that fails the same way', () => {
    // Everything heals at 10s but the cluster gets only 5ms to converge: a liveness failure.
    const tight = loadScenario(DEFAULT_SCENARIO.replace('liveness 10s', 'liveness 5ms'), 'tight.raftsim');
    const seed = 4;
    const original = new Simulation(tight, seed).run();
    assert.equal(failureKey(original), 'liveness');
    const { scenario: materialized } = materialize(tight, seed);
    const r = shrink(tight, seed, { maxRuns: 300 });
    assert.equal(r.reproduced, true);
    assert.equal(failureKey(r.result), 'liveness');
    assert.ok(r.scenario.schedule.length < materialized.schedule.length, `${r.scenario.schedule.length} faults left of ${materialized.schedule.length}`);
    assert.ok(r.scenario.workload.clients <= tight.workload.clients);
    const lines = r.text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    assert.ok(lines.length <= 20, `${lines.length} lines:\n${r.text}`);
    // It pins the seed it fails with (shrinking may move to another seed: a smaller scenario is a new run).
    assert.match(r.text, new RegExp(`^seed ${r.seed}$`, 'm'));
    // The text alone reproduces it.
    const again = loadScenario(r.text, 'shrunk.raftsim');
    assert.equal(failureKey(new Simulation(again, again.seed!).run()), 'liveness');
  });

  it('reports a passing seed as not reproduced rather than pretending to shrink it', () => {
    const r = shrink(base, 1, { maxRuns: 5 });
    assert.equal(r.reproduced, false);
    assert.equal(r.runs, 1);
  });
});
