// The contract of step(): ownership, outputs as data, persist-before-send, restart, determinism.
import assert from 'node:assert/strict';
import { makeConfig } from './config';
import { cloneNode, newNode } from './state';
import { mayLeaveBeforePersist, step } from './step';
import { MemoryCluster } from './memory-cluster';
import { clientId, logIndex, nodeId, term, type Message, type MessageType, type StepOutputs } from './types';

const [n1, n2, n3] = ['n1', 'n2', 'n3'].map(nodeId) as [ReturnType<typeof nodeId>, ReturnType<typeof nodeId>, ReturnType<typeof nodeId>];

function tickUntil(c: MemoryCluster, id: typeof n1, pred: (o: StepOutputs) => boolean): StepOutputs {
  for (let i = 0; i < 100; i++) {
    const out = c.tick(id);
    if (pred(out)) return out;
  }
  throw new Error('condition never met');
}

describe('step', () => {
  it('returns the state it was given, and outputs that do not alias it', () => {
    const node = newNode(makeConfig({ id: n1, peers: [n1] }));
    let out: StepOutputs | undefined;
    for (let i = 0; i < 30 && node.role !== 'leader'; i++) {
      const r = step(node, { type: 'tick' });
      assert.equal(r.state, node);
      out = r.outputs;
    }
    assert.equal(node.role, 'leader');
    assert.ok(out?.persist?.log);
    const persisted = out.persist.log.entries;
    node.log.push({ term: term(9), index: logIndex(99), data: { type: 'noop' } });
    assert.equal(persisted.length, 1, 'persisted entries must be a copy');
  });

  it('a single-node cluster commits a write once its own disk has it (self-ack)', () => {
    const node = newNode(makeConfig({ id: n1, peers: [n1] }));
    while (node.role !== 'leader') step(node, { type: 'tick' });
    const request = { client: clientId('c'), seq: 1, op: { type: 'put', key: 'k', value: 'v' } } as const;
    const proposed = step(node, { type: 'clientRequest', request }).outputs;
    assert.deepEqual(
      proposed.persist?.log?.entries.map((e) => e.index),
      [2],
    );
    assert.deepEqual(proposed.replies, [], 'nothing is committed before the entry is durable');
    const selfAck = proposed.messages.find((m) => m.to === n1);
    assert.deepEqual(selfAck, { type: 'AppendEntriesResp', from: n1, to: n1, term: node.term, success: true, matchIndex: 2 });
    const { outputs } = step(node, { type: 'receive', message: selfAck! });
    assert.deepEqual(outputs.reasons, ['append.self-ack', 'commit.advance', 'apply', 'client.reply']);
    assert.deepEqual(outputs.replies, [{ client: 'c', seq: 1, outcome: { status: 'ok', result: { ok: true, value: 'v' } } }]);
  });

  it('every step that sends a vote or an acknowledgement persists what it promises first', () => {
    const c = new MemoryCluster({ size: 3 });
    const checked: string[] = [];
    c.onStep = (id, _input, out) => {
      for (const m of out.messages) {
        if ((m.type === 'RequestVoteResp' && m.granted) || m.type === 'RequestVote') {
          // the vote (ours or for ourselves) must already be on disk when the message leaves
          assert.equal(c.disks.get(id)!.vote, m.type === 'RequestVote' ? id : m.to);
          checked.push(m.type);
        }
        if (m.type === 'AppendEntriesResp' && m.success) {
          assert.ok(c.disks.get(id)!.log.length >= m.matchIndex, `${id} acknowledged ${m.matchIndex} before persisting it`);
          checked.push(m.type);
        }
      }
    };
    tickUntil(c, n1, (o) => o.reasons.includes('election.timeout'));
    c.stabilize();
    c.request(n1, { client: clientId('c'), seq: 1, op: { type: 'put', key: 'k', value: 'v' } });
    c.stabilize();
    assert.ok(checked.includes('RequestVote') && checked.includes('RequestVoteResp') && checked.includes('AppendEntriesResp'));
  });

  it("lets only a leader's appends, heartbeats and snapshots to another node leave before its writes are durable", () => {
    // Thesis §10.2.1: the leader may send its entries while it writes them; every message that
    // claims something durable (an acknowledgement, a granted vote, a client's answer) waits.
    const early = new Set<MessageType>(['AppendEntries', 'Heartbeat', 'InstallSnapshot']);
    const types: MessageType[] = [
      'PreVote',
      'PreVoteResp',
      'RequestVote',
      'RequestVoteResp',
      'AppendEntries',
      'AppendEntriesResp',
      'InstallSnapshot',
      'Heartbeat',
      'HeartbeatResp',
      'ClientForward',
      'ClientForwardReply',
    ];
    for (const type of types) {
      assert.equal(mayLeaveBeforePersist({ type, from: n1, to: n2 } as Message), early.has(type), `${type} to another node`);
      assert.equal(mayLeaveBeforePersist({ type, from: n1, to: n1 } as Message), false, `${type} to itself`);
    }
  });

  it('ignores answers from nodes outside the configuration, and answers anyone asking for a vote', () => {
    const node = newNode(makeConfig({ id: n1, peers: [n1, n2, n3] }));
    const n9 = nodeId('n9');
    const ignored = step(node, { type: 'receive', message: { type: 'HeartbeatResp', from: n9, to: n1, term: term(5), readSeq: 0 } }).outputs;
    assert.deepEqual(ignored.reasons, ['ignore.unknown-sender']);
    assert.equal(node.term, 0);
    assert.equal(ignored.messages.length, 0);
    // Configurations differ while a change spreads: a voter this node does not know yet must get its vote.
    const vote = step(node, {
      type: 'receive',
      message: { type: 'RequestVote', from: n9, to: n1, term: term(5), lastLogIndex: logIndex(0), lastLogTerm: term(0) },
    }).outputs;
    assert.deepEqual(vote.reasons, ['term.adopt', 'vote.granted']);
    // But a node outside the configuration is held to the lease even with check-quorum off (thesis §4.2.3).
    const led = newNode(makeConfig({ id: n1, peers: [n1, n2, n3], checkQuorum: false }));
    step(led, { type: 'receive', message: { type: 'Heartbeat', from: n2, to: n1, term: term(1), commit: logIndex(0), readSeq: 0 } });
    const lease = step(led, {
      type: 'receive',
      message: { type: 'RequestVote', from: n9, to: n1, term: term(5), lastLogIndex: logIndex(0), lastLogTerm: term(0) },
    }).outputs;
    assert.deepEqual(lease.reasons, ['vote.ignore.in-lease']);
    assert.equal(led.term, 1);
  });

  it('restart keeps only durable state and rebuilds the rest', () => {
    const c = new MemoryCluster({ size: 3 });
    tickUntil(c, n1, (o) => o.reasons.includes('election.timeout'));
    c.stabilize();
    c.request(n2, { client: clientId('c'), seq: 1, op: { type: 'put', key: 'k', value: 'v' } });
    c.stabilize();
    const before = c.node(n1);
    assert.equal(before.role, 'leader');
    c.crash(n1);
    c.restart(n1);
    const after = c.node(n1);
    assert.equal(after.role, 'follower');
    assert.equal(after.leader, null);
    assert.equal(after.commit, 0);
    assert.equal(after.applied, 0);
    assert.equal(after.kv.data.size, 0);
    assert.equal(after.progress.size, 0);
    assert.equal(after.proposals.size, 0);
    assert.deepEqual(
      { term: after.term, vote: after.vote, log: after.log },
      { term: c.disks.get(n1)!.term, vote: c.disks.get(n1)!.vote, log: c.disks.get(n1)!.log },
    );
  });

  it('is deterministic: the same inputs give the same outputs, and a clone evolves like the original', () => {
    const runOnce = (): string => {
      const c = new MemoryCluster({ size: 5, config: { seed: 3 } });
      const outs: StepOutputs[] = [];
      c.onStep = (_id, _input, out) => outs.push(out);
      for (let round = 0; round < 60; round++) {
        for (const id of c.ids) c.tick(id);
        if (round % 7 === 0) c.request(c.ids[round % 5]!, { client: clientId('c'), seq: round + 1, op: { type: 'append', key: 'k', value: String(round) } });
        c.stabilize();
      }
      return JSON.stringify(outs);
    };
    assert.equal(runOnce(), runOnce());

    const c = new MemoryCluster({ size: 3 });
    tickUntil(c, n1, (o) => o.reasons.includes('election.timeout'));
    c.stabilize();
    const original = c.node(n1);
    const copy = cloneNode(original);
    const a = step(original, { type: 'clientRequest', request: { client: clientId('c'), seq: 1, op: { type: 'put', key: 'x', value: '1' } } });
    const b = step(copy, { type: 'clientRequest', request: { client: clientId('c'), seq: 1, op: { type: 'put', key: 'x', value: '1' } } });
    assert.deepEqual(a.outputs, b.outputs);
    assert.notEqual(a.state.log, b.state.log);
  });

  it('counts pre-vote grants only from the current round (a late grant of an earlier round is ignored)', () => {
    const node = newNode(makeConfig({ id: n3, peers: [n1, n2, n3] }));
    const campaign = (): number => {
      for (let i = 0; i < 100; i++) {
        const { outputs } = step(node, { type: 'tick' });
        const pv = outputs.messages.find((m) => m.type === 'PreVote');
        if (pv !== undefined && pv.type === 'PreVote') return pv.round;
      }
      throw new Error('no pre-vote');
    };
    const first = campaign();
    const second = campaign();
    assert.equal(second, first + 1);
    const grant = (round: number) =>
      step(node, { type: 'receive', message: { type: 'PreVoteResp', from: n2, to: n3, term: term(1), granted: true, round } }).outputs;
    assert.deepEqual(grant(first).reasons, ['response.ignore']);
    assert.equal(node.role, 'pre-candidate');
    assert.deepEqual(grant(second).reasons, ['prevote.won', 'election.start']);
    assert.equal(node.role, 'candidate');
  });
});
