// Every invariant has a test that builds a violating state and sees it caught (and the healthy
// variant of the same state accepted).
import assert from 'node:assert/strict';
import {
  clientId,
  logIndex,
  makeConfig,
  newNode,
  nodeId,
  term,
  type AppliedEntry,
  type Entry,
  type Message,
  type NodeState,
  type Progress,
  type ReasonCode,
  type Role,
  type Snapshot,
  type StepOutputs,
  step,
} from '../core';
import { Disk } from './disk';
import { loadScenario } from './tracefile';
import { Simulation } from './simulation';
import { DEFAULT_SCENARIO } from './default-scenario';
import { INVARIANT_NAMES, InvariantChecker, type CheckedNode, type InvariantName, type NodeStatus, type StepBefore, type Violation } from './invariants';

const ids = ['n1', 'n2', 'n3', 'n4', 'n5'].map(nodeId);

function entry(index: number, t: number, tag = ''): Entry {
  return tag === ''
    ? { index: logIndex(index), term: term(t), data: { type: 'noop' } }
    : { index: logIndex(index), term: term(t), data: { type: 'command', client: clientId('c'), seq: index, op: { type: 'put', key: 'k', value: tag } } };
}

class Fake implements CheckedNode {
  readonly state: NodeState;
  readonly disk = new Disk();
  status: NodeStatus = 'up';
  constructor(
    readonly id: ReturnType<typeof nodeId>,
    size: number,
    snapshotEntries = 0,
  ) {
    this.state = newNode(makeConfig({ id, peers: ids.slice(0, size), snapshotEntries }));
  }
}

/** A cluster of fakes; `set` changes one node and tells the checker, as a step would. */
class World {
  readonly nodes: Fake[];
  readonly checker: InvariantChecker;
  constructor(size: number, only: InvariantName[] | null = null, snapshotEntries = 0) {
    this.nodes = ids.slice(0, size).map((id) => new Fake(id, size, snapshotEntries));
    this.checker = new InvariantChecker(this.nodes, Math.floor(size / 2) + 1, only);
  }

  set(
    i: number,
    p: {
      log?: Entry[];
      term?: number;
      role?: Role;
      commit?: number;
      durable?: boolean;
      applied?: Entry[];
      appliedAs?: Pick<AppliedEntry, 'result' | 'effect'>;
      snapshot?: Snapshot;
      tick?: boolean;
    },
  ): Violation | null {
    const n = this.nodes[i]!;
    const s = n.state;
    const before: StepBefore = { role: s.role, term: s.term, commit: s.commit, applied: s.applied, lastIndex: s.log.length, tick: p.tick === true };
    let from: number | null = null;
    if (p.log !== undefined) {
      let k = 0;
      while (k < s.log.length && k < p.log.length && JSON.stringify(s.log[k]) === JSON.stringify(p.log[k])) k++;
      from = k + 1;
      s.log = [...p.log];
      if (p.durable !== false) {
        n.disk.write({ hardState: null, log: { from: logIndex(from), entries: p.log.slice(k) } });
        n.disk.sync(Number.MAX_SAFE_INTEGER);
      }
    }
    if (p.term !== undefined) s.term = term(p.term);
    if (p.role !== undefined) s.role = p.role;
    if (p.commit !== undefined) s.commit = logIndex(p.commit);
    if (p.snapshot !== undefined) {
      // Compaction as the core does it: the snapshot, and the log after it.
      s.snapshot = p.snapshot;
      s.log = s.log.slice(p.snapshot.index - s.logStart.index);
      s.logStart = { index: p.snapshot.index, term: p.snapshot.term };
      s.applied = p.snapshot.index;
    }
    // Applying moves the node's applied index to the last entry listed, as the core's step does.
    if (p.applied !== undefined && p.applied.length > 0) s.applied = p.applied[p.applied.length - 1]!.index;
    const out: StepOutputs = {
      persist:
        p.snapshot !== undefined
          ? { hardState: null, log: null, compact: { snapshot: p.snapshot, logStart: s.logStart } }
          : from === null
            ? null
            : { hardState: null, log: { from: logIndex(from), entries: s.log.slice(from - 1) } },
      messages: [],
      // A put's own answer, unless the test says otherwise.
      applied: (p.applied ?? []).map((e) => ({
        index: e.index,
        term: e.term,
        data: e.data,
        ...(p.appliedAs ??
          (e.data.type === 'command' && e.data.op.type === 'put'
            ? { result: { ok: true, value: e.data.op.value }, effect: 'applied' as const }
            : { result: null, effect: 'noop' as const })),
      })),
      replies: [],
      reasons: ['tick'],
    };
    return this.checker.afterStep(i, out, before);
  }
}

function expectViolation(v: Violation | null, invariant: InvariantName, pattern?: RegExp): void {
  assert.ok(v !== null, `expected ${invariant}, got no violation`);
  assert.equal(v.invariant, invariant, v.message);
  if (pattern !== undefined) assert.match(v.message, pattern);
}

const tests: Record<InvariantName, () => void> = {
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
  StateMachineSafety: () => {
    const w = new World(3);
    assert.equal(w.set(0, { log: [entry(1, 1, 'a')], term: 1, applied: [entry(1, 1, 'a')] }), null);
    expectViolation(
      w.set(1, { log: [entry(1, 2, 'b')], term: 2, applied: [entry(1, 2, 'b')] }),
      'StateMachineSafety',
      /n2 applied 1@t2 put k=b .* at index 1, where another node applied a different entry/,
    );
    // The same entry applied with another answer than the state machine's definition gives.
    const r = new World(3);
    const log = [entry(1, 1), entry(2, 1, 'a'), entry(3, 1, 'b')];
    for (const i of [0, 1]) r.set(i, { log, term: 1 });
    assert.equal(r.set(0, { commit: 3, applied: log }), null, 'noop, then two puts answered with their values');
    expectViolation(
      r.set(1, { commit: 2, applied: [entry(2, 1, 'a')], appliedAs: { effect: 'applied', result: { ok: false, value: null } } }),
      'StateMachineSafety',
      /n2 applied 2@t1 put k=a .* at index 2 as applied \{"ok":false,"value":null\}; the state machine's definition, after the 1 entries committed before it, gives applied \{"ok":true,"value":"a"\}/,
    );
    expectViolation(
      r.set(2, { log, term: 1, commit: 3, applied: [entry(2, 1, 'a')], appliedAs: { effect: 'duplicate', result: { ok: true, value: 'a' } } }),
      'StateMachineSafety',
      /as duplicate .* gives applied/,
    );
    // Every entry applied is reported once, in order: an entry left out (here the no-op) is a gap.
    const g = new World(3);
    for (const i of [0, 1]) g.set(i, { log, term: 1 });
    assert.equal(g.set(0, { commit: 3, applied: log }), null);
    expectViolation(
      g.set(1, { commit: 3, applied: [entry(2, 1, 'a'), entry(3, 1, 'b')] }),
      'StateMachineSafety',
      /n2 moved applied from 0 to 3 but its step reported applying index 2 where 1 was next \(it must report 1\.\.3 once, in order\)/,
    );
  },
  ProgressInv: () => {
    // A leader of term 1 over a log of three entries, n2 replicating with two appends in flight.
    const leader = (): { w: World; s: NodeState; pr: Progress } => {
      const w = new World(3, ['ProgressInv']);
      const s = w.nodes[0]!.state;
      w.set(0, { log: [entry(1, 1), entry(2, 1, 'a'), entry(3, 1, 'b')], term: 1 });
      const probe = (): Progress => ({
        match: logIndex(0),
        next: logIndex(4),
        mode: 'probe',
        probeSent: false,
        inflight: [],
        recentActive: false,
        readAck: 0,
        snapshotWait: 0,
      });
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
  CompactionCadence: () => {
    const w = new World(3, null, 2);
    const log = [entry(1, 1), entry(2, 1, 'a'), entry(3, 1, 'b')];
    for (const i of [0, 1]) w.set(i, { log, term: 1 });
    assert.equal(w.set(0, { commit: 1, applied: [entry(1, 1)] }), null, 'one applied entry past no snapshot: under 2');
    expectViolation(
      w.set(0, { commit: 2, applied: [entry(2, 1, 'a')] }),
      'CompactionCadence',
      /n1 has applied 2 entries past its snapshot at 0 \(applied 2\) without compacting; it snapshots every 2/,
    );
    const ok = new World(3, null, 2);
    for (const i of [0, 1]) ok.set(i, { log, term: 1 });
    assert.equal(ok.set(0, { commit: 2 }), null);
    assert.equal(
      ok.set(0, { snapshot: { index: logIndex(2), term: term(1), data: [['k', 'a']], sessions: [[clientId('c'), 2, { ok: true, value: 'a' }]] } }),
      null,
      'compacted at 2: nothing applied past it',
    );
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
      v.w.checker.afterTimer(1, stepOut(), false, {
        type: 'RequestVote',
        from: ids[2]!,
        to: ids[1]!,
        term: term(3),
        lastLogIndex: logIndex(0),
        lastLogTerm: term(0),
      }),
      'LeaseRespected',
      /n2 took term 3 from n3's vote request 0 ticks after it last heard from its leader of term 2 \(the lease lasts \d+\), with check-quorum on/,
    );
    const off = follower();
    (off.s.config as { checkQuorum: boolean }).checkQuorum = false;
    off.s.term = term(3);
    assert.equal(
      off.w.checker.afterTimer(1, stepOut(), false, {
        type: 'RequestVote',
        from: ids[2]!,
        to: ids[1]!,
        term: term(3),
        lastLogIndex: logIndex(0),
        lastLogTerm: term(0),
      }),
      null,
      'without check-quorum a vote request may take the term',
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
      const probe = (): Progress => ({
        match: logIndex(0),
        next: logIndex(1),
        mode: 'probe',
        probeSent: false,
        inflight: [],
        recentActive: false,
        readAck: 0,
        snapshotWait: 0,
      });
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
      /n1 committed up to 3, but only 0 node\(s\) hold it on a synced disk \(a quorum is 2\)/,
    );
    // Long enough is not enough: n2's disk holds a stale entry of term 1 where term 2's was committed.
    const w2 = new World(3);
    w2.set(1, { log: [...log, entry(3, 1, 'stale')], term: 1 });
    const t2 = [...log, entry(3, 2, 'new')];
    expectViolation(
      w2.set(0, { log: t2, term: 2, commit: 3, durable: false }),
      'CommittedOnQuorumInv',
      /n1 committed up to 3, but only 0 node\(s\) hold it on a synced disk/,
    );
  },
  CompactionInv: () => {
    const w = new World(3, null, 2);
    const log = [entry(1, 1), entry(2, 1, 'a'), entry(3, 1, 'b')];
    w.set(1, { log, term: 1 });
    assert.equal(w.set(0, { log, term: 1, commit: 2 }), null);
    const snap = (index: number, data: [string, string][]): Snapshot => ({
      index: logIndex(index),
      term: term(1),
      data,
      sessions: index >= 2 ? [[clientId('c'), index, { ok: true, value: data[0]?.[1] ?? null }]] : [],
    });
    expectViolation(w.set(1, { snapshot: snap(3, [['k', 'b']]) }), 'CompactionInv', /n2 has a snapshot at 3 .* but only 2 entries are committed/);
  },
  SnapshotInv: () => {
    const w = new World(3, null, 2);
    const log = [entry(1, 1), entry(2, 1, 'a'), entry(3, 1, 'b')];
    w.set(1, { log, term: 1 });
    assert.equal(w.set(0, { log, term: 1, commit: 3 }), null);
    const session = (seq: number, value: string): Snapshot['sessions'][number] => [clientId('c'), seq, { ok: true, value }];
    assert.equal(
      w.set(0, { snapshot: { index: logIndex(2), term: term(1), data: [['k', 'a']], sessions: [session(2, 'a')] } }),
      null,
      'the state machine after entry 2',
    );
    expectViolation(
      w.set(1, { snapshot: { index: logIndex(3), term: term(1), data: [['k', 'a']], sessions: [session(3, 'b')] } }),
      'SnapshotInv',
      /n2's snapshot at 3 holds k=a, not the state machine after the committed log up to 3/,
    );
    expectViolation(
      w.set(2, { snapshot: { index: logIndex(3), term: term(2), data: [['k', 'b']], sessions: [session(3, 'b')] } }),
      'SnapshotInv',
      /n3's snapshot at 3 says term 2; the committed entry there is 3@t1/,
    );
  },
  BacktrackHint: () => {
    const w = new World(3, ['BacktrackHint']);
    // A follower n2 of term 3 holding 1@t1 2@t2 3@t2 4@t2, committed to 1.
    const f = w.nodes[1]!.state;
    f.term = term(3);
    f.log = [entry(1, 1), entry(2, 2), entry(3, 2), entry(4, 2)];
    f.commit = logIndex(1);
    f.applied = logIndex(1);
    const append = (prev: number, prevTerm: number): Extract<Message, { type: 'AppendEntries' }> => ({
      type: 'AppendEntries',
      from: ids[0]!,
      to: ids[1]!,
      term: term(3),
      prevLogIndex: logIndex(prev),
      prevLogTerm: term(prevTerm),
      entries: [],
      commit: logIndex(1),
    });
    const take = (i: number, m: Message): StepOutputs => step(w.nodes[i]!.state, { type: 'receive', message: m }).outputs;
    // The real core's refusals pass: a term mismatch at 4 (term 2 there, its run from 2), and a gap at 7.
    const mismatch = append(4, 3);
    const refusal = take(1, mismatch);
    assert.deepEqual(
      refusal.messages.map((m) => (m.type === 'AppendEntriesResp' && !m.success ? [m.rejectedIndex, m.conflictTerm, m.conflictIndex] : m.type)),
      [[4, 2, 2]],
    );
    assert.equal(w.checker.afterAppendExchange(1, refusal, mismatch), null);
    const gap = append(7, 3);
    const gapOut = take(1, gap);
    assert.equal(w.checker.afterAppendExchange(1, gapOut, gap), null);
    // Hints that are off by one entry, or that name another index, fail.
    const doctor = (out: StepOutputs, fields: Record<string, number>): StepOutputs => ({
      ...out,
      messages: out.messages.map((m) => ({ ...m, ...fields }) as Message),
    });
    expectViolation(
      w.checker.afterAppendExchange(1, doctor(refusal, { conflictIndex: 3 }), mismatch),
      'BacktrackHint',
      /n2 refused n1's append after index 4 with the hint term 2, index 3, but it holds term 2 there, that term's run starting at 2 \(above its commit 1\): the hint should be term 2, index 2/,
    );
    expectViolation(
      w.checker.afterAppendExchange(1, doctor(gapOut, { conflictIndex: 4 }), gap),
      'BacktrackHint',
      /it holds no entry there \(its log ends at 4\): the hint should be term 0, index 5/,
    );
    expectViolation(
      w.checker.afterAppendExchange(1, doctor(refusal, { rejectedIndex: 3 }), mismatch),
      'BacktrackHint',
      /n2 refused n1's append after index 4 but named index 3/,
    );
    // A refusal of a stale term only names the index.
    f.term = term(4);
    const stale = take(1, mismatch);
    assert.equal(w.checker.afterAppendExchange(1, doctor(stale, { conflictIndex: 9 }), mismatch), null);

    // The leader n1 of term 3 holding 1@t1 2@t1 3@t2 4@t3 5@t3, probing n2 (known to hold 1) at 5.
    const l = w.nodes[0]!.state;
    l.term = term(3);
    l.role = 'leader';
    l.leader = ids[0]!;
    l.log = [entry(1, 1), entry(2, 1), entry(3, 2), entry(4, 3), entry(5, 3)];
    l.commit = logIndex(1);
    l.applied = logIndex(1);
    l.selfMatch = logIndex(5);
    const pr = (match: number, next: number): Progress => ({
      match: logIndex(match),
      next: logIndex(next),
      mode: 'probe',
      probeSent: true,
      inflight: [],
      recentActive: true,
      readAck: 0,
      snapshotWait: 0,
    });
    l.progress = new Map([
      [ids[1]!, pr(1, 5)],
      [ids[2]!, pr(5, 6)],
    ]);
    const refused = {
      type: 'AppendEntriesResp',
      from: ids[1]!,
      to: ids[0]!,
      term: term(3),
      success: false,
      rejectedIndex: logIndex(4),
      conflictIndex: logIndex(2),
      conflictTerm: term(2),
    } as const;
    // Its last entry of term 2 is 3: the core probes from 4 (after 3), and passes.
    const probe = take(0, refused);
    assert.deepEqual(
      probe.messages.map((m) => (m.type === 'AppendEntries' ? m.prevLogIndex : m.type)),
      [3],
    );
    assert.equal(w.checker.afterAppendExchange(0, probe, refused), null);
    expectViolation(
      w.checker.afterAppendExchange(0, doctor(probe, { prevLogIndex: 1 }), refused),
      'BacktrackHint',
      /n1 took n2's refusal of index 4 \(hint term 2, index 2\) and probed from 2, but its own last entry of term 2 is 3 and n2 is known to hold 1: the probe should start at 4/,
    );
    // A term the leader never held: the hint index stands (here below the match, so just above it).
    l.progress.set(ids[1]!, pr(2, 5));
    const unknown = { ...refused, conflictTerm: term(9), conflictIndex: logIndex(1) };
    const fromMatch = take(0, unknown);
    assert.equal(w.checker.afterAppendExchange(0, fromMatch, unknown), null);
    expectViolation(
      w.checker.afterAppendExchange(0, doctor(fromMatch, { prevLogIndex: 1 }), unknown),
      'BacktrackHint',
      /it holds no entry of term 9 up to 4, so the hint index 1 stands and n2 is known to hold 2: the probe should start at 3/,
    );
  },
  LeaderHint: () => {
    const w = new World(3, ['LeaderHint']);
    const f = w.nodes[1]!.state;
    f.term = term(2);
    const request = { client: clientId('c1'), seq: 1, op: { type: 'get', key: 'k' } } as const;
    const forward: Message = { type: 'ClientForward', from: ids[2]!, to: ids[1]!, term: term(0), request };
    const take = (m: Message): StepOutputs => step(f, { type: 'receive', message: m }).outputs;
    const hinted = (out: StepOutputs, hint: string | null): StepOutputs => ({
      ...out,
      messages: out.messages.map(
        (m) => (m.type === 'ClientForwardReply' ? { ...m, reply: { ...m.reply, outcome: { status: 'not-leader', leaderHint: hint } } } : m) as Message,
      ),
    });
    // n2 follows n1: a request relayed to it by n3 is turned away towards n1 (the real core's answer passes).
    f.leader = ids[0]!;
    const away = take(forward);
    assert.deepEqual(
      away.messages.map((m) => (m.type === 'ClientForwardReply' ? m.reply.outcome : m.type)),
      [{ status: 'not-leader', leaderHint: ids[0] }],
    );
    assert.equal(w.checker.afterClientAnswers(1, away, forward), null);
    expectViolation(
      w.checker.afterClientAnswers(1, hinted(away, null), forward),
      'LeaderHint',
      /n2 turned n3's client away with the hint none, but after that step it follows n1/,
    );
    expectViolation(
      w.checker.afterClientAnswers(1, hinted(away, ids[1]!), forward),
      'LeaderHint',
      /n2 turned n3's client away with the hint n2, but after that step it follows n1/,
    );
    // Following nobody, it answers its own client with no hint; a made-up one fails.
    f.leader = null;
    const alone = step(f, { type: 'clientRequest', request }).outputs;
    assert.deepEqual(
      alone.replies.map((r) => r.outcome),
      [{ status: 'not-leader', leaderHint: null }],
    );
    assert.equal(w.checker.afterClientAnswers(1, alone, null), null);
    const madeUp: StepOutputs = { ...alone, replies: alone.replies.map((r) => ({ ...r, outcome: { status: 'not-leader', leaderHint: ids[2]! } })) };
    expectViolation(
      w.checker.afterClientAnswers(1, madeUp, null),
      'LeaderHint',
      /n2 turned its client away with the hint n3, but after that step it follows no leader/,
    );
    // A relay passes the leader's words on unjudged.
    const relayed: Message = {
      type: 'ClientForwardReply',
      from: ids[0]!,
      to: ids[1]!,
      term: term(0),
      reply: { client: request.client, seq: 1, outcome: { status: 'not-leader', leaderHint: ids[2]! } },
    };
    assert.equal(w.checker.afterClientAnswers(1, take(relayed), relayed), null);
  },
  QuietLeader: () => {
    // Real runs of the default scenario, tampered with once the settle window opens. (Seed 1 converges
    // and settles; the check passes untouched.)
    const s = loadScenario(DEFAULT_SCENARIO, 'default.raftsim');
    assert.equal(new Simulation(s, 1).run().verdict, 'ok');
    const settle = (): { sim: Simulation; leader: NodeState } => {
      const sim = new Simulation(s, 1);
      while (sim.settled === null) assert.ok(sim.step(), 'the run must reach its settle window');
      return { sim, leader: sim.nodes[sim.settled.leader]!.state };
    };
    // A leader that appends an entry nobody asked for sends it on the next heartbeat answer.
    const busy = settle();
    const last = busy.leader.log.length + busy.leader.logStart.index;
    busy.leader.log.push({ index: logIndex(last + 1), term: busy.leader.term, data: { type: 'noop' } });
    const r1 = busy.sim.run();
    assert.equal(r1.verdict, 'liveness');
    expectViolation(
      (r1.violation ?? null) as Violation | null,
      'QuietLeader',
      new RegExp(
        `with every follower holding n\\d's whole log \\(${last}\\), and no client asked for anything since, yet n\\d sent n\\d entries ${last + 1}\\.\\.${last + 1}`,
      ),
    );
    // A leader that skips heartbeats: too few reach each follower over the window.
    const skips = settle();
    skips.leader.heartbeatElapsed = -4;
    const r2 = skips.sim.run();
    assert.equal(r2.verdict, 'liveness');
    expectViolation(
      (r2.violation ?? null) as Violation | null,
      'QuietLeader',
      /over the settle window's (\d+) ticks of n\d, with a heartbeat every 1 tick, n\d should have got \1 heartbeats, but n\d sent it \d+/,
    );
  },
};

describe('invariants', () => {
  for (const name of INVARIANT_NAMES) it(`catches a violation of ${name}`, tests[name]);

  it('reports only the invariants a scenario asked for', () => {
    const w = new World(3);
    const checker = new InvariantChecker(w.nodes, 2, ['LogInv']);
    const bad: Message = { type: 'Heartbeat', from: ids[0]!, to: ids[1]!, term: term(3), commit: logIndex(0), readSeq: 0 };
    assert.equal(checker.onSend(0, bad, term(2)), null);
  });

  it('counts a node whose ack arrives after its disk rotted and it refused to start (seed 6094 of the default scenario)', () => {
    // The history as it happened: n2 syncs entry 3 and acks; n2 crashes, the crash rots a record of
    // its synced disk, so it refuses to start; then the ack reaches the leader n1, which commits 3.
    // n3 never got it. Two disks held entry 3 when they acked — n2's still holds it, one record
    // garbled — and n2 will never vote again, so no quorum without entry 3 can form.
    const w = new World(3);
    const log = [entry(1, 1), entry(2, 1, 'a')];
    for (const i of [0, 1, 2]) w.set(i, { log, term: 1 });
    assert.equal(w.set(0, { commit: 2 }), null);
    const more = [...log, entry(3, 1, 'b')];
    w.set(1, { log: more, term: 1 });
    w.set(0, { log: more, term: 1 });
    const n2 = w.nodes[1]!;
    n2.disk.crash({ intIn: () => 0, chance: () => false } as never, 0);
    assert.match(n2.disk.corrupt({ int: () => 2 } as never), /entry 3/);
    assert.equal(n2.disk.recover().ok, false, 'n2 refuses to start');
    n2.status = 'dead';
    assert.equal(w.checker.afterDeath(1), null);
    assert.equal(w.set(0, { commit: 3 }), null, 'n1 and n2 held entry 3 synced when they acked');
  });

  it('ignores a node that refused to start after disk corruption', () => {
    const w = new World(3);
    const a = [entry(1, 1), entry(2, 1, 'a')];
    w.set(0, { log: a, term: 1 });
    w.set(1, { log: a, term: 1 });
    assert.equal(w.set(0, { commit: 2 }), null);
    w.nodes[1]!.status = 'dead';
    assert.equal(w.checker.afterDeath(1), null, 'n1 and n3 are the only possible quorum, and n1 has everything');
  });
});

describe("the simulator's oracles beyond the invariants", () => {
  it('a malformed message or client answer from the core fails the run, as a peer would refuse it', () => {
    const s = loadScenario('nodes 3\nworkload clients=1 keys=1\nsafety 1s\nliveness 2s', 'shape.raftsim');
    type Releases = { release(n: unknown, messages: readonly unknown[], replies: readonly unknown[]): void };
    const sim = new Simulation(s, 1);
    while (sim.steps < 50) sim.step();
    (sim as unknown as Releases).release(sim.nodes[0], [{ type: 'AppendEntriesResp', from: 'n1', to: 'n2', term: 1, success: true }], []);
    assert.equal(sim.outcome?.verdict, 'crash');
    assert.equal(sim.outcome?.violation?.invariant, 'malformed-output');
    assert.match(sim.outcome?.violation?.message ?? '', /n1 sent a malformed message \(AppendEntriesResp with a bad "matchIndex"\)/);
    const other = new Simulation(s, 1);
    while (other.steps < 50) other.step();
    (other as unknown as Releases).release(other.nodes[1], [], [{ client: 'c1', seq: 1, outcome: { status: 'ok', result: {} } }]);
    assert.match(other.outcome?.violation?.message ?? '', /n2 answered a client with a malformed reply/);
  });

  it('after converging, the cluster must stay converged for one election timeout on the quiet network', () => {
    const text = 'nodes 3\nworkload clients=1 keys=1\nswarm off\nsafety 1s\nliveness 2s';
    const clean = new Simulation(loadScenario(text, 'quiet.raftsim'), 3, { record: true });
    const r = clean.run();
    assert.equal(r.verdict, 'ok', r.violation?.message);
    const last = clean.trace.steps!.at(-1)!;
    assert.equal(last.kind, 'settled');
    assert.match(last.text, /settle window over: the cluster stayed converged since/);
    assert.ok(clean.settled !== null && last.time - clean.settled.sinceUs >= 200_000, 'a window of at least one election timeout (20 ticks of 10ms)');
    // A leader that never counts its followers' answers steps down at its next check-quorum round:
    // the settle window sees it (with the CheckQuorum invariant off, which sees it first).
    const others = INVARIANT_NAMES.filter((n) => n !== 'CheckQuorum').join(' ');
    const bug = new Simulation(loadScenario(`${text}\nbugs check-quorum-ignores-acks\ncheck ${others}`, 'quiet.raftsim'), 3).run();
    assert.equal(bug.verdict, 'liveness');
    assert.match(bug.violation?.message ?? '', /converged at .* with leader n\d in term \d+, then .* later on a quiet network: the leader n\d stepped down/);
    const caught = new Simulation(loadScenario(`${text}\nbugs check-quorum-ignores-acks`, 'quiet.raftsim'), 3).run();
    assert.equal(caught.verdict, 'liveness');
    assert.equal(caught.violation?.invariant, 'CheckQuorum');
    assert.match(
      caught.violation?.message ?? '',
      /n\d stepped down as leader of term \d+ by check-quorum, but 3 of its cluster \(itself included; a quorum is 2\) answered it within the last 10 ticks/,
    );
  });
});

describe('the settle window and faults in the liveness phase', () => {
  it('a fault forked in after convergence (the debugger) restarts the wait: converge again, then settle', () => {
    const s = loadScenario('nodes 3\nworkload clients=1 keys=1\nswarm off\nsafety 1s\nliveness 3s', 'quiet.raftsim');
    const sim = new Simulation(s, 3, { record: true });
    while (sim.settled === null) assert.ok(sim.step());
    const first = sim.settled.sinceUs;
    const follower = sim.nodes.findIndex((n) => n.status === 'up' && n.state.role !== 'leader');
    assert.ok(sim.fork({ kind: 'crash', node: follower }));
    while (sim.nodes[follower]!.status === 'up') assert.ok(sim.step());
    for (let k = 0; k < 5; k++) sim.step();
    assert.ok(sim.fork({ kind: 'restart', node: follower }));
    const r = sim.run();
    assert.equal(r.verdict, 'ok', r.violation?.message);
    assert.ok(sim.settled!.sinceUs > first, 'converged again after the restart');
    assert.equal(sim.trace.steps!.filter((x) => x.kind === 'settled').length, 1, 'the first window was cancelled');
  });
});
