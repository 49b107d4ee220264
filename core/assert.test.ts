// Every node invariant of assert.ts has a test that breaks it and sees the typed error.
import assert from 'node:assert/strict';
import { NODE_INVARIANTS, RaftAssertionError, type NodeInvariant } from './assert';
import { makeConfig } from './config';
import { lastIndex } from './log';
import { newNode, StepContext, type NodeState } from './state';
import { checkStep, step } from './step';
import { MemoryCluster } from './memory-cluster';
import { clientId, logIndex, nodeId, term, type Entry, type Message } from './types';

const n1 = nodeId('n1');
const n2 = nodeId('n2');
const n3 = nodeId('n3');

function throwsInvariant(invariant: NodeInvariant, fn: () => unknown): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof RaftAssertionError, `expected RaftAssertionError, got ${String(e)}`);
    assert.equal(e.invariant, invariant);
    assert.match(e.message, new RegExp(`invariant ${invariant} violated`));
    return true;
  });
}

/** A three-node cluster whose n1 is the leader of term 1 with the no-op committed everywhere. */
function electedCluster(): MemoryCluster {
  const c = new MemoryCluster({ size: 3 });
  while (c.node(n1).role !== 'leader') {
    c.tick(n1);
    c.stabilize();
  }
  c.tick(n1);
  c.stabilize();
  return c;
}

function follower(log: Entry[], t: number, commit: number): NodeState {
  const n = newNode(makeConfig({ id: n2, peers: [n1, n2, n3] }));
  n.term = term(t);
  n.log = log;
  n.commit = logIndex(commit);
  n.applied = logIndex(commit);
  return n;
}

const noop = (index: number, t: number): Entry => ({ index: logIndex(index), term: term(t), data: { type: 'noop' } });
const append = (t: number, prev: number, prevTerm: number, entries: Entry[], commit = 0): Message => ({
  type: 'AppendEntries',
  from: n1,
  to: n2,
  term: term(t),
  prevLogIndex: logIndex(prev),
  prevLogTerm: term(prevTerm),
  entries,
  commit: logIndex(commit),
});

const tests: Record<NodeInvariant, () => void> = {
  'commit-within-log': () => {
    const n = follower([noop(1, 1)], 1, 0);
    throwsInvariant('commit-within-log', () =>
      step(n, { type: 'receive', message: { type: 'Heartbeat', from: n1, to: n2, term: term(1), commit: logIndex(5), readSeq: 0 } }),
    );
  },
  'applied-within-commit': () => {
    const n = follower([noop(1, 1), noop(2, 1)], 1, 1);
    n.applied = logIndex(2);
    throwsInvariant('applied-within-commit', () => step(n, { type: 'tick' }));
  },
  'commit-monotonic': () => {
    const n = follower([noop(1, 1), noop(2, 1)], 1, 2);
    const ctx = new StepContext(n);
    n.commit = logIndex(1);
    n.applied = logIndex(1);
    throwsInvariant('commit-monotonic', () => checkStep(n, ctx, false));
  },
  'term-monotonic': () => {
    const n = follower([], 3, 0);
    const ctx = new StepContext(n);
    n.term = term(2);
    throwsInvariant('term-monotonic', () => checkStep(n, ctx, false));
  },
  'one-vote-per-term': () => {
    const n = follower([], 3, 0);
    n.vote = n1;
    const ctx = new StepContext(n);
    n.vote = n3;
    throwsInvariant('one-vote-per-term', () => checkStep(n, ctx, false));
  },
  'no-truncate-committed': () => {
    // A leader of term 2 claims a different entry at an index this follower has committed.
    const n = follower([noop(1, 1), noop(2, 1)], 2, 2);
    throwsInvariant('no-truncate-committed', () => step(n, { type: 'receive', message: append(2, 1, 1, [noop(2, 2)]) }));
    const m = follower([noop(1, 1), noop(2, 1)], 2, 2);
    throwsInvariant('no-truncate-committed', () => step(m, { type: 'receive', message: append(2, 2, 2, []) }));
  },
  'leader-append-only': () => {
    const c = electedCluster();
    const n = c.node(n1);
    const ctx = new StepContext(n);
    ctx.markLogWritten(logIndex(1));
    throwsInvariant('leader-append-only', () => checkStep(n, ctx, false));
  },
  'log-contiguous': () => {
    const n = follower([], 1, 0);
    throwsInvariant('log-contiguous', () => step(n, { type: 'receive', message: append(1, 0, 0, [noop(2, 1)]) }));
  },
  'log-terms-valid': () => {
    const n = follower([], 1, 0);
    throwsInvariant('log-terms-valid', () => step(n, { type: 'receive', message: append(1, 0, 0, [noop(1, 5)]) }));
    const m = follower([noop(1, 1)], 3, 0);
    throwsInvariant('log-terms-valid', () => step(m, { type: 'receive', message: append(3, 1, 1, [noop(2, 3), noop(3, 2)]) }));
  },
  'one-leader-per-term': () => {
    const c = electedCluster();
    const msg: Message = {
      type: 'AppendEntries',
      from: n2,
      to: n1,
      term: term(1),
      prevLogIndex: logIndex(0),
      prevLogTerm: term(0),
      entries: [],
      commit: logIndex(0),
    };
    throwsInvariant('one-leader-per-term', () => step(c.node(n1), { type: 'receive', message: msg }));
  },
  'message-addressed-here': () => {
    const n = follower([], 1, 0);
    throwsInvariant('message-addressed-here', () => step(n, { type: 'receive', message: { ...append(1, 0, 0, []), to: n3 } }));
  },
  'proposal-matches-entry': () => {
    const c = electedCluster();
    c.request(n1, { client: clientId('c1'), seq: 1, op: { type: 'put', key: 'x', value: '1' } });
    const leader = c.node(n1);
    const [index, p] = [...leader.proposals][0]!;
    leader.proposals.set(index, { ...p, request: { ...p.request, seq: 99 } });
    throwsInvariant('proposal-matches-entry', () => c.stabilize());
  },
  'leader-knows-itself': () => {
    const c = electedCluster();
    c.node(n1).leader = n2;
    throwsInvariant('leader-knows-itself', () => c.tick(n1));
  },
  'progress-for-every-peer': () => {
    const leader = electedCluster().node(n1);
    leader.progress.delete(n3);
    throwsInvariant('progress-for-every-peer', () =>
      step(leader, {
        type: 'receive',
        message: { type: 'AppendEntriesResp', from: n3, to: n1, term: leader.term, success: true, matchIndex: lastIndex(leader) },
      }),
    );
  },
  'self-ack-within-log': () => {
    const leader = electedCluster().node(n1);
    const beyond = logIndex(lastIndex(leader) + 5);
    throwsInvariant('self-ack-within-log', () =>
      step(leader, { type: 'receive', message: { type: 'AppendEntriesResp', from: n1, to: n1, term: leader.term, success: true, matchIndex: beyond } }),
    );
  },
  'ack-within-log': () => {
    const leader = electedCluster().node(n1);
    const beyond = logIndex(lastIndex(leader) + 5);
    throwsInvariant('ack-within-log', () =>
      step(leader, { type: 'receive', message: { type: 'AppendEntriesResp', from: n2, to: n1, term: leader.term, success: true, matchIndex: beyond } }),
    );
  },
  'next-within-log': () => {
    const leader = electedCluster().node(n1);
    leader.progress.get(n2)!.next = logIndex(lastIndex(leader) + 5);
    throwsInvariant('next-within-log', () =>
      step(leader, { type: 'clientRequest', request: { client: clientId('c1'), seq: 1, op: { type: 'put', key: 'x', value: '1' } } }),
    );
  },
  'snapshot-covers-log-start': () => {
    const leader = electedCluster().node(n1);
    // n2 needs entry 1, which the leader claims to have compacted, with no snapshot to send instead.
    const pr = leader.progress.get(n2)!;
    pr.next = logIndex(1);
    leader.log = leader.log.slice(1);
    leader.logStart = { index: logIndex(1), term: term(1) };
    leader.snapshot = null;
    throwsInvariant('snapshot-covers-log-start', () =>
      step(leader, { type: 'clientRequest', request: { client: clientId('c1'), seq: 1, op: { type: 'put', key: 'x', value: '1' } } }),
    );
  },
  'inflight-within-limit': () => {
    const c = electedCluster();
    const pr = c.node(n1).progress.get(n2)!;
    pr.mode = 'probe';
    pr.inflight = [logIndex(1)];
    throwsInvariant('inflight-within-limit', () => c.tick(n1));
  },
  'transferee-is-a-follower': () => {
    const c = electedCluster();
    c.node(n2).transferee = n3; // a follower that thinks it hands leadership over
    throwsInvariant('transferee-is-a-follower', () => c.tick(n2));
    const d = electedCluster();
    d.node(n1).transferee = n1; // a leader handing over to itself
    throwsInvariant('transferee-is-a-follower', () => d.tick(n1));
  },
};

describe('node assertions', () => {
  for (const invariant of Object.keys(NODE_INVARIANTS) as NodeInvariant[]) {
    it(`${invariant}: ${NODE_INVARIANTS[invariant]}`, tests[invariant]);
  }

  it('a healthy cluster trips none of them', () => {
    const c = electedCluster();
    for (let i = 1; i <= 20; i++) {
      c.request(c.ids[i % 3]!, { client: clientId('c1'), seq: i, op: { type: 'append', key: 'k', value: String(i % 10) } });
      c.stabilize();
      for (const id of c.ids) c.tick(id);
      c.stabilize();
    }
    assert.equal(c.node(n3).kv.data.get('k'), '12345678901234567890');
  });
});
