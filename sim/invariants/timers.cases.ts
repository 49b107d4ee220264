// Cases of invariants.test.ts: the timer rules (timers.ts).
import assert from 'node:assert/strict';
import { logIndex, term, type Message, type NodeState, type Progress, type ReasonCode, type StepOutputs } from '../../core';
import { type Violation } from '.';
import { expectViolation, ids, probing, World, type InvariantCases } from './world.fixture';

export const timersCases: InvariantCases = {
  ElectionTimerReset: () => {
    const w = new World(3);
    const grant: StepOutputs = {
      persist: null,
      messages: [{ type: 'RequestVoteResp', from: ids[1]!, to: ids[0]!, term: term(2), granted: true }],
      applied: [],
      replies: [],
      reasons: ['vote.granted'],
    };
    const quiet: StepOutputs = { persist: null, messages: [], applied: [], replies: [], reasons: ['tick'] };
    const timeout: StepOutputs = { persist: null, messages: [], applied: [], replies: [], reasons: ['election.timeout', 'prevote.start'] };
    assert.equal(w.checker.afterTimer(1, timeout, true), null, 'no vote granted yet');
    assert.equal(w.checker.afterTimer(1, grant, false), null);
    for (let t = 0; t < 10; t++) assert.equal(w.checker.afterTimer(1, quiet, true), null);
    assert.equal(w.checker.afterTimer(1, timeout, true), null, '11 ticks after the vote: fine (minimum 10)');
    assert.equal(w.checker.afterTimer(1, grant, false), null);
    for (let t = 0; t < 3; t++) w.checker.afterTimer(1, quiet, true);
    expectViolation(
      w.checker.afterTimer(1, timeout, true),
      'ElectionTimerReset',
      /n2 started an election 4 ticks after granting a vote \(the election timeout is at least 10 ticks\)/,
    );
  },
  LeaseRespected: () => {
    const stepOut = (messages: Message[] = []): StepOutputs => ({ persist: null, messages, applied: [], replies: [], reasons: [] });
    const follower = (): { w: World; s: NodeState; tick: () => Violation | null } => {
      const w = new World(3, ['LeaseRespected']);
      const s = w.nodes[1]!.state;
      s.term = term(2);
      // n2 took a heartbeat of term 2 from its leader n1.
      assert.equal(
        w.checker.afterTimer(1, stepOut(), false, { type: 'Heartbeat', from: ids[0]!, to: ids[1]!, term: term(2), commit: logIndex(0), readSeq: 0 }),
        null,
      );
      return { w, s, tick: () => w.checker.afterTimer(1, stepOut(), true) };
    };
    /** n3's vote request of term 3 to n2 (a leadership transfer's, with `transfer`). */
    const voteRequest = (transfer = false): Message => ({
      type: 'RequestVote',
      from: ids[2]!,
      to: ids[1]!,
      term: term(3),
      lastLogIndex: logIndex(0),
      lastLogTerm: term(0),
      ...(transfer ? { transfer: true as const } : {}),
    });
    const preVote: Message = { type: 'PreVote', from: ids[2]!, to: ids[1]!, term: term(3), lastLogIndex: logIndex(0), lastLogTerm: term(0), round: 1 };
    const granted: Message = { type: 'PreVoteResp', from: ids[1]!, to: ids[2]!, term: term(3), granted: true, round: 1 };
    const f = follower();
    const E = f.s.config.electionTicksMin;
    for (let t = 0; t < E - 1; t++) assert.equal(f.tick(), null);
    expectViolation(
      f.w.checker.afterTimer(1, stepOut([granted]), false, preVote),
      'LeaseRespected',
      new RegExp(`n2 granted a pre-vote to n3 ${E - 1} ticks after it last heard from its leader of term 2 \\(the lease lasts ${E}\\)`),
    );
    const late = follower();
    for (let t = 0; t < E; t++) late.tick();
    assert.equal(late.w.checker.afterTimer(1, stepOut([granted]), false, preVote), null, 'the lease is over');
    // With check-quorum, a vote request of a higher term is ignored within the lease.
    const v = follower();
    (v.s.config as { checkQuorum: boolean }).checkQuorum = true;
    v.s.term = term(3);
    expectViolation(
      v.w.checker.afterTimer(1, stepOut(), false, voteRequest()),
      'LeaseRespected',
      /n2 took term 3 from n3's vote request 0 ticks after it last heard from its leader of term 2 \(the lease lasts \d+\), with check-quorum on/,
    );
    // A transfer's vote request is the leader handing over (thesis §3.10): within the lease, fine.
    const handover = follower();
    (handover.s.config as { checkQuorum: boolean }).checkQuorum = true;
    handover.s.term = term(3);
    assert.equal(
      handover.w.checker.afterTimer(1, stepOut(), false, voteRequest(true)),
      null,
      "a leadership transfer's vote request may take the term within the lease",
    );
    const off = follower();
    (off.s.config as { checkQuorum: boolean }).checkQuorum = false;
    off.s.term = term(3);
    assert.equal(off.w.checker.afterTimer(1, stepOut(), false, voteRequest()), null, 'without check-quorum a vote request may take the term');
    // ... but not one from a node outside the configuration (removed, and unaware: thesis §4.2.3).
    const removed = follower();
    (removed.s.config as { checkQuorum: boolean }).checkQuorum = false;
    removed.s.members = { voters: [ids[0]!, ids[1]!], learners: [] };
    removed.s.term = term(3);
    expectViolation(
      removed.w.checker.afterTimer(1, stepOut(), false, voteRequest()),
      'LeaseRespected',
      /n2 took term 3 from n3's vote request 0 ticks after it last heard from its leader of term 2 \(the lease lasts \d+\), a node outside its configuration/,
    );
  },
  CheckQuorum: () => {
    const stepOut = (...reasons: ReasonCode[]): StepOutputs => ({ persist: null, messages: [], applied: [], replies: [], reasons });
    const answer = (k: number): Message => ({ type: 'HeartbeatResp', from: ids[k]!, to: ids[0]!, term: term(1), readSeq: 0 });
    const leader = (): { w: World; s: NodeState; tick: () => Violation | null } => {
      const w = new World(3, ['CheckQuorum']);
      const s = w.nodes[0]!.state;
      (s.config as { checkQuorum: boolean }).checkQuorum = true;
      s.term = term(1);
      s.role = 'leader';
      const probe = (): Progress => probing(1);
      s.progress = new Map([
        [ids[1]!, probe()],
        [ids[2]!, probe()],
      ]);
      assert.equal(w.checker.afterTimer(0, stepOut('election.won'), false), null);
      return { w, s, tick: () => w.checker.afterTimer(0, stepOut('tick'), true) };
    };
    const { w, s, tick } = leader();
    const E = s.config.electionTicksMin;
    for (let t = 0; t < 5 * E; t++) {
      assert.equal(w.checker.afterTimer(0, stepOut('heartbeat.ack'), false, answer(1)), null);
      assert.equal(tick(), null, 'n2 answers every tick: a quorum with the leader');
    }
    // (The last answer came one tick before the loop's last tick.)
    for (let t = 1; t < 2 * E; t++) assert.equal(tick(), null, `no answer for ${t + 1} ticks: the last count may have been just before it went quiet`);
    expectViolation(
      tick(),
      'CheckQuorum',
      new RegExp(
        `n1 still leads term 1 after ${7 * E} ticks, but only 1 of its cluster \\(itself included; a quorum is 2\\) answered it within the last ${2 * E} ticks`,
      ),
    );
    // A leader answered by n2 three ticks ago must not step down at this count.
    const h = leader();
    h.w.checker.afterTimer(0, stepOut('heartbeat.ack'), false, answer(1));
    for (let t = 0; t < 3; t++) h.tick();
    h.s.role = 'follower';
    expectViolation(
      h.w.checker.afterTimer(0, stepOut('leader.step-down.check-quorum'), true),
      'CheckQuorum',
      new RegExp(
        `n1 stepped down as leader of term 1 by check-quorum, but 2 of its cluster \\(itself included; a quorum is 2\\) answered it within the last ${E} ticks`,
      ),
    );
    // One answered E + 1 ticks ago (before the previous count) does not keep it.
    const q = leader();
    q.w.checker.afterTimer(0, stepOut('heartbeat.ack'), false, answer(2));
    for (let t = 0; t < E; t++) q.tick();
    q.s.role = 'follower';
    assert.equal(q.w.checker.afterTimer(0, stepOut('leader.step-down.check-quorum'), true), null);
    // An answer of an older term, or with check-quorum off, counts for nothing.
    const o = leader();
    o.w.checker.afterTimer(0, stepOut('heartbeat.ack'), false, { ...answer(1), term: term(0) });
    for (let t = 0; t < 2 * E; t++) assert.equal(o.tick(), null, 'its first 2E ticks as leader');
    expectViolation(o.tick(), 'CheckQuorum', /only 1 of its cluster/);
    const off = leader();
    (off.s.config as { checkQuorum: boolean }).checkQuorum = false;
    for (let t = 0; t < 5 * E; t++) assert.equal(off.tick(), null);
  },
};
