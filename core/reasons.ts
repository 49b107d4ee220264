// Reason codes: the name of every Raft rule the core can fire, with the paper/thesis section it
// comes from. A step reports the codes it fired, in order; the debugger and the transcripts show them.

export const REASONS = {
  // Timers
  tick: 'a tick elapsed; no timer fired',
  'election.timeout': 'election timer expired without hearing from a leader (Raft §5.2)',
  'heartbeat.send': 'heartbeat interval elapsed; the leader sends heartbeats (Raft §5.2)',

  // Terms (Raft §5.1)
  'term.adopt': 'a message carried a higher term; adopt it and become follower (Raft §5.1)',
  'stale.reject': 'a request carried a lower term; reject it with our term so the sender catches up (Raft §5.1)',
  'stale.ignore': 'a response carried a lower term; ignore it (Raft §5.1)',

  // Elections
  'prevote.start': 'start a pre-vote round without incrementing the term (thesis §9.6)',
  'prevote.granted': 'grant a pre-vote: the candidate is up to date and no leader was heard recently (thesis §9.6)',
  'prevote.reject.leader-alive': 'refuse a pre-vote: a leader was heard within the election timeout (thesis §9.6)',
  'prevote.reject.already-voted': 'refuse a pre-vote for our own term: already voted for another node in it (Raft §5.2)',
  'prevote.reject.log-behind': "refuse a pre-vote: the candidate's log is not up to date (Raft §5.4.1)",
  'prevote.won': 'a quorum granted the pre-vote; start a real election (thesis §9.6)',
  'prevote.lost': 'a quorum refused the pre-vote; go back to follower (thesis §9.6)',
  'prevote.count': 'count a pre-vote response; no quorum yet',
  'election.start': 'increment the term, vote for self, request votes (Raft §5.2)',
  'vote.granted': 'grant the vote: not yet voted in this term and the candidate is up to date (Raft §5.2, §5.4.1)',
  'vote.reject.already-voted': 'refuse the vote: already voted for another node in this term (Raft §5.2)',
  'vote.reject.has-leader': 'refuse the vote: this term already has a known leader',
  'vote.reject.log-behind': "refuse the vote: the candidate's log is not up to date (Raft §5.4.1)",
  'vote.ignore.in-lease': 'ignore a higher-term vote request: a leader was heard within the election timeout (thesis §4.2.3)',
  'vote.count': 'count a vote response; no quorum yet',
  'election.won': 'a quorum granted the vote; become leader (Raft §5.2)',
  'election.lost': 'a quorum refused the vote; go back to follower',
  'leader.append-noop': 'the new leader appends a no-op entry of its term so it can commit (Raft §5.4.2, §8)',
  'candidate.step-down': 'a candidate heard from the leader of its term; become follower (Raft §5.2)',
  'leader.step-down.check-quorum': 'the leader did not hear from a quorum within an election timeout; step down (thesis §6.2)',
  'leader.step-down': 'the leader becomes follower; pending writes are answered leadership-lost, pending reads not-leader',
  'response.ignore': 'a response that does not apply in the current role or round is ignored',

  // Replication (Raft §5.3)
  'append.send': 'send AppendEntries to followers (Raft §5.3)',
  'append.accept': 'the entries follow a matching entry; append them (Raft §5.3)',
  'append.truncate-conflict': 'an existing entry conflicts with a new one; delete it and all that follow (Raft §5.3)',
  'append.reject.missing-prev': 'refuse: the log has no entry at prevLogIndex (Raft §5.3)',
  'append.reject.log-mismatch': 'refuse: the entry at prevLogIndex has another term (Raft §5.3)',
  'append.ack': 'a follower acknowledged entries; advance its match index (Raft §5.3)',
  'append.self-ack': "the leader's own new entries are durable; count them towards commit (etcd raft's self-ack)",
  'append.ack.stale': 'an acknowledgement older than what is already known; nothing to do',
  'append.backtrack': 'a follower refused; move nextIndex back using the conflict term/index (Raft §5.3)',
  'append.reject.stale': 'a refusal of an older request; ignore it',
  'heartbeat.accept': "accept the leader's heartbeat and reset the election timer (Raft §5.2)",
  'heartbeat.ack': 'a follower answered a heartbeat; it is active and may need entries',
  'commit.advance': 'the commit index moved forward (Raft §5.3, §5.4.2)',
  'commit.skip-old-term': 'a quorum holds an entry of an older term; do not commit by counting it (Raft §5.4.2, Figure 8)',
  apply: 'committed entries applied to the state machine in log order (Raft §5.3)',

  // Clients (thesis §6)
  'client.propose': 'the leader appends the client write to its log (Raft §5.3)',
  'client.forward': 'relay the client request to the known leader',
  'client.reject.not-leader': 'not the leader and cannot relay; answer not-leader with the known leader, if any',
  'client.reject.overloaded': 'too many requests pending at the leader; answer overloaded',
  'client.reply': 'answer a client',
  'client.relay-reply': "hand the leader's answer to the client of a forwarded request",
  'read.start': 'start a ReadIndex round: record the commit index and confirm leadership with a heartbeat round (thesis §6.4)',
  'read.wait-commit': 'the leader has not committed an entry of its term yet; the read waits (thesis §6.4)',
  'read.confirmed': 'a quorum acknowledged the round; the read may be served once applied (thesis §6.4)',
  'read.serve': 'serve reads whose read index has been applied (thesis §6.4)',

  // Planted bugs (bugs.ts): the buggy path was taken
  'bug.stale-vote-response': 'PLANTED BUG: a vote response from an earlier term is counted in this election',
  'bug.commit-old-term': 'PLANTED BUG: an entry of an earlier term is committed by counting replicas',
  'bug.no-truncate-conflict': 'PLANTED BUG: a conflicting entry is overwritten but the entries after it are kept',
  'bug.vote-not-durable': 'PLANTED BUG: the vote is not persisted',
  'bug.vote-without-log-check': 'PLANTED BUG: a vote is granted to a candidate whose log is not up to date',
  'bug.stale-read': 'PLANTED BUG: a read is served without confirming leadership',
  'bug.duplicate-apply': 'PLANTED BUG: a retried write is applied again',
  'bug.timer-not-reset-on-vote': 'PLANTED BUG: the election timer is not reset when granting a vote',
  'bug.check-quorum-ignores-acks': 'PLANTED BUG: the leader does not count this answer as a sign of life for check-quorum',

  // Process
  restart: 'restart from durable state; volatile state (commit, leader, progress) is rebuilt (Raft Figure 2)',
  'ignore.unknown-sender': 'a message from a node outside the configuration is ignored',

  // Log compaction (Raft §7). Kept last: trace hashes number the reasons in this order.
  'append.skip-compacted': 'the entries before prevLogIndex are compacted here (so committed): acknowledge the commit index (Raft §7)',
  'snapshot.take': 'compact the log: snapshot the state machine and drop the entries up to the previous snapshot (Raft §7)',
  'snapshot.send': 'a follower needs entries compacted away: send it the snapshot instead (Raft §7 InstallSnapshot)',
  'snapshot.install': "replace the state machine with the leader's snapshot; keep the log after it only if it matches (Raft §7)",
  'snapshot.ignore-old': 'a snapshot no newer than the commit index: nothing to install; acknowledge the commit index',
  'snapshot.keep-log': "the log holds the snapshot's last entry: keep the entries after it (Raft §7)",
  'snapshot.drop-log': "the log has another term at the snapshot's index (a conflicting suffix): discard all of it (Raft §7)",

  // Leadership transfer (thesis §3.10). Appended after compaction, for the same reason.
  'transfer.start': 'hand leadership to another node: catch it up, then tell it to campaign at once; take no new writes meanwhile (thesis §3.10)',
  'transfer.ignore.not-leader': 'a transfer asked of a node that does not lead: nothing to hand over',
  'transfer.ignore.self': 'a transfer to the leader itself: nothing to do',
  'transfer.ignore.unknown': 'a transfer to a node outside the configuration: refused',
  'transfer.ignore.in-progress': 'a transfer to the node already being handed leadership: it goes on',
  'transfer.timeout-now': 'the transferee holds the whole log: tell it to campaign now (thesis §3.10 TimeoutNow)',
  'transfer.abort': 'the transfer did not finish within an election timeout: give it up and take writes again (thesis §3.10)',
  'transfer.campaign': 'the leader told this node to campaign: start an election at once, no pre-vote, past the lease (thesis §3.10)',
  'client.reject.transferring': 'a leadership transfer is under way: refuse the write and name the transferee (thesis §3.10)',

  // Membership changes (thesis chapter 4). Appended after transfers, for the same reason.
  'config.start': 'change the configuration by one server: append it to the log; it is in force at once, committed or not (thesis §4.1)',
  'config.reject.not-leader': 'a configuration change asked of a node that does not lead: refused',
  'config.reject.pending': 'the previous configuration change is not committed yet: one change at a time (thesis §4.1)',
  'config.reject.term-not-committed':
    "the leader has not committed an entry of its term yet: a change now could be lost beside another leader's (Ongaro, raft-dev 2015: the single-server change bug)",
  'config.reject.transferring': 'a leadership transfer is under way: no configuration change meanwhile',
  'config.reject.member': 'the node to add is already in the configuration (a voter, or a learner catching up)',
  'config.reject.unknown': 'the node to remove is not in the configuration',
  'config.reject.last-voter': 'removing the last voter would leave a cluster that can never elect a leader: refused',
  'config.append': 'a configuration entry entered the log: the configuration it holds is in force here (thesis §4.1)',
  'config.revert': 'a conflicting suffix held a configuration entry: the one before it is in force again (thesis §4.1)',
  'config.promote': 'a learner has caught up with the commit index: make it a voter (thesis §4.2.1)',
  'config.step-down': 'the configuration that removed this leader is committed: step down (thesis §4.2.2)',
  'election.skip.not-voter':
    'the election timer fired at a node that is not a voter (a learner, removed — by a committed configuration — or not yet added): it does not campaign',
  'transfer.ignore.not-voter': 'leadership can only go to a voter: a transfer to a learner (or a TimeoutNow at a non-voter) is ignored',
  'bug.concurrent-config-change': 'PLANTED BUG: a second configuration change is started before the first one committed',
  'bug.removed-leader-stays': 'PLANTED BUG: a leader removed by a committed configuration keeps leading',
  'bug.snapshot-drops-config': 'PLANTED BUG: the snapshot leaves out the configuration',
  'config.reject.quorum-loss':
    "the voters left that the leader has heard from lately would not make a quorum of the new configuration: removing the node would stop the cluster (etcd's strict reconfiguration check)",
} as const;

export type ReasonCode = keyof typeof REASONS;
