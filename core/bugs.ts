// The bug zoo: deliberate, well-known Raft mistakes that can be switched on to see LifeRaft find
// them. Off unless named one by one in the configuration (makeConfig refuses unknown names; there
// is no "all"). Each entry says the real-world failure it models and the invariant that catches it;
// `membership` marks the bugs that only show when the configuration changes.

export const BUGS = {
  'stale-vote-response': {
    models: 'A RequestVote response from an earlier term is counted in the current election (the bug the original LifeRaft found): two leaders in one term.',
    caughtBy: 'OneLeaderPerTerm',
  },
  'commit-old-term': {
    models: 'A leader commits an entry of an earlier term by counting replicas (Raft §5.4.2, Figure 8): a committed entry can be overwritten.',
    caughtBy: 'LeaderCompletenessInv',
  },
  'no-truncate-conflict': {
    models:
      'A follower overwrites a conflicting entry but keeps the entries after it (Raft §5.3 says delete them): logs with the same entry at an index differ before it.',
    caughtBy: 'LogMatchingInv',
  },
  'vote-not-durable': {
    models: 'The vote is not written to stable storage before the reply (Raft Figure 2): a node that restarts votes again in the same term.',
    caughtBy: 'OneVotePerTerm',
  },
  'vote-without-log-check': {
    models: "Votes (and pre-votes) are granted without checking that the candidate's log is up to date (Raft §5.4.1): a leader without committed entries.",
    caughtBy: 'LeaderCompletenessInv',
  },
  'stale-read': {
    models:
      'A leader answers reads from its state machine without confirming it is still leader (ReadIndex skipped, thesis §6.4): a deposed leader serves stale data.',
    caughtBy: 'Linearizability',
  },
  'duplicate-apply': {
    models: 'Client sessions are ignored (thesis §6.3): a retried write is applied twice.',
    caughtBy: 'StateMachineSafety',
  },
  'timer-not-reset-on-vote': {
    models: 'Granting a vote does not reset the election timer (Raft §5.2): a voter soon campaigns against the leader it just elected (a liveness bug).',
    caughtBy: 'ElectionTimerReset',
  },
  'check-quorum-ignores-acks': {
    models:
      "With check-quorum, the leader does not count its followers' answers as signs of life (thesis §6.2): a healthy leader steps down every election timeout, on a quiet network too (a liveness bug).",
    caughtBy: 'CheckQuorum',
  },
  'concurrent-config-change': {
    models:
      'A leader starts a configuration change before the previous one committed (thesis §4.1 allows one at a time): two changes apart, the old and new majorities need not overlap.',
    caughtBy: 'OneConfigChangeInv',
    membership: true,
  },
  'removed-leader-stays': {
    models: 'A leader removed from the configuration keeps leading once the removal commits (thesis §4.2.2 says step down): a cluster led by a non-member.',
    caughtBy: 'LeaderIsVoterInv',
    membership: true,
  },
  'snapshot-drops-config': {
    models:
      'Snapshots leave out the configuration (thesis §5.1 says keep the latest one they cover): a node restarting from one, or a follower installing it, falls back to an old membership.',
    caughtBy: 'SnapshotInv',
    membership: true,
  },
} as const;

export type BugName = keyof typeof BUGS;
export const BUG_NAMES = Object.keys(BUGS) as BugName[];

export function isBugName(s: string): s is BugName {
  return Object.prototype.hasOwnProperty.call(BUGS, s);
}
