// Cases of invariants.test.ts: ProgressInv: a leader's bookkeeping of its followers (progress.ts).
import assert from 'node:assert/strict';
import { logIndex, term, type NodeState, type Progress } from '../../core';
import { entry, expectViolation, ids, probing, World, type InvariantCases } from './world.fixture';

export const progressCases: InvariantCases = {
  ProgressInv: () => {
    // A leader of term 1 over a log of three entries, n2 replicating with two appends in flight.
    const leader = (): { w: World; s: NodeState; pr: Progress } => {
      const w = new World(3, ['ProgressInv']);
      const s = w.nodes[0]!.state;
      w.set(0, { log: [entry(1, 1), entry(2, 1, 'a'), entry(3, 1, 'b')], term: 1 });
      const probe = (): Progress => probing(4);
      s.progress = new Map([
        [ids[1]!, probe()],
        [ids[2]!, probe()],
      ]);
      assert.equal(w.set(0, { role: 'leader' }), null, 'a new leader probing both followers');
      const pr = s.progress.get(ids[1]!)!;
      Object.assign(pr, { mode: 'replicate', match: logIndex(1), next: logIndex(4), inflight: [logIndex(2), logIndex(3)] });
      s.selfMatch = logIndex(3);
      s.readSeq = 2;
      pr.readAck = 1;
      assert.equal(w.set(0, {}), null, 'replicating n2 with two appends in flight');
      return { w, s, pr };
    };
    const broken = (change: (s: NodeState, pr: Progress) => void, pattern: RegExp): void => {
      const { w, s, pr } = leader();
      change(s, pr);
      expectViolation(w.set(0, {}), 'ProgressInv', pattern);
    };
    broken((_, pr) => (pr.next = logIndex(5)), /leader n1 of term 1: n2 has match 1 and next 5; match < next ≤ last index \+ 1 \(4\) must hold/);
    broken((_, pr) => (pr.next = pr.match), /n2 has match 1 and next 1/);
    broken((_, pr) => ((pr.match = logIndex(0)), (pr.inflight = [])), /n2's match went back from 1 to 0/);
    broken((s) => (s.selfMatch = logIndex(2)), /its own match went back from 3 to 2/);
    broken((_, pr) => (pr.readAck = 0), /n2's read acknowledgement went from 1 to 0/);
    broken((_, pr) => (pr.readAck = 3), /n2's read acknowledgement went from 1 to 3 \(read rounds started: 2\)/);
    broken(
      (_, pr) => (pr.inflight = [logIndex(3), logIndex(2)]),
      /n2 has appends in flight ending at 3, 2: each must be past match 1 and the one before, and before next 4/,
    );
    broken((_, pr) => (pr.inflight = [logIndex(1), logIndex(3)]), /in flight ending at 1, 3/);
    broken(
      (s, pr) => (((s.config as { inflightAppendsMax: number }).inflightAppendsMax = 1), void pr),
      /n2 has 2 appends in flight \(2, 3\), more than inflightAppendsMax 1/,
    );
    broken((_, pr) => (pr.probeSent = true), /n2 is in replicate mode with a probe outstanding/);
    broken((_, pr) => (pr.mode = 'probe'), /n2 is in probe mode with appends in flight \(2, 3\)/);
    broken((_, pr) => ((pr.mode = 'probe'), (pr.inflight = []), (pr.snapshotWait = 3)), /n2 waits for a snapshot in probe mode with no probe outstanding/);
    broken(
      (s, pr) => ((pr.mode = 'probe'), (pr.inflight = []), (pr.probeSent = true), (pr.snapshotWait = s.config.electionTicksMin + 1)),
      /n2 has a snapshot wait of \d+ ticks; it is at most one election timeout/,
    );
    // A snapshot wait counts the leader's ticks down, one each; other steps may keep it.
    const waiting = leader();
    Object.assign(waiting.pr, { mode: 'probe', inflight: [], probeSent: true, snapshotWait: 3 });
    assert.equal(waiting.w.set(0, {}), null, 'a snapshot sent to n2: it waits 3 ticks');
    assert.equal(waiting.w.set(0, {}), null, 'an answer from n3: still 3');
    waiting.pr.snapshotWait = 2;
    assert.equal(waiting.w.set(0, { tick: true }), null, 'a tick: 2');
    expectViolation(waiting.w.set(0, { tick: true }), 'ProgressInv', /n2's snapshot wait went from 2 to 2 ticks over a tick; it counts down by one/);
    // The leader's own match counts only what its disk holds synced (its self-ack follows the sync).
    const { w, s } = leader();
    assert.equal(w.set(0, { log: [...s.log, entry(4, 1, 'c')], durable: false }), null, 'a new entry written, not yet synced');
    s.selfMatch = logIndex(4);
    expectViolation(w.set(0, {}), 'ProgressInv', /its own match 4 is past what its disk holds synced \(3\)/);
    // A new term starts a new record: match may start again from 0.
    const { w: again, s: s2 } = leader();
    s2.term = term(2);
    for (const pr of s2.progress.values()) Object.assign(pr, { match: logIndex(0), inflight: [], mode: 'probe', readAck: 0 });
    s2.selfMatch = logIndex(0);
    s2.readSeq = 0;
    assert.equal(again.set(0, {}), null, 'leader of term 2');
  },
};
