// raft.js with one classic bug (marked BUG below): a node grants its vote without checking that the
// candidate's log is at least as up to date as its own, so a leader can be elected without
// entries that were committed, and lose them. LifeRaft catches it:
//
//   liferaft explore --node examples/your-node/raft-bug-vote-any-log.js --seeds 50
//
// A compact Raft in plain JavaScript, written for LifeRaft's node interface (sim/node-api.ts) —
// independently of LifeRaft's own core, as a user writes one. One class per role; the state is
// plain data mutated in place. Run it under the simulator:
//
//   liferaft run --node examples/your-node/raft.js --seed 1
//   liferaft explore --node examples/your-node/raft.js --seeds 200
//
// What it does (Raft §5, Figure 2): elections with randomized timeouts, log replication with
// consistency checks and backtracking, commit by majority of the leader's term only (§5.4.2, with
// a no-op entry on election), a key/value state machine with client sessions (a retried write is
// applied once), reads through the log. What it leaves out: pre-vote, check-quorum, leadership
// transfer, membership changes, snapshots.
'use strict';

const MAX_ENTRIES = 64; // entries per append
/** The rules a step can take, which it reports (outputs.rules): LifeRaft counts them for coverage. */
const RULES = [
  'election.timeout',
  'election.won',
  'heartbeat.send',
  'term.adopt',
  'vote.grant',
  'vote.refuse.stale-term',
  'vote.refuse.already-voted',
  'vote.refuse.log-behind',
  'append.refuse.stale-term',
  'append.refuse.mismatch',
  'append.accept',
  'append.truncate-conflict',
  'append.ack',
  'append.backtrack',
  'commit.advance',
  'commit.skip-old-term',
  'request.not-leader',
  'request.answered-from-session',
  'request.retry-in-flight',
  'request.propose',
  'apply.duplicate',
  'leadership.lost',
  'restart.restore',
];
const MAX_VALUE = 1024 * 1024; // a value may not grow past this (LifeRaft's workload expects it)

class Follower {
  constructor() {
    this.name = 'follower';
  }
}

class Candidate {
  constructor(self) {
    this.name = 'candidate';
    this.votes = [self];
  }
}

class Leader {
  constructor(node) {
    this.name = 'leader';
    this.next = {};
    this.match = {};
    for (const p of node.others()) {
      this.next[p] = node.log.length + 1;
      this.match[p] = 0;
    }
    this.sinceHeartbeat = 0;
    /** Client requests this node received, by "client#seq", waiting for their entry to apply. */
    this.waiting = {};
  }
}

class RaftNode {
  constructor(id, peers, config, rng) {
    this.id = id;
    this.peers = peers; // every member, this node included
    this.config = config;
    this.rng = rng;
    // Persistent (Figure 2): written to disk before any message of the same step leaves.
    this.term = 0;
    this.vote = null;
    this.log = []; // { term, request } — request null for a no-op
    // Volatile.
    this.commit = 0;
    this.applied = 0;
    this.leader = null;
    this.role = new Follower();
    this.elapsed = 0;
    this.timeout = this.drawTimeout();
    this.kv = {};
    this.sessions = {}; // client → { seq, result }
    // This step's outputs.
    this.out = { messages: [], persist: [], replies: [], rules: [] };
  }

  rule(name) {
    this.out.rules.push(name);
  }

  others() {
    return this.peers.filter((p) => p !== this.id);
  }

  majority() {
    return Math.floor(this.peers.length / 2) + 1;
  }

  drawTimeout() {
    return this.rng.intIn(this.config.electionTicksMin, this.config.electionTicksMax - 1);
  }

  lastTerm() {
    return this.log.length === 0 ? 0 : this.log[this.log.length - 1].term;
  }

  termAt(i) {
    return i === 0 ? 0 : this.log[i - 1].term;
  }

  send(to, message) {
    this.out.messages.push({ to, message });
  }

  saveHardState() {
    this.out.persist.push({ term: this.term, vote: this.vote });
  }

  /** Replaces the log from index `from` on with `entries`, durably. */
  saveLog(from, entries) {
    this.log.length = from - 1;
    this.log.push(...entries);
    this.out.persist.push({ from, entries });
  }

  // ---- roles

  becomeFollower(term, leader) {
    if (term > this.term) {
      this.rule('term.adopt');
      this.term = term;
      this.vote = null;
      this.saveHardState();
    }
    if (this.role instanceof Leader) this.abandonWaiting();
    if (!(this.role instanceof Follower)) this.role = new Follower();
    this.leader = leader;
    this.elapsed = 0;
    this.timeout = this.drawTimeout();
  }

  becomeCandidate() {
    this.term += 1;
    this.vote = this.id;
    this.saveHardState();
    this.role = new Candidate(this.id);
    this.leader = null;
    this.elapsed = 0;
    this.timeout = this.drawTimeout();
    for (const p of this.others()) this.send(p, { type: 'RequestVote', term: this.term, lastIndex: this.log.length, lastTerm: this.lastTerm() });
    if (this.role.votes.length >= this.majority()) this.becomeLeader();
  }

  becomeLeader() {
    this.rule('election.won');
    this.role = new Leader(this);
    this.leader = this.id;
    // A no-op of the new term, so entries of earlier terms can commit through it (§5.4.2).
    this.saveLog(this.log.length + 1, [{ term: this.term, request: null }]);
    this.broadcast();
    this.advanceCommit(); // (a cluster of one commits on its own)
  }

  abandonWaiting() {
    if (Object.keys(this.role.waiting).length > 0) this.rule('leadership.lost');
    for (const key of Object.keys(this.role.waiting)) {
      const [client, seq] = key.split('#');
      this.out.replies.push({ client, seq: Number(seq), outcome: { status: 'leadership-lost' } });
    }
    this.role.waiting = {};
  }

  // ---- inputs

  tick() {
    if (this.role instanceof Leader) {
      if (++this.role.sinceHeartbeat >= this.config.heartbeatTicks) {
        this.rule('heartbeat.send');
        this.broadcast();
      }
      return;
    }
    if (++this.elapsed >= this.timeout) {
      this.rule('election.timeout');
      this.becomeCandidate();
    }
  }

  receive(from, m) {
    if (m.term > this.term) this.becomeFollower(m.term, m.type === 'Append' ? from : null);
    switch (m.type) {
      case 'RequestVote':
        return this.onRequestVote(from, m);
      case 'Vote':
        return this.onVote(from, m);
      case 'Append':
        return this.onAppend(from, m);
      case 'AppendReply':
        return this.onAppendReply(from, m);
    }
  }

  onRequestVote(from, m) {
    // BUG: votes for any candidate, however far behind its log (Raft §5.4.1's election restriction left out).
    const upToDate = true;
    const granted = m.term === this.term && (this.vote === null || this.vote === from) && upToDate;
    if (granted && this.vote !== from) {
      this.vote = from;
      this.saveHardState();
    }
    if (granted) this.elapsed = 0;
    this.rule(
      granted ? 'vote.grant' : m.term < this.term ? 'vote.refuse.stale-term' : !upToDate ? 'vote.refuse.log-behind' : 'vote.refuse.already-voted',
    );
    this.send(from, { type: 'Vote', term: this.term, granted });
  }

  onVote(from, m) {
    if (!(this.role instanceof Candidate) || m.term !== this.term || !m.granted) return;
    if (!this.role.votes.includes(from)) this.role.votes.push(from);
    if (this.role.votes.length >= this.majority()) this.becomeLeader();
  }

  onAppend(from, m) {
    if (m.term < this.term) {
      this.rule('append.refuse.stale-term');
      return this.send(from, { type: 'AppendReply', term: this.term, success: false, match: 0 });
    }
    this.becomeFollower(m.term, from);
    if (m.prevIndex > this.log.length || this.termAt(m.prevIndex) !== m.prevTerm) {
      this.rule('append.refuse.mismatch');
      // Not there: the leader backs up (to our log's end at most).
      return this.send(from, { type: 'AppendReply', term: this.term, success: false, match: Math.min(m.prevIndex - 1, this.log.length) });
    }
    // Keep what matches; from the first conflict on, take the leader's entries (§5.3).
    let i = 0;
    while (i < m.entries.length && m.prevIndex + 1 + i <= this.log.length && this.termAt(m.prevIndex + 1 + i) === m.entries[i].term) i++;
    if (i < m.entries.length) {
      if (m.prevIndex + 1 + i <= this.log.length) this.rule('append.truncate-conflict');
      this.saveLog(m.prevIndex + 1 + i, m.entries.slice(i));
    }
    this.rule('append.accept');
    const last = m.prevIndex + m.entries.length;
    // Commit what the leader committed, up to what this append vouches for (never back: a late append vouches for less).
    this.commit = Math.max(this.commit, Math.min(m.commit, last));
    this.apply();
    this.send(from, { type: 'AppendReply', term: this.term, success: true, match: last });
  }

  onAppendReply(from, m) {
    const role = this.role;
    if (!(role instanceof Leader) || m.term !== this.term) return;
    if (m.success) {
      this.rule('append.ack');
      role.match[from] = Math.max(role.match[from], m.match);
      role.next[from] = Math.max(role.next[from], m.match + 1);
      this.advanceCommit();
      if (role.next[from] <= this.log.length) this.sendAppend(from);
    } else {
      this.rule('append.backtrack');
      role.next[from] = Math.max(1, Math.min(role.next[from] - 1, m.match + 1));
      this.sendAppend(from);
    }
  }

  request(r) {
    const role = this.role;
    if (!(role instanceof Leader)) {
      this.rule('request.not-leader');
      return this.out.replies.push({ client: r.client, seq: r.seq, outcome: { status: 'not-leader', leaderHint: this.leader === this.id ? null : this.leader } });
    }
    const s = this.sessions[r.client];
    if (s !== undefined && s.seq === r.seq) {
      this.rule('request.answered-from-session');
      return this.out.replies.push({ client: r.client, seq: r.seq, outcome: { status: 'ok', result: s.result } });
    }
    const key = `${r.client}#${r.seq}`;
    if (role.waiting[key]) return this.rule('request.retry-in-flight'); // a retry of a request already in the log
    this.rule('request.propose');
    role.waiting[key] = true;
    this.saveLog(this.log.length + 1, [{ term: this.term, request: r }]);
    this.broadcast();
    this.advanceCommit();
  }

  // ---- leader

  broadcast() {
    this.role.sinceHeartbeat = 0;
    for (const p of this.others()) this.sendAppend(p);
  }

  sendAppend(p) {
    const prevIndex = this.role.next[p] - 1;
    const entries = this.log.slice(prevIndex, prevIndex + MAX_ENTRIES);
    this.send(p, { type: 'Append', term: this.term, prevIndex, prevTerm: this.termAt(prevIndex), entries, commit: this.commit });
  }

  advanceCommit() {
    const role = this.role;
    for (let n = this.log.length; n > this.commit; n--) {
      const acks = 1 + this.others().filter((p) => role.match[p] >= n).length;
      if (acks < this.majority()) continue;
      // Only entries of its own term commit by counting (§5.4.2): older ones commit with them.
      if (this.log[n - 1].term !== this.term) {
        this.rule('commit.skip-old-term');
        break;
      }
      this.rule('commit.advance');
      this.commit = n;
      this.apply();
      break;
    }
  }

  // ---- state machine

  apply() {
    while (this.applied < this.commit) {
      this.applied++;
      const r = this.log[this.applied - 1].request;
      if (r === null) continue;
      const s = this.sessions[r.client];
      let result;
      if (s !== undefined && r.seq <= s.seq) {
        this.rule('apply.duplicate');
        result = s.result; // a duplicate: applied once already
      } else {
        result = execute(this.kv, r.op);
        this.sessions[r.client] = { seq: r.seq, result };
      }
      const key = `${r.client}#${r.seq}`;
      if (this.role instanceof Leader && this.role.waiting[key]) {
        delete this.role.waiting[key];
        this.out.replies.push({ client: r.client, seq: r.seq, outcome: { status: 'ok', result } });
      }
    }
  }

  // ---- restart

  restore(records) {
    if (records.length > 0) this.rule('restart.restore');
    for (const r of records) {
      if ('term' in r) {
        this.term = r.term;
        this.vote = r.vote;
      } else {
        this.log.length = r.from - 1;
        this.log.push(...r.entries);
      }
    }
  }
}

function execute(kv, op) {
  const cur = Object.hasOwn(kv, op.key) ? kv[op.key] : null;
  switch (op.type) {
    case 'get':
      return { ok: true, value: cur };
    case 'put':
      if (op.value.length > MAX_VALUE) return { ok: false, value: cur };
      kv[op.key] = op.value;
      return { ok: true, value: op.value };
    case 'append': {
      const v = (cur ?? '') + op.value;
      if (v.length > MAX_VALUE) return { ok: false, value: cur };
      kv[op.key] = v;
      return { ok: true, value: v };
    }
    case 'delete':
      delete kv[op.key];
      return { ok: cur !== null, value: null };
    case 'cas':
      if (cur !== op.expected) return { ok: false, value: cur };
      if (op.value.length > MAX_VALUE) return { ok: false, value: cur };
      kv[op.key] = op.value;
      return { ok: true, value: op.value };
  }
  throw new Error(`unknown operation ${op.type}`);
}

/** @type {import('../../sim/node-api').RaftNode<RaftNode, any>} */
module.exports = {
  name: 'raft-bug-vote-any-log.js',
  rules: RULES,
  init: (id, peers, config, rng) => new RaftNode(id, peers, config, rng),
  step(node, input) {
    node.out = { messages: [], persist: [], replies: [], rules: [] };
    switch (input.type) {
      case 'tick':
        node.tick();
        break;
      case 'message':
        node.receive(input.from, input.message);
        break;
      case 'request':
        node.request(input.request);
        break;
      case 'restart':
        node.restore(input.durable);
        break;
    }
    return { state: node, outputs: node.out };
  },
  view: (node) => ({
    role: node.role.name,
    term: node.term,
    vote: node.vote,
    leader: node.leader,
    log: node.log,
    commit: node.commit,
    applied: node.applied,
  }),
  classify: (m) => (m.type === 'RequestVote' || m.type === 'Vote' ? 'vote' : m.type === 'Append' && m.entries.length === 0 ? 'heartbeat' : 'append'),
  describe(m) {
    switch (m.type) {
      case 'RequestVote':
        return `RequestVote t${m.term} last ${m.lastIndex}/${m.lastTerm}`;
      case 'Vote':
        return `Vote t${m.term} ${m.granted ? 'granted' : 'refused'}`;
      case 'Append':
        return `Append t${m.term} prev ${m.prevIndex}/${m.prevTerm} +${m.entries.length} commit ${m.commit}`;
      case 'AppendReply':
        return `AppendReply t${m.term} ${m.success ? 'ok' : 'refused'} match ${m.match}`;
    }
    return JSON.stringify(m);
  },
};
