// The invariants the checker knows (name → what it says, with its source), what a violation
// reports, and what the checker sees of each node and of the step it judges.
import type { LogIndex, Membership, NodeId, NodeState, Role, Term } from '../../core';
import type { Disk } from '../disk';

export const INVARIANTS = {
  LogInv: "committed logs never conflict: each node's committed prefix is a prefix of every longer one (etcdraft.tla)",
  MoreThanOneLeaderInv: 'two nodes that are both leaders have different terms (etcdraft.tla)',
  OneLeaderPerTerm: 'at most one node is ever elected leader of a term, even at different times (Raft §5.2 Election Safety)',
  ElectionSafetyInv: 'a leader holds the highest index among all entries of its own term (etcdraft.tla)',
  LogMatchingInv: 'two logs with an entry of the same term at an index are identical up to it (etcdraft.tla)',
  QuorumLogInv:
    'every quorum of the latest committed configuration has a member whose log contains every committed entry (etcdraft.tla, restated for membership changes)',
  MoreUpToDateCorrectInv:
    "a log at least as up to date as another, whose last term is not older than the other's commit, contains the other's committed entries (etcdraft.tla, corrected)",
  LeaderCompletenessInv: 'an entry committed in a term is in the log of every leader of a later term (Raft §5.4; etcdraft.tla, by commit term)',
  CommittedIsDurableInv:
    "a leader never commits beyond what its own disk holds (etcdraft.tla; not with early appends, where followers' disks can make the quorum)",
  CommittedOnQuorumInv:
    "every committed entry is on the synced disks of a quorum of the committing node's configuration when it is committed (Raft §5.3; what early appends still guarantee)",
  MessageTermsLtCurrentTerm: "no message carries a term above its sender's term (etcdraft.tla, defined but unchecked there)",
  StateMachineSafety:
    'no two nodes apply different entries at the same index, and a node applies each committed entry once, in log order, with the answer the state machine gives (Raft §5.4.3)',
  MonotonicTerm: "a node's term, and the term on its disk, never decrease",
  MonotonicCommit: "a node's commit index never decreases while it runs",
  LeaderAppendOnly: 'a leader never overwrites or deletes entries of its log (Raft §5.3)',
  ProgressInv:
    "a leader's record of each follower stays consistent through its term: match < next ≤ last index + 1; match, its own match and read acknowledgements never go back; its own match is on its synced disk; appends in flight lie ascending between match and next, at most inflightAppendsMax, none while probing; no probe outstanding while replicating; a snapshot wait only while probing, at most one election timeout, counting down by one each tick (etcd raft's Progress)",
  OneVotePerTerm: 'a node grants at most one vote per term, even across restarts (Raft §5.2)',
  AckedWritesCommitted: 'a write acknowledged to a client is committed',
  Linearizability: "the clients' history of operations is linearizable (checked at the end of the run)",
  ElectionTimerReset: 'a node that granted a vote waits a full election timeout before campaigning (Raft §5.2; a liveness rule)',
  CompactionInv: 'a node compacts (and snapshots) only committed entries (Raft §7)',
  SnapshotInv:
    'a snapshot, taken or installed, holds exactly the state machine after applying the committed log up to its index, and the term of the entry there (Raft §7)',
  LeaseRespected:
    'a follower that heard from its leader within the minimum election timeout grants no pre-vote and, with check-quorum, takes no higher term from a vote request (thesis §4.2.3, §9.6: a partitioned node cannot disrupt a working leader; a liveness rule)',
  CheckQuorum:
    'with check-quorum, a leader steps down once it has not heard from a quorum for two election timeouts, and never while a quorum answered it within the last one (thesis §6.2; a liveness rule)',
  CompactionCadence:
    'a node that snapshots every N applied entries never holds N or more applied entries past its snapshot after a step (`snapshot N`; a log that grows without bound is a liveness failure)',
  BacktrackHint:
    "a follower refusing an append names the index it refuses and states its log there: the term it holds at that index and the first index of that term's run (never at or below its commit), or no term and its last index + 1; the leader's next probe then starts just after its own last entry of that term up to the refused index, or at the hint when it holds none, never at or below the follower's match (Raft §5.3's fast backtracking; a wrong hint or probe costs round trips: a liveness rule)",
  LeaderHint:
    'a node that turns a client away (not-leader) names the leader it follows after that step, or none when it follows none, never itself (clients retry where the hint points: a wrong or missing one costs retries, so a liveness rule)',
  QuietLeader:
    'on a converged cluster with no client traffic (the settle window), the leader sends no appends or snapshots, since every follower holds its whole log, and one heartbeat to each follower per heartbeat interval (a leader that resends what its followers hold, or beats too often or too seldom, wastes the network or its lease: a liveness rule)',
  OneConfigChangeInv:
    'a leader appends a configuration entry only when every earlier one in its log is committed (thesis §4.1: one change at a time; a leader elected with two past its commit index has not learnt that they commit yet)',
  ConfigChangeInv:
    'each configuration a leader appends differs from the one before it by one server: a learner added, a learner promoted, or one member removed (thesis §4.1, §4.2.1)',
  LeaderIsVoterInv:
    'a leader is a voter of its configuration when elected (or of the one before, while the one removing it is not committed), and steps down once a configuration without it as a voter is committed (thesis §4.2.2: a server not in a configuration never leads it)',
} as const;

/** Invariants whose violation is a liveness failure (exit 2) rather than a safety one. */
export const LIVENESS_INVARIANTS: ReadonlySet<string> = new Set([
  'ElectionTimerReset',
  'LeaseRespected',
  'CheckQuorum',
  'CompactionCadence',
  'BacktrackHint',
  'LeaderHint',
  'QuietLeader',
]);

export type InvariantName = keyof typeof INVARIANTS;
export const INVARIANT_NAMES = Object.keys(INVARIANTS) as InvariantName[];

export interface Violation {
  readonly invariant: InvariantName;
  readonly step: number;
  readonly time: number;
  readonly nodes: readonly string[];
  readonly message: string;
}

export type NodeStatus = 'up' | 'paused' | 'down' | 'dead';

/** What the checker sees of a node; owned by the simulation. */
export interface CheckedNode {
  readonly id: NodeId;
  readonly state: NodeState;
  readonly disk: Disk;
  readonly status: NodeStatus;
}

export interface StepBefore {
  readonly role: Role;
  readonly term: Term;
  readonly commit: LogIndex;
  readonly applied: LogIndex;
  readonly lastIndex: number;
  /** The configuration in force. */
  readonly members: Membership;
  /** The step was a tick of the node's clock (not given: it was not). */
  readonly tick?: boolean;
}
