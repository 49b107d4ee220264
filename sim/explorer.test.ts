import assert from 'node:assert/strict';
import { DEFAULT_SCENARIO, loadScenario, withBugs } from './index';
import { Exploration, runSeeds, type ExplorationOptions } from './explorer';

const scenario = loadScenario(DEFAULT_SCENARIO, 'default.raftsim');
const base: ExplorationOptions = { scenario, seeds: { from: 1, to: 6 }, from: 1, shard: null, bias: true, checkDeterminism: false, untilFailure: false };

/** Runs an exploration to its end, batch by batch, as a host would (`budget`: batches at most). */
function drive(o: ExplorationOptions, batch: number, budget = Infinity): Exploration {
  const e = new Exploration(o);
  let batches = 0;
  for (let b = e.nextBatch(batch, () => batches >= budget); b.seeds.length > 0; b = e.nextBatch(batch, () => batches >= budget)) {
    batches++;
    e.report(runSeeds(b));
  }
  return e;
}

describe('explorer: one for every host', () => {
  it('a range runs every seed once, in order, with the same summaries as runs of its own', () => {
    const e = drive(base, 4);
    const s = e.summarize();
    assert.deepEqual(
      s.results.map((r) => r.seed),
      [1, 2, 3, 4, 5, 6],
    );
    assert.deepEqual(runSeeds({ scenario, seeds: [3], twice: false })[0], s.results[2], 'seed 3 alone summarizes the same');
    assert.equal(
      s.steps,
      s.results.reduce((n, r) => n + r.steps, 0),
    );
    assert.ok(s.coverage.signals > 0 && s.coverage.signals <= s.coverage.of);
    assert.ok(!s.coverage.rulesNeverHit.some((r) => r.startsWith('bug.')), 'a planted bug that is off is not reported as a rule never hit');
  });

  it('open-ended, it hands out fresh seeds until the host stops it, and keeps the shard', () => {
    const e = drive({ ...base, seeds: null, from: 10, shard: { i: 2, n: 3 } }, 2, 4);
    const seeds = e.summarize().results.map((r) => r.seed);
    assert.equal(seeds.length, 8);
    assert.equal(new Set(seeds).size, 8, 'no seed twice');
    assert.ok(
      seeds.every((s) => s >= 10 && s % 3 === 1),
      `every seed in shard 2/3 from 10: ${seeds.join(' ')}`,
    );
  });

  it('stops at the first failure when asked, and says after how many seeds it came', () => {
    const buggy = withBugs(scenario, ['stale-read']);
    const all = drive({ ...base, scenario: buggy, seeds: { from: 1, to: 12 } }, 3).summarize();
    const firstBad = all.results.find((r) => r.verdict !== 'ok');
    assert.ok(firstBad !== undefined, 'the planted bug fails some seed of 1..12');
    const early = drive({ ...base, scenario: buggy, seeds: { from: 1, to: 12 }, untilFailure: true }, 3).summarize();
    assert.ok(early.results.length < all.results.length, 'it stopped early');
    // (Driven batch by batch: the failing batch is the last one handed out.)
    assert.equal(early.firstFailureAfter, early.results.length);
    assert.ok(early.results.some((r) => r.seed === firstBad.seed));
  });

  it('with checkDeterminism every seed runs twice, and identical runs report no second hash', () => {
    const s = drive({ ...base, checkDeterminism: true, seeds: { from: 1, to: 2 } }, 2).summarize();
    assert.ok(s.results.every((r) => r.secondHash === undefined));
    assert.equal(s.steps, 2 * s.results.reduce((n, r) => n + r.steps, 0));
  });
});
