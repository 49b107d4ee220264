import assert from 'node:assert/strict';
import type { ClientReply } from './types';
import { messageProblem, replyProblem } from './messages';

describe('peer message validation', () => {
  const base = { from: 'n2', to: 'n1', term: 3 };
  it('accepts every well-formed message type', () => {
    const good: unknown[] = [
      { ...base, type: 'PreVote', lastLogIndex: 4, lastLogTerm: 2, round: 1 },
      { ...base, type: 'PreVoteResp', granted: true, round: 1 },
      { ...base, type: 'RequestVote', lastLogIndex: 4, lastLogTerm: 2 },
      { ...base, type: 'RequestVoteResp', granted: false },
      {
        ...base,
        type: 'AppendEntries',
        prevLogIndex: 1,
        prevLogTerm: 1,
        commit: 1,
        entries: [
          { index: 2, term: 3, data: { type: 'noop' } },
          { index: 3, term: 3, data: { type: 'command', client: 'c1', seq: 1, op: { type: 'cas', key: 'k', expected: null, value: 'v' } } },
        ],
      },
      { ...base, type: 'AppendEntriesResp', success: true, matchIndex: 3 },
      { ...base, type: 'AppendEntriesResp', success: false, rejectedIndex: 3, conflictIndex: 2, conflictTerm: 1 },
      { ...base, type: 'InstallSnapshot', snapshot: { index: 5, term: 2, data: [['k', 'v']], sessions: [['c1', 4, { ok: true, value: 'v' }]] } },
      { ...base, type: 'Heartbeat', commit: 2, readSeq: 0 },
      { ...base, type: 'HeartbeatResp', readSeq: 0 },
      { ...base, term: 0, type: 'ClientForward', request: { client: 'c1', seq: 2, op: { type: 'get', key: 'k' } } },
      { ...base, term: 0, type: 'ClientForwardReply', reply: { client: 'c1', seq: 2, outcome: { status: 'not-leader', leaderHint: null } } },
    ];
    for (const m of good) assert.equal(messageProblem(m), null, JSON.stringify(m));
  });

  it('names what is wrong with a malformed one', () => {
    const cases: [unknown, RegExp][] = [
      [null, /not an object/],
      [{ ...base, type: 'Gossip' }, /unknown message type "Gossip"/],
      [{ type: 'Heartbeat', commit: 1, readSeq: 0 }, /without from\/to\/term/],
      [{ ...base, type: 'Heartbeat', commit: -1, readSeq: 0 }, /bad "commit"/],
      [{ ...base, type: 'ClientForwardReply' }, /bad "reply"/],
      [
        {
          ...base,
          type: 'AppendEntries',
          prevLogIndex: 0,
          prevLogTerm: 0,
          commit: 0,
          entries: [{ index: 1, term: 1, data: { type: 'command', client: 'c', seq: 1, op: { type: 'get', key: 'k' } } }],
        },
        /bad "entries"/,
      ],
      [{ ...base, type: 'AppendEntriesResp', success: false, rejectedIndex: 1 }, /bad "conflictIndex"/],
      [{ ...base, type: 'InstallSnapshot', snapshot: { index: 1, term: 1, data: [['k']], sessions: [] } }, /bad "snapshot"/],
      [{ ...base, type: 'ClientForward', request: { client: 'c', seq: 1, op: { type: 'put', key: 'k' } } }, /bad "request"/],
    ];
    for (const [m, re] of cases) assert.match(messageProblem(m) ?? 'accepted', re, JSON.stringify(m));
  });

  it('checks an answer to a client the same way', () => {
    const ok = { client: 'c1', seq: 3, outcome: { status: 'ok', result: { ok: true, value: null } } };
    assert.equal(replyProblem(ok as unknown as ClientReply), null);
    assert.equal(replyProblem({ client: 'c1', seq: 3, outcome: { status: 'stale-sequence' } } as unknown as ClientReply), null);
    assert.match(replyProblem({ client: 'c1', seq: 3, outcome: { status: 'ok', result: {} } } as unknown as ClientReply)!, /bad outcome/);
    assert.match(replyProblem({ client: 'c1', seq: 3, outcome: { status: 'done' } } as unknown as ClientReply)!, /bad outcome/);
    assert.match(replyProblem({ seq: 3, outcome: { status: 'overloaded' } } as unknown as ClientReply)!, /without client\/seq/);
  });
});
