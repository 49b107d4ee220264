// The bug zoo's regression scenarios: each shrunk reproduction (it pins its seed) must fail with
// the invariant that catches its planted bug, and pass with the bug switched off.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUG_NAMES, BUGS } from '../core';
import { loadScenario, Simulation } from './index';

/** Invariants that may catch each bug (the catalogue's, and the ones that fire first in some histories). */
const CAUGHT_BY: Record<string, readonly string[]> = {
  'stale-vote-response': ['OneLeaderPerTerm', 'MoreThanOneLeaderInv'],
  'commit-old-term': ['LeaderCompletenessInv', 'LogInv', 'StateMachineSafety'],
  'no-truncate-conflict': ['LogMatchingInv', 'assert:log-terms-valid'],
  'vote-not-durable': ['OneVotePerTerm', 'OneLeaderPerTerm', 'MoreThanOneLeaderInv'],
  'vote-without-log-check': ['LeaderCompletenessInv', 'LogInv'],
  'stale-read': ['Linearizability'],
  'duplicate-apply': ['StateMachineSafety', 'Linearizability'],
  'timer-not-reset-on-vote': ['ElectionTimerReset'],
  'check-quorum-ignores-acks': ['CheckQuorum', 'Liveness'],
  'concurrent-config-change': ['OneConfigChangeInv'],
  'removed-leader-stays': ['LeaderIsVoterInv'],
  'snapshot-drops-config': ['SnapshotInv'],
};

describe('bug zoo', function () {
  this.timeout(60_000);
  const dir = join(__dirname, 'testdata/bugs');
  const files = readdirSync(dir).filter((f) => f.endsWith('.raftsim'));

  it('has a regression scenario for every planted bug, and the catalogue names a catching invariant', () => {
    assert.deepEqual(files.map((f) => f.replace(/\.raftsim$/, '')).sort(), [...BUG_NAMES].sort());
    for (const b of BUG_NAMES) assert.ok(CAUGHT_BY[b]!.includes(BUGS[b].caughtBy), b);
  });

  for (const file of files) {
    const bug = file.replace(/\.raftsim$/, '');
    it(`${bug}: fails with its seed, passes with the bug off`, () => {
      const s = loadScenario(readFileSync(join(dir, file), 'utf8'), file);
      assert.deepEqual(s.bugs, [bug]);
      assert.notEqual(s.seed, null, 'the regression scenario pins its seed');
      const lines = s.text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#')).length;
      assert.ok(lines <= 20, `${lines} lines`);
      const failing = new Simulation(s, s.seed!).run();
      assert.notEqual(failing.verdict, 'ok', `${bug} was not caught`);
      assert.ok(CAUGHT_BY[bug]!.includes(failing.violation!.invariant), `${bug} caught by ${failing.violation!.invariant}: ${failing.violation!.message}`);
      const fixed = new Simulation({ ...s, bugs: [] }, s.seed!).run();
      assert.equal(fixed.verdict, 'ok', `without the bug: ${fixed.violation?.invariant} ${fixed.violation?.message}`);
    });
  }
});
