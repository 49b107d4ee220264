// Cases of the membership rules (membership.ts): each builds the violating state and sees it caught,
// and the healthy variant accepted.
import { logIndex, term, type Entry, type Membership, type Snapshot } from '../../core';
import { configEntry, entry, expectViolation, type InvariantCases, World } from './world.fixture';
import assert from 'node:assert/strict';

const members = (e: Entry): Membership => e.data as Membership;

/** n1 leads term 1 of n1–n3 (n4 and n5 are spares) with its no-op committed. */
function leading(only: ConstructorParameters<typeof World>[1]): World {
  const w = new World(3, only, 0, 2);
  assert.equal(w.set(0, { log: [entry(1, 1)], term: 1, role: 'leader', commit: 1 }), null);
  return w;
}

export const membershipCases: InvariantCases = {
  OneConfigChangeInv: () => {
    const w = leading(['OneConfigChangeInv']);
    const add = configEntry(2, 1, [1, 2, 3], [4]);
    assert.equal(w.set(0, { log: [entry(1, 1), add], members: members(add), configIndex: 2 }), null, 'one change not committed yet');
    const remove = configEntry(3, 1, [1, 2], [4]);
    expectViolation(
      w.set(0, { log: [entry(1, 1), add, remove], members: members(remove), configIndex: 3 }),
      'OneConfigChangeInv',
      /n1's log holds 2 configuration entries after its commit index 1/,
    );
    const ok = leading(['OneConfigChangeInv']);
    ok.set(0, { log: [entry(1, 1), add], members: members(add), configIndex: 2, commit: 2 });
    assert.equal(ok.set(0, { log: [entry(1, 1), add, remove], members: members(remove), configIndex: 3 }), null, 'the first change is committed');
  },
  ConfigChangeInv: () => {
    const w = leading(['ConfigChangeInv']);
    const both = configEntry(2, 1, [1, 2, 3], [4, 5]);
    expectViolation(
      w.set(0, { log: [entry(1, 1), both], members: members(both), configIndex: 2 }),
      'ConfigChangeInv',
      /n1 appended configuration voters=n1,n2,n3 learners=n4,n5 at 2 after voters=n1,n2,n3: n4, n5 changed place/,
    );
    const straight = leading(['ConfigChangeInv']);
    const voter = configEntry(2, 1, [1, 2, 3, 4]);
    expectViolation(straight.set(0, { log: [entry(1, 1), voter], members: members(voter), configIndex: 2 }), 'ConfigChangeInv', /n4 changed place/);
    // A learner added, then promoted, then a voter removed: each one server.
    const ok = leading(['ConfigChangeInv']);
    const add = configEntry(2, 1, [1, 2, 3], [4]);
    const promote = configEntry(3, 1, [1, 2, 3, 4]);
    const remove = configEntry(4, 1, [2, 3, 4]);
    assert.equal(ok.set(0, { log: [entry(1, 1), add], members: members(add), configIndex: 2, commit: 2 }), null);
    assert.equal(ok.set(0, { log: [entry(1, 1), add, promote], members: members(promote), configIndex: 3, commit: 3 }), null);
    assert.equal(ok.set(0, { log: [entry(1, 1), add, promote, remove], members: members(remove), configIndex: 4 }), null);
  },
  LeaderIsVoterInv: () => {
    const w = leading(['LeaderIsVoterInv']);
    const out = configEntry(2, 1, [2, 3]);
    assert.equal(w.set(0, { log: [entry(1, 1), out], members: members(out), configIndex: 2 }), null, 'a leader removing itself leads until that commits');
    expectViolation(
      w.set(0, { commit: 2 }),
      'LeaderIsVoterInv',
      /n1 still leads term 1, but the configuration without it as a voter \(voters=n2,n3, entry 2\) is committed \(commit 2\)/,
    );
    // Elected while a learner.
    const l = new World(3, ['LeaderIsVoterInv'], 0, 2);
    const learner = configEntry(2, 1, [1, 2, 3], [4]);
    l.set(3, { log: [entry(1, 1), learner], term: 1, members: members(learner), configIndex: 2 });
    expectViolation(l.set(3, { term: 2, role: 'leader' }), 'LeaderIsVoterInv', /n4 was elected leader of term 2, but it is not a voter of its configuration/);
  },
};

/** SnapshotInv, for configurations: a snapshot holds the committed log's configuration at its index. */
export function snapshotConfigCase(): void {
  const w = new World(3, ['SnapshotInv'], 2);
  const add = configEntry(2, 1, [1, 2, 3], [4]);
  const log = [entry(1, 1), add];
  for (const i of [1, 2]) w.set(i, { log, term: 1 });
  assert.equal(w.set(0, { log, term: 1, role: 'leader', commit: 2, members: members(add), configIndex: 2 }), null);
  const snap = (config?: Membership): Snapshot => ({ index: logIndex(2), term: term(1), data: [], sessions: [], ...(config === undefined ? {} : { config }) });
  assert.equal(w.set(1, { commit: 2, snapshot: snap(members(add)) }), null, 'the snapshot carries the configuration');
  expectViolation(
    w.set(2, { commit: 2, snapshot: snap() }),
    'SnapshotInv',
    /n3's snapshot at 2 holds the configuration of no change \(none recorded\), but the committed log's there is voters=n1,n2,n3 learners=n4/,
  );
}
