// The editor's explore worker (extension/explore-worker.ts), called as its host calls it: a range
// of seeds, or a time budget with seeds chosen by coverage, as `liferaft explore` does.
import assert from 'node:assert/strict';
import { budgetOf, explore, type ExploreReply } from '../extension/explore-worker';
import { DEFAULT_SCENARIO } from '../sim';

const replies = (req: Parameters<typeof explore>[0]): ExploreReply[] => {
  const out: ExploreReply[] = [];
  explore(req, (r) => out.push(r));
  return out;
};

describe('the editor explores as the CLI does', () => {
  it('a range: each seed reported in order, then the coverage', () => {
    const r = replies({ text: DEFAULT_SCENARIO, file: 'default.raftsim', bugs: [], from: 1, to: 3 });
    assert.deepEqual(
      r.filter((x) => x.type === 'seed').map((x) => (x.type === 'seed' ? x.result.seed : 0)),
      [1, 2, 3],
    );
    const done = r[r.length - 1]!;
    assert.equal(done.type, 'done');
    if (done.type === 'done') assert.ok(done.coverage.signals > 0 && done.coverage.rulesNeverHit.length > 0);
  });

  it('a time budget: seeds chosen by coverage until the time is up', () => {
    const r = replies({ text: DEFAULT_SCENARIO, file: 'default.raftsim', bugs: [], from: 1, to: 1, seconds: 1 });
    const seeds = r.filter((x) => x.type === 'seed').map((x) => (x.type === 'seed' ? x.result.seed : 0));
    assert.ok(seeds.length >= 1, 'at least one seed in a second');
    assert.equal(new Set(seeds).size, seeds.length, 'no seed twice');
    assert.equal(r[r.length - 1]!.type, 'done');
  });

  it('reads what the user typed: a number of seeds or a time', () => {
    assert.deepEqual(budgetOf(' 100 '), { seeds: 100, text: '100' });
    assert.deepEqual(budgetOf('30s'), { seconds: 30, text: '30s' });
    assert.deepEqual(budgetOf('2 m'), { seconds: 120, text: '2m' });
    for (const bad of ['0', '0s', '-3', '1h', 'ten', '']) assert.equal(budgetOf(bad), null, bad);
  });
});
