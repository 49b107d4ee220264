// Cases of invariants.test.ts: the rules about logs and what is committed (checker.ts).
import assert from 'node:assert/strict';
import { logIndex, term, type Message } from '../../core';
import { loadScenario } from '../tracefile';
import { Simulation } from '../simulation';
import { entry, expectViolation, ids, World, type InvariantCases } from './world.fixture';

export const logRulesCases: InvariantCases = {
  LogInv: () => {
    // (Other invariants would object earlier to this state; only LogInv is checked here.)
    const w = new World(3, ['LogInv']);
    const a = [entry(1, 1), entry(2, 1, 'a')];
    assert.equal(w.set(0, { log: a, term: 1 }), null);
    assert.equal(w.set(1, { log: a, term: 1 }), null);
    assert.equal(w.set(0, { commit: 2 }), null);
    assert.equal(w.set(2, { log: [entry(1, 1), entry(2, 2, 'b')], term: 2 }), null, 'an uncommitted conflicting entry is fine');
    expectViolation(w.set(2, { commit: 2 }), 'LogInv', /n3 has committed 2@t2 put k=b .* but 2@t1 put k=a .* was committed there before/);
  },
  MoreThanOneLeaderInv: () => {
    const w = new World(3, ['MoreThanOneLeaderInv']);
    assert.equal(w.set(0, { term: 2, role: 'leader' }), null);
    assert.equal(w.set(1, { term: 3, role: 'leader' }), null, 'leaders of different terms are fine');
    expectViolation(w.set(2, { term: 2, role: 'leader' }), 'MoreThanOneLeaderInv', /n3 and n1 are both leaders of term 2/);
  },
  OneLeaderPerTerm: () => {
    const w = new World(3);
    assert.equal(w.set(0, { term: 2, role: 'leader' }), null);
    assert.equal(w.set(0, { role: 'follower' }), null);
    assert.equal(w.set(1, { term: 3, role: 'leader' }), null, 'another term is fine');
    expectViolation(w.set(2, { term: 2, role: 'leader' }), 'OneLeaderPerTerm', /n3 was elected leader of term 2, which n1 already led/);
  },
  ElectionSafetyInv: () => {
    const w = new World(3);
    assert.equal(w.set(0, { log: [entry(1, 2)], term: 2, role: 'leader' }), null);
    assert.equal(w.set(1, { log: [entry(1, 2)], term: 2 }), null);
    expectViolation(
      w.set(2, { log: [entry(1, 2), entry(2, 2, 'x')], term: 2 }),
      'ElectionSafetyInv',
      /n3 has an entry of term 2 at index 2, beyond .* \(1\) of its leader n1/,
    );
  },
  LogMatchingInv: () => {
    const w = new World(3);
    assert.equal(w.set(0, { log: [entry(1, 1), entry(2, 2)], term: 2 }), null);
    assert.equal(w.set(1, { log: [entry(1, 1), entry(2, 3)], term: 3 }), null, 'different terms at an index are allowed');
    expectViolation(
      w.set(2, { log: [entry(1, 2), entry(2, 2)], term: 2 }),
      'LogMatchingInv',
      /n3 and n1 both have an entry of term 2 at index 2, but their logs differ at index 1 \(n3: 1@t2 noop; n1: 1@t1 noop\)/,
    );
    const v = new World(2);
    v.set(0, { log: [entry(1, 1, 'a')], term: 1 });
    expectViolation(v.set(1, { log: [entry(1, 1, 'b')], term: 1 }), 'LogMatchingInv', /same term|term 1 at index 1, but their logs differ at index 1/);
  },
  QuorumLogInv: () => {
    const w = new World(5);
    const full = [entry(1, 1), entry(2, 1, 'a')];
    for (const i of [0, 1, 2]) assert.equal(w.set(i, { log: full, term: 1 }), null);
    for (const i of [3, 4]) assert.equal(w.set(i, { log: [entry(1, 1)], term: 1 }), null);
    assert.equal(w.set(0, { commit: 2 }), null, 'a majority holds the committed entries');
    expectViolation(w.set(2, { log: [entry(1, 1)] }), 'QuorumLogInv', /quorum \{n3, n4, n5\} has no member whose log holds all 2 committed entries/);
  },
  MoreUpToDateCorrectInv: () => {
    const w = new World(5);
    const a = [entry(1, 1), entry(2, 1, 'a')];
    for (const i of [0, 2, 3, 4]) assert.equal(w.set(i, { log: a, term: 1 }), null);
    assert.equal(w.set(0, { commit: 2 }), null);
    expectViolation(
      w.set(1, { log: [entry(1, 1), entry(2, 2, 'b')], term: 2 }),
      'MoreUpToDateCorrectInv',
      /n2's log \(last 2@t2\) is at least as up to date as n1's, but lacks n1's committed prefix \(commit 2, committed by term 1\)/,
    );
    // Correct Raft can hold a log whose last term is older than the term that committed: not flagged.
    const v = new World(5);
    const committed = [entry(1, 1), entry(2, 19, 'c')];
    for (const i of [0, 1, 2]) v.set(i, { log: committed, term: 22 });
    assert.equal(v.set(0, { commit: 2 }), null, 'committed in term 22');
    assert.equal(v.set(4, { log: [entry(1, 1), entry(2, 21, 'x')], term: 21 }), null, 'a crashed leader of term 21 with an uncommitted entry');
    expectViolation(v.set(3, { log: [entry(1, 1), entry(2, 23, 'y')], term: 23 }), 'MoreUpToDateCorrectInv', /n4's log \(last 2@t23\)/);
  },
  LeaderCompletenessInv: () => {
    const w = new World(3);
    const a = [entry(1, 1), entry(2, 1, 'a')];
    assert.equal(w.set(0, { log: a, term: 1 }), null);
    assert.equal(w.set(1, { log: a, term: 1 }), null);
    assert.equal(w.set(0, { commit: 2 }), null);
    expectViolation(
      w.set(2, { log: [entry(1, 1)], term: 3, role: 'leader' }),
      'LeaderCompletenessInv',
      /leader n3 of term 3 lacks committed entry 2@t1 put k=a/,
    );
    // An entry of term 5 committed in term 7: a leader of term 6 elected late (on delayed votes) need not have it.
    const v = new World(3, ['LeaderCompletenessInv']);
    v.set(0, { log: [entry(1, 5, 'a')], term: 7 });
    v.set(1, { log: [entry(1, 5, 'a')], term: 7 });
    assert.equal(v.set(0, { role: 'leader', commit: 1 }), null);
    assert.equal(v.set(2, { log: [], term: 6, role: 'leader' }), null, 'leader of term 6 < 7');
    expectViolation(
      v.set(1, { log: [entry(1, 8)], term: 8, role: 'leader' }),
      'LeaderCompletenessInv',
      /leader n2 of term 8 lacks committed entry 1@t5 put k=a/,
    );
  },
  CommittedIsDurableInv: () => {
    // (CommittedOnQuorumInv objects to this state too; only this one is checked here.)
    const w = new World(1, ['CommittedIsDurableInv']);
    assert.equal(w.set(0, { log: [entry(1, 1)], term: 1, role: 'leader', commit: 1 }), null);
    expectViolation(
      w.set(0, { log: [entry(1, 1), entry(2, 1, 'x')], commit: 2, durable: false }),
      'CommittedIsDurableInv',
      /leader n1 committed up to 2 but its disk holds only 1 entries/,
    );
  },
  MessageTermsLtCurrentTerm: () => {
    const w = new World(3);
    const ok: Message = { type: 'PreVote', from: ids[0]!, to: ids[1]!, term: term(3), lastLogIndex: logIndex(0), lastLogTerm: term(0), round: 1 };
    assert.equal(w.checker.onSend(0, ok, term(2)), null, 'a pre-vote carries the next term');
    const bad: Message = { type: 'Heartbeat', from: ids[0]!, to: ids[1]!, term: term(3), commit: logIndex(0), readSeq: 0 };
    expectViolation(w.checker.onSend(0, bad, term(2)), 'MessageTermsLtCurrentTerm', /n1 sent Heartbeat with term 3 while its term is 2/);
  },
  MonotonicTerm: () => {
    const w = new World(3);
    assert.equal(w.set(0, { term: 3 }), null);
    expectViolation(w.set(0, { term: 2 }), 'MonotonicTerm', /n1's term went from 3 to 2/);
    const d = new World(3);
    d.nodes[0]!.disk.write({ hardState: { term: term(4), vote: null }, log: null });
    d.nodes[0]!.disk.sync(1);
    assert.equal(d.checker.afterSync(0), null);
    d.nodes[0]!.disk.write({ hardState: { term: term(2), vote: null }, log: null });
    d.nodes[0]!.disk.sync(2);
    expectViolation(d.checker.afterSync(0), 'MonotonicTerm', /durable term went from 4 to 2/);
  },
  MonotonicCommit: () => {
    const w = new World(3);
    const a = [entry(1, 1), entry(2, 1)];
    w.set(1, { log: a, term: 1 });
    assert.equal(w.set(0, { log: a, term: 1, commit: 2 }), null);
    expectViolation(w.set(0, { commit: 1 }), 'MonotonicCommit', /commit index went from 2 to 1/);
  },
  LeaderAppendOnly: () => {
    const w = new World(3);
    assert.equal(w.set(0, { log: [entry(1, 2), entry(2, 2, 'a')], term: 2, role: 'leader' }), null);
    assert.equal(w.set(0, { log: [entry(1, 2), entry(2, 2, 'a'), entry(3, 2, 'b')] }), null, 'appending is fine');
    expectViolation(w.set(0, { log: [entry(1, 2), entry(2, 2, 'c')] }), 'LeaderAppendOnly', /leader n1 of term 2 rewrote its log from index 2/);
  },
  OneVotePerTerm: () => {
    const w = new World(3);
    const grant = (to: number): Message => ({ type: 'RequestVoteResp', from: ids[1]!, to: ids[to]!, term: term(2), granted: true });
    assert.equal(w.checker.onSend(1, grant(0), term(2)), null);
    assert.equal(w.checker.onSend(1, grant(0), term(2)), null, 'granting the same candidate again is fine');
    expectViolation(w.checker.onSend(1, grant(2), term(2)), 'OneVotePerTerm', /n2 granted its vote in term 2 to n1 and then to n3/);
  },
  Linearizability: () => {
    // A whole run: its history is checked when the run ends. A read of a value nobody wrote breaks it.
    const s = loadScenario('nodes 3\nworkload clients=2 keys=1\nsafety 1s\nliveness 2s', 'lin.raftsim');
    const clean = new Simulation(s, 1).run();
    assert.equal(clean.verdict, 'ok');
    assert.equal(clean.linearizability, 'ok');
    const sim = new Simulation(s, 1);
    while (sim.steps < 200) sim.step();
    sim.history.push({ client: 'c9', op: 'get', key: 'k0', output: { ok: true, value: 'never-written' }, call: sim.time, return: sim.time + 1 });
    const r = sim.run();
    assert.equal(r.verdict, 'safety');
    assert.equal(r.linearizability, 'illegal');
    assert.equal(r.violation?.invariant, 'Linearizability');
    assert.match(r.violation?.message ?? '', /not linearizable: on key k0, .*c9 get k0 → "never-written"/);
  },
  AckedWritesCommitted: () => {
    const w = new World(3);
    const log = [entry(1, 1), entry(2, 1, 'a')];
    w.set(1, { log, term: 1 });
    assert.equal(w.set(0, { log, term: 1, commit: 2 }), null);
    assert.equal(w.checker.onWriteAcknowledged('c', 2, 'n1'), null);
    expectViolation(w.checker.onWriteAcknowledged('c', 7, 'n1'), 'AckedWritesCommitted', /c#7 was acknowledged \(through n1\) but is not in the committed log/);
  },
  CommittedOnQuorumInv: () => {
    const w = new World(3);
    const log = [entry(1, 1), entry(2, 1, 'a')];
    w.set(1, { log, term: 1 });
    assert.equal(w.set(0, { log, term: 1, commit: 2 }), null, 'two of three disks hold it');
    const more = [...log, entry(3, 1, 'b')];
    w.set(1, { log: more, term: 1, durable: false });
    expectViolation(
      w.set(0, { log: more, term: 1, commit: 3, durable: false }),
      'CommittedOnQuorumInv',
      /n1 committed up to 3, but only 0 of its voters hold it on a synced disk \(a quorum is 2\)/,
    );
    // Long enough is not enough: n2's disk holds a stale entry of term 1 where term 2's was committed.
    const w2 = new World(3);
    w2.set(1, { log: [...log, entry(3, 1, 'stale')], term: 1 });
    const t2 = [...log, entry(3, 2, 'new')];
    expectViolation(
      w2.set(0, { log: t2, term: 2, commit: 3, durable: false }),
      'CommittedOnQuorumInv',
      /n1 committed up to 3, but only 0 of its voters hold it on a synced disk/,
    );
  },
};
