import assert from 'node:assert/strict';
import { DEFAULT_SCENARIO, loadScenario, Simulation } from './index';
import { formatScenario, percentLiteral } from './scenario';
import { failureKey, materialize, pinDraws, ROUNDING_RUNS, roundings, roundNumbers, shrink } from './shrink';

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

  it("pinning a seed's draws (generators kept, swarm off) replays the same run, also from its text", () => {
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
    // What the swarm drew is rounded (a liveness failure this tight survives any rounding).
    const numbers = lines.filter((l) => !l.startsWith('seed ')).flatMap((l) => l.match(/\d+(?:\.\d+)?/g) ?? []);
    assert.ok(numbers.length > 0);
    for (const n of numbers) assert.ok(n.replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length <= 3, `${n} in:\n${r.text}`);
    // The text alone reproduces it.
    const again = loadScenario(r.text, 'shrunk.raftsim');
    assert.equal(failureKey(new Simulation(again, again.seed!).run()), 'liveness');
  });

  it('rounds the numbers even when its budget ran out first (the rounding pass has runs of its own)', () => {
    const tight = loadScenario(DEFAULT_SCENARIO.replace('liveness 10s', 'liveness 5ms'), 'tight.raftsim');
    // The wall-clock budget is spent after a few runs, long before the rounding pass.
    let asked = 0;
    const r = shrink(tight, 4, { shouldStop: () => ++asked > 5 });
    assert.equal(r.reproduced, true);
    assert.ok(r.runs <= 5 + 1 + ROUNDING_RUNS + 1, `${r.runs} runs`);
    const lines = r.text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#') && !l.startsWith('seed '));
    const numbers = lines.flatMap((l) => l.match(/\d+(?:\.\d+)?/g) ?? []);
    assert.ok(numbers.length > 0);
    for (const n of numbers) assert.ok(n.replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length <= 3, `${n} in:\n${r.text}`);
  });

  it('rounds values to fewer significant digits first, as the parser reads them back; short ones stay', () => {
    assert.deepEqual(roundings(0.019075645334087312, 'ratio'), [0.02, percentLiteral('1.9%'), percentLiteral('1.91%')]);
    assert.deepEqual(roundings(317_944, 'us'), [300_000, 320_000, 318_000]);
    assert.deepEqual(roundings(0.019, 'ratio'), []);
    assert.deepEqual(roundings(percentLiteral('12.5%')!, 'ratio'), []);
    assert.deepEqual(roundings(1_500, 'us'), []);
  });

  it('keeps each rounding under which the scenario still fails, the exact value where none does, and the schedule in order', () => {
    const s = loadScenario('nodes 3\nsafety 5s\ncrash every=1s for=100ms\nat 2456789us crash n1\nat 2501234us heal\nat 2600ms restart n1', 'x.raftsim');
    const drawn = { ...s, drop: { min: 0.019075645334087312, max: 0.019075645334087312 }, crash: { ...s.crash!, everyUs: { min: 317_944, max: 317_944 } } };
    const tried: string[] = [];
    // Here the failure needs the exact drop rate; anything else may change.
    const rounded = roundNumbers(drawn, (c) => {
      tried.push(formatScenario(c));
      return c.drop.min === drawn.drop.min;
    });
    const text = formatScenario(rounded);
    assert.match(text, /^drop 1\.9075645334087312%$/m);
    assert.match(text, /^crash every=300ms for=100ms$/m);
    assert.match(text, /^at 2s crash n1$/m);
    // 3s would pass the restart at 2.6s.
    assert.match(text, /^at 2\.5s heal$/m);
    assert.match(text, /^at 2\.6s restart n1$/m);
    // The drop rate: 2%, 1.9%, 1.91%, each refused; then one try per other value that rounds.
    assert.equal(tried.length, 3 + 3);
  });

  it('reports a passing seed as not reproduced rather than pretending to shrink it', () => {
    const r = shrink(base, 1, { maxRuns: 5 });
    assert.equal(r.reproduced, false);
    assert.equal(r.runs, 1);
  });
});
