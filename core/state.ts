// The state of one Raft node, and the per-step context that collects its outputs.
import { bootstrapMembers, type RaftConfig } from './config';
import { newKv, cloneKv, kvFromSnapshot, type KvState } from './kv';
import { NO_LOG_START, termAt } from './log';
import { nextIntIn, seedRng, type RngState } from './rng';
import type { ReasonCode } from './reasons';
import {
  logIndex,
  term,
  type AppliedEntry,
  type ClientReply,
  type ClientRequest,
  type DurableState,
  type Entry,
  type LogIndex,
  type LogStart,
  type Membership,
  type Message,
  type NodeId,
  type Role,
  type Snapshot,
  type Term,
} from './types';

/**
 * What the leader knows of one follower's log (Raft Figure 2 "volatile state on leaders"). The
 * invariants stated here are checked after every leader step by the simulator (ProgressInv).
 */
export interface Progress {
  /** Invariant: the follower's log matches the leader's up to here; never decreases in a term. */
  match: LogIndex;
  /** Invariant: match < next ≤ leader's lastIndex + 1. */
  next: LogIndex;
  /**
   * 'probe': one AppendEntries at a time until the follower's log position is found;
   * 'replicate': entries are streamed optimistically, up to inflightAppendsMax at once.
   */
  mode: 'probe' | 'replicate';
  /** probe: an AppendEntries is outstanding; wait for its answer (or the next heartbeat answer). Invariant: false in replicate mode. */
  probeSent: boolean;
  /** replicate: last index of each AppendEntries in flight, ascending, in (match, next). Invariant: length ≤ inflightAppendsMax; empty in probe mode. */
  inflight: LogIndex[];
  /** Heard from the follower since the last check-quorum round (thesis §6.2). */
  recentActive: boolean;
  /**
   * Heard from it in the round before (rounds run every electionTicksMin, with check-quorum off
   * too): with recentActive, whether it answered lately — what a removal's quorum check counts.
   */
  prevActive: boolean;
  /** The newest ReadIndex round the follower acknowledged in this term (thesis §6.4). */
  readAck: number;
  /**
   * Ticks left before a snapshot sent to this follower may be sent again (0: none in flight). While
   * it runs the follower is not probed, so a large snapshot is not resent on every heartbeat answer
   * (etcd's "snapshot" progress state); an acknowledgement ends it early. Invariant: at most
   * electionTicksMin, and above 0 only in probe mode with the probe (the snapshot) outstanding.
   */
  snapshotWait: number;
}

/** A client write the leader appended and must answer once it is applied. */
export interface PendingProposal {
  readonly request: ClientRequest;
  /** The node whose client asked: this node, or the follower that forwarded the request. */
  readonly origin: NodeId;
}

/** A linearizable read waiting for leadership confirmation and for the state machine to catch up. */
export interface PendingRead {
  readonly request: ClientRequest;
  readonly origin: NodeId;
  /** The ReadIndex round; confirmed once a quorum acknowledged a heartbeat carrying readSeq ≥ seq. */
  readonly seq: number;
  /** The commit index when the read arrived; null until the leader has committed an entry of its term. */
  index: LogIndex | null;
  confirmed: boolean;
}

export interface NodeState {
  readonly config: RaftConfig;

  // Persistent state (Raft Figure 2); mirrored to disk through Persist outputs.
  /** Invariant: never decreases. */
  term: Term;
  /** Invariant: set at most once per term; null when the node has not voted in `term`. */
  vote: NodeId | null;
  /** Invariant: log[i].index === logStart.index + i + 1; terms never decrease along the log and are ≤ term. */
  log: Entry[];
  /** Where the log begins (log compaction, Raft §7): (0, 0) until the first compaction. Invariant: ≤ snapshot's index. */
  logStart: LogStart;
  /** The latest snapshot of the state machine (null until the first). Invariant: index ≤ applied. */
  snapshot: Snapshot | null;
  /**
   * The configuration in force (thesis §4.1): the last configuration entry in the log, else the
   * snapshot's, else the bootstrap one (config.peers). Derived from the durable state, so rebuilt
   * on a restart and on every change of the log; shared, never mutated.
   */
  members: Membership;
  /** The index of the entry that holds `members`: the snapshot's index for its configuration, 0 for the bootstrap one. */
  configIndex: LogIndex;

  // Volatile state.
  role: Role;
  /** The leader of `term` as far as this node knows. Invariant: role = leader ⇒ leader = id. */
  leader: NodeId | null;
  /** Invariant: applied ≤ commit ≤ lastIndex; never decreases until a restart. */
  commit: LogIndex;
  /** Invariant: applied ≤ commit; entries are applied in log order. */
  applied: LogIndex;
  /** Ticks since the last election-timer reset (followers, candidates) or check-quorum round (leader). */
  electionElapsed: number;
  /** Invariant: electionTicksMin ≤ electionTimeout < electionTicksMax; redrawn on each reset (Raft §5.2). */
  electionTimeout: number;
  /** Leader only: ticks since the last heartbeat. Invariant: < heartbeatTicks after each tick. */
  heartbeatElapsed: number;
  /** Pre-candidate/candidate: responses received in the current round (true = granted). */
  votes: Map<NodeId, boolean>;
  /** Counts this node's pre-vote rounds; only answers to the current one are counted. */
  preVoteRound: number;
  /** Leader only: one entry per peer except this node. Empty otherwise. */
  progress: Map<NodeId, Progress>;
  /**
   * Leader only: its own log is durable up to here, as acknowledged to itself once the caller has
   * persisted it (etcd raft's self-ack); only this counts towards commit, so a leader never commits
   * an entry that is not on its own disk. Invariant: ≤ lastIndex; 0 on becoming leader.
   */
  selfMatch: LogIndex;
  /** The node's random stream; only election timeouts draw from it. */
  rng: RngState;
  kv: KvState;
  /** Leader only: client writes by log index. Invariant: size + reads.length ≤ pendingRequestsMax. */
  proposals: Map<LogIndex, PendingProposal>;
  /** Leader only: reads in ReadIndex order (ascending seq). */
  reads: PendingRead[];
  /** Leader only: the newest ReadIndex round started in this term. */
  readSeq: number;
  /**
   * Leader only: the node leadership is being handed to (thesis §3.10), null when none. While set
   * the leader takes no new writes. Invariant: a peer, and null unless leader.
   */
  transferee: NodeId | null;
  /** Leader only: ticks since the transfer began; it is given up after electionTicksMin. */
  transferElapsed: number;
}

/** A fresh node with empty durable state. */
export function newNode(config: RaftConfig): NodeState {
  const node: NodeState = {
    config,
    term: term(0),
    vote: null,
    log: [],
    logStart: NO_LOG_START,
    snapshot: null,
    members: bootstrapMembers(config),
    configIndex: logIndex(0),
    role: 'follower',
    leader: null,
    commit: logIndex(0),
    applied: logIndex(0),
    electionElapsed: 0,
    electionTimeout: config.electionTicksMin,
    heartbeatElapsed: 0,
    votes: new Map(),
    preVoteRound: 0,
    progress: new Map(),
    selfMatch: logIndex(0),
    rng: seedRng(config.seed),
    kv: newKv(),
    proposals: new Map(),
    reads: [],
    readSeq: 0,
    transferee: null,
    transferElapsed: 0,
  };
  resetElectionTimer(node);
  return node;
}

/**
 * Restart from durable state: everything volatile is rebuilt; the random stream continues. The
 * configuration is left at the bootstrap one: the caller (step) puts in force the one the log holds.
 * With a snapshot, the state machine restarts from it (commit = applied = its index). A snapshot
 * taken past the end of the durable log (entries applied before they were synced here) or over a
 * log that does not hold its entry replaces the log: the log then begins at the snapshot — and the
 * restart step persists that (Persist.compact), so storage does not keep the stale log. Returns
 * whether it did.
 */
export function restartNode(node: NodeState, durable: DurableState): boolean {
  node.term = durable.term;
  node.vote = durable.vote;
  node.log = [...durable.log];
  node.logStart = durable.logStart ?? NO_LOG_START;
  const snap = durable.snapshot ?? null;
  node.snapshot = snap;
  const reconciled = snap !== null && termAt(node, snap.index) !== snap.term;
  if (reconciled) {
    node.log = [];
    node.logStart = { index: snap.index, term: snap.term };
  }
  node.members = bootstrapMembers(node.config);
  node.configIndex = logIndex(0);
  node.role = 'follower';
  node.leader = null;
  node.commit = snap?.index ?? logIndex(0);
  node.applied = snap?.index ?? logIndex(0);
  node.heartbeatElapsed = 0;
  node.votes = new Map();
  node.progress = new Map();
  node.selfMatch = logIndex(0);
  node.kv = snap === null ? newKv() : kvFromSnapshot(snap);
  node.proposals = new Map();
  node.reads = [];
  node.readSeq = 0;
  node.transferee = null;
  node.transferElapsed = 0;
  resetElectionTimer(node);
  return reconciled;
}

export function durableOf(node: NodeState): DurableState {
  const d = { term: node.term, vote: node.vote, log: [...node.log] };
  return node.snapshot === null && node.logStart.index === 0 ? d : { ...d, snapshot: node.snapshot, logStart: node.logStart };
}

/** A deep copy (checkpoints, property tests). Entries and requests are immutable and shared. */
export function cloneNode(node: NodeState): NodeState {
  const progress = new Map<NodeId, Progress>();
  for (const [id, p] of node.progress) progress.set(id, { ...p, inflight: [...p.inflight] });
  return {
    ...node,
    log: [...node.log],
    votes: new Map(node.votes),
    progress,
    kv: cloneKv(node.kv),
    proposals: new Map(node.proposals),
    reads: node.reads.map((r) => ({ ...r })),
  };
}

/** Raft §5.2: randomized timeouts make split votes rare. */
export function resetElectionTimer(node: NodeState): void {
  node.electionElapsed = 0;
  const [timeout, rng] = nextIntIn(node.rng, node.config.electionTicksMin, node.config.electionTicksMax);
  node.electionTimeout = timeout;
  node.rng = rng;
}

/** Collects the outputs of one step. Handlers append to it; `finish` builds the StepOutputs. */
const NONE: readonly never[] = Object.freeze([]);

export class StepContext {
  // Most steps (quiet ticks) produce no messages, applied entries or replies: the lists are
  // created on first use, and an untouched one is the shared frozen empty list.
  private sent: Message[] | null = null;
  private appliedList: AppliedEntry[] | null = null;
  private replyList: ClientReply[] | null = null;
  // Nearly nine steps in ten fire one rule: the list starts as a one-element literal, not an empty
  // list whose first push reserves room for sixteen.
  private reasonList: ReasonCode[] | null = null;
  /** The smallest log index written in this step, or null when the log was not written. */
  logWrittenFrom: LogIndex | null = null;
  /** A snapshot was taken or installed in this step (the persist carries it and the new log start). */
  compacted = false;
  // The node as it was when the step began (for the persist output and the step's own checks).
  readonly termBefore: Term;
  readonly voteBefore: NodeId | null;
  readonly commitBefore: LogIndex;
  readonly roleBefore: Role;
  readonly lastIndexBefore: number;

  constructor(readonly node: NodeState) {
    this.termBefore = node.term;
    this.voteBefore = node.vote;
    this.commitBefore = node.commit;
    this.roleBefore = node.role;
    this.lastIndexBefore = node.logStart.index + node.log.length;
  }

  /** Records a rule that fired (a rule firing several times in a row is recorded once). */
  note(reason: ReasonCode): void {
    const r = this.reasonList;
    if (r === null) this.reasonList = [reason];
    else if (r[r.length - 1] !== reason) r.push(reason);
  }

  /** The rules that fired so far, in order. */
  get reasons(): readonly ReasonCode[] {
    return this.reasonList ?? NONE;
  }

  send(message: Message): void {
    (this.sent ??= []).push(message);
  }

  apply(entry: AppliedEntry): void {
    (this.appliedList ??= []).push(entry);
  }

  reply(reply: ClientReply): void {
    (this.replyList ??= []).push(reply);
  }

  get messages(): readonly Message[] {
    return this.sent ?? NONE;
  }

  get applied(): readonly AppliedEntry[] {
    return this.appliedList ?? NONE;
  }

  get replies(): readonly ClientReply[] {
    return this.replyList ?? NONE;
  }

  markLogWritten(from: LogIndex): void {
    if (this.logWrittenFrom === null || from < this.logWrittenFrom) this.logWrittenFrom = from;
  }
}
