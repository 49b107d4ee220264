// Data types of the Raft core: identifiers, log entries, messages, inputs and outputs.
// Everything here is plain data (no classes, no functions), so it can be cloned, hashed,
// serialized into traces and sent over a wire unchanged.

/** A node's name, e.g. "n1". Branded so it is not mixed up with client ids or keys. */
export type NodeId = string & { readonly __brand: 'NodeId' };
/** A Raft term (Raft §5.1). Branded: mixing terms and log indexes is a classic Raft bug. */
export type Term = number & { readonly __brand: 'Term' };
/** A 1-based position in the replicated log; 0 means "before the first entry". */
export type LogIndex = number & { readonly __brand: 'LogIndex' };
/** A client's name; with a sequence number it identifies one request (thesis §6.3). */
export type ClientId = string & { readonly __brand: 'ClientId' };

export const nodeId = (s: string): NodeId => s as NodeId;
export const term = (n: number): Term => n as Term;
export const logIndex = (n: number): LogIndex => n as LogIndex;
export const clientId = (s: string): ClientId => s as ClientId;

// ---------------------------------------------------------------------------------------------
// Key/value operations (the state machine inside the core)

export type KvOp =
  | { readonly type: 'get'; readonly key: string }
  | { readonly type: 'put'; readonly key: string; readonly value: string }
  | { readonly type: 'delete'; readonly key: string }
  /** Compare-and-set: succeeds only when the current value equals `expected` (null: key absent). */
  | { readonly type: 'cas'; readonly key: string; readonly expected: string | null; readonly value: string }
  | { readonly type: 'append'; readonly key: string; readonly value: string };

/** Operations that change state and therefore go through the log. */
export type KvWriteOp = Exclude<KvOp, { type: 'get' }>;

/**
 * The result of one KV operation.
 * get: ok=true, value = current value (null when absent) · put/append: ok=true, value = new value ·
 * delete: ok = whether the key existed, value = null · cas: ok = whether it matched, value = value after.
 * A put, append or cas that would make a value longer than MAX_VALUE_LENGTH (kv.ts): ok=false,
 * nothing changed, value = the current value.
 */
export interface KvResult {
  readonly ok: boolean;
  readonly value: string | null;
}

/** One client request; (client, seq) identifies it across retries so it is applied at most once. */
export interface ClientRequest {
  readonly client: ClientId;
  /** Invariant: a client's writes carry strictly increasing seq; a retry reuses the same seq. */
  readonly seq: number;
  readonly op: KvOp;
}

/** What happened to a client request. */
export type ClientOutcome =
  /** Applied (writes) or served by ReadIndex (reads). A duplicate retry gets the original result. */
  | { readonly status: 'ok'; readonly result: KvResult }
  /** Definitely not applied: this node is not the leader; try `leaderHint` (null: unknown). */
  | { readonly status: 'not-leader'; readonly leaderHint: NodeId | null }
  /** The leader lost leadership before answering: the write may or may not be applied. Retry with the same seq. */
  | { readonly status: 'leadership-lost' }
  /** Definitely not applied: the leader has too many requests pending. */
  | { readonly status: 'overloaded' }
  /** This copy was not applied: the session had already applied a later seq for this client (an
   *  earlier copy of the same request may have been applied and answered ok). */
  | { readonly status: 'stale-sequence' };

export interface ClientReply {
  readonly client: ClientId;
  readonly seq: number;
  readonly outcome: ClientOutcome;
}

// ---------------------------------------------------------------------------------------------
// The replicated log

/**
 * A cluster configuration (thesis chapter 4): who votes, and who only receives the log. A learner
 * is a server being added: it catches up without counting towards any quorum (thesis §4.2.1).
 * Invariant: voters and learners are disjoint, without duplicates; voters is not empty once a
 * cluster is running (a joining node starts with neither and waits to be added).
 */
export interface Membership {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
  /**
   * Where a real cluster reaches each member, by id: opaque to the core, carried from one
   * configuration to the next (so a node learns how to reach a member added after it started, as
   * etcd's member list does). Absent in the simulator.
   */
  readonly addresses?: Readonly<Record<string, string>>;
}

export type EntryData =
  /** Appended by every new leader so it can commit entries of its term (Raft §5.4.2, §8). */
  | { readonly type: 'noop' }
  | { readonly type: 'command'; readonly client: ClientId; readonly seq: number; readonly op: KvWriteOp }
  /**
   * A configuration change (thesis §4.1): one server added (as a learner), promoted, or removed. It
   * takes effect on every node as soon as it is in the node's log, committed or not.
   */
  | ({ readonly type: 'config' } & Membership);

export interface Entry {
  /** Invariant: the term of the leader that created it; never above the term of the log's owner. */
  readonly term: Term;
  /** Invariant: equals the entry's position in the log (1-based). */
  readonly index: LogIndex;
  readonly data: EntryData;
}

// ---------------------------------------------------------------------------------------------
// Messages between nodes (Raft Figure 2, pre-vote from thesis §9.6, ReadIndex from thesis §6.4)

interface MessageBase {
  readonly from: NodeId;
  readonly to: NodeId;
  /**
   * The sender's current term — except PreVote, which carries the term the sender would campaign
   * for (its term + 1), and a granted PreVoteResp, which echoes that term (thesis §9.6).
   * Client messages carry 0: they are outside the term rules.
   */
  readonly term: Term;
}

export interface PreVote extends MessageBase {
  readonly type: 'PreVote';
  readonly lastLogIndex: LogIndex;
  readonly lastLogTerm: Term;
  /** The sender's pre-vote round; answers carry it back so a late grant from an earlier round is not counted. */
  readonly round: number;
}
export interface PreVoteResp extends MessageBase {
  readonly type: 'PreVoteResp';
  readonly granted: boolean;
  /** The round of the PreVote this answers. */
  readonly round: number;
}
export interface RequestVote extends MessageBase {
  readonly type: 'RequestVote';
  readonly lastLogIndex: LogIndex;
  readonly lastLogTerm: Term;
  /**
   * Present (true) only when the candidate campaigns because its leader told it to (TimeoutNow): the
   * leader is handing over, so voters do not hold to its lease (thesis §3.10, §4.2.3).
   */
  readonly transfer?: true;
}
/** A leader handing over tells the transferee, which holds its whole log, to campaign at once (thesis §3.10). */
export interface TimeoutNow extends MessageBase {
  readonly type: 'TimeoutNow';
}
export interface RequestVoteResp extends MessageBase {
  readonly type: 'RequestVoteResp';
  readonly granted: boolean;
}
export interface AppendEntries extends MessageBase {
  readonly type: 'AppendEntries';
  readonly prevLogIndex: LogIndex;
  readonly prevLogTerm: Term;
  /** Invariant: contiguous, starting at prevLogIndex + 1. */
  readonly entries: readonly Entry[];
  /** The leader's commit index. */
  readonly commit: LogIndex;
}
export type AppendEntriesResp = MessageBase & { readonly type: 'AppendEntriesResp' } & (
    | {
        readonly success: true;
        /** The follower's log matches the leader's up to here (prevLogIndex + entries accepted). */
        readonly matchIndex: LogIndex;
      }
    | {
        readonly success: false;
        /** prevLogIndex of the rejected request, so the leader can tell stale rejections apart. */
        readonly rejectedIndex: LogIndex;
        /** Fast backtracking (Raft §5.3): first index of conflictTerm in the follower's log, or its lastIndex+1. */
        readonly conflictIndex: LogIndex;
        /** The follower's term at rejectedIndex; 0 when the follower's log is too short. */
        readonly conflictTerm: Term;
      }
  );
/**
 * The leader's state machine at a log index, for a follower that needs entries the leader has
 * compacted away (Raft §7). Answered with an AppendEntriesResp (success: matchIndex = the index).
 */
export interface InstallSnapshot extends MessageBase {
  readonly type: 'InstallSnapshot';
  readonly snapshot: Snapshot;
}
export interface Heartbeat extends MessageBase {
  readonly type: 'Heartbeat';
  /** min(leader's commit, follower's match): the follower is known to hold the entries up to it. */
  readonly commit: LogIndex;
  /** The newest ReadIndex round the leader started; echoed back to confirm leadership (thesis §6.4). */
  readonly readSeq: number;
}
export interface HeartbeatResp extends MessageBase {
  readonly type: 'HeartbeatResp';
  readonly readSeq: number;
}
/** A follower relays a client's request to the leader it knows. */
export interface ClientForward extends MessageBase {
  readonly type: 'ClientForward';
  readonly request: ClientRequest;
}
/** The leader's answer to a forwarded request, sent back to the node the client talks to. */
export interface ClientForwardReply extends MessageBase {
  readonly type: 'ClientForwardReply';
  readonly reply: ClientReply;
}

export type Message =
  | PreVote
  | PreVoteResp
  | RequestVote
  | RequestVoteResp
  | AppendEntries
  | AppendEntriesResp
  | InstallSnapshot
  | Heartbeat
  | HeartbeatResp
  | ClientForward
  | ClientForwardReply
  | TimeoutNow;

export type MessageType = Message['type'];

// ---------------------------------------------------------------------------------------------
// Inputs and outputs of `step`

/**
 * The state machine as of a committed log index (Raft §7): the KV data and the client sessions,
 * as plain lists so a snapshot can be hashed, sent and written as JSON.
 */
export interface Snapshot {
  readonly index: LogIndex;
  /** The term of the entry at `index`. */
  readonly term: Term;
  readonly data: readonly (readonly [key: string, value: string])[];
  readonly sessions: readonly (readonly [client: ClientId, lastSeq: number, lastResult: KvResult])[];
  /**
   * The configuration in force at `index` (thesis §5.1: a snapshot carries the latest configuration
   * it covers). Absent: the cluster's bootstrap configuration (no change was made up to `index`).
   */
  readonly config?: Membership;
}

/** Where a compacted log begins: entries up to `index` are gone; `term` is the term of the entry at `index`. */
export interface LogStart {
  readonly index: LogIndex;
  readonly term: Term;
}

/** What survives a crash: Raft Figure 2 "persistent state on all servers", plus the snapshot (§7). */
export interface DurableState {
  readonly term: Term;
  readonly vote: NodeId | null;
  /** The entries after `logStart` (after index 0 when there is none). */
  readonly log: readonly Entry[];
  /** Only with log compaction (config.snapshotEntries > 0): the latest snapshot and where the log begins. */
  readonly snapshot?: Snapshot | null;
  readonly logStart?: LogStart | null;
}

export type Input =
  /** One tick of the node's logical clock; timeouts are counted in ticks. */
  | { readonly type: 'tick' }
  | { readonly type: 'receive'; readonly message: Message }
  | { readonly type: 'clientRequest'; readonly request: ClientRequest }
  /** The process restarts with only what it had made durable; all volatile state is rebuilt. */
  | { readonly type: 'restart'; readonly durable: DurableState }
  /** An operator asks this node, if it leads, to hand leadership to `to` (thesis §3.10). */
  | { readonly type: 'transferLeadership'; readonly to: NodeId }
  /**
   * An operator asks this node, if it leads, to change the configuration by one server (thesis
   * §4.1): `add` brings `node` in as a learner, promoted to voter by the leader once it has caught
   * up (§4.2.1); `remove` takes it out (a voter or a learner; the leader itself too, §4.2.2).
   */
  | {
      readonly type: 'changeMembership';
      readonly action: 'add' | 'remove';
      readonly node: NodeId;
      /** Addresses the operator's node knows (Membership.addresses), merged into the new configuration's for its members. */
      readonly addresses?: Readonly<Record<string, string>>;
    };

/**
 * What must be written to stable storage.
 * Contract: the caller writes the persists of successive steps in order, and before it sends a
 * step's messages or delivers its replies, every persist up to and including that step's is durable
 * (Raft Figure 2: "respond to RPCs only after updating stable storage"). A step may repeat an earlier
 * promise without persisting anything (a duplicate vote request answered again), so "this step's
 * persist" alone is not enough — as with etcd raft's in-order Ready handling.
 * One allowance (thesis §10.2.1, as etcd does): a leader's AppendEntries, Heartbeat and
 * InstallSnapshot (see `mayLeaveBeforePersist`) may be sent before its own persist is durable — they
 * promise nothing about its disk, and the leader counts its own entries towards commit only through
 * the self-acknowledgement, which does wait.
 */
export interface Persist {
  /** The new term and vote, when either changed in this step. */
  readonly hardState: { readonly term: Term; readonly vote: NodeId | null } | null;
  /** Delete every entry at index ≥ from, then append `entries` (entries[0].index === from). */
  readonly log: { readonly from: LogIndex; readonly entries: readonly Entry[] } | null;
  /**
   * Only with log compaction. Applied BEFORE `log`: store `snapshot` (replacing the older one),
   * then drop the entries up to `logStart.index` — keeping those after it when the stored entry at
   * `logStart.index` has `logStart.term`, else dropping every stored entry (a follower that
   * installed a leader's snapshot over a log that did not match).
   */
  readonly compact?: { readonly snapshot: Snapshot; readonly logStart: LogStart } | null;
}

/** An entry applied to the state machine, in log order. */
export interface AppliedEntry {
  readonly index: LogIndex;
  readonly term: Term;
  readonly data: EntryData;
  /** The state machine's answer; null for no-ops and stale retries (a duplicate repeats the first answer). */
  readonly result: KvResult | null;
  /** 'duplicate': a retry of a request already applied (session dedup, thesis §6.3). */
  readonly effect: 'noop' | 'applied' | 'duplicate' | 'stale';
}

export interface StepOutputs {
  readonly persist: Persist | null;
  readonly messages: readonly Message[];
  readonly applied: readonly AppliedEntry[];
  readonly replies: readonly ClientReply[];
  /** The Raft rules that fired, in order (never empty). See REASONS in reasons.ts. */
  readonly reasons: readonly ReasonCode[];
}

export type { ReasonCode } from './reasons';
import type { ReasonCode } from './reasons';

export type Role = 'follower' | 'pre-candidate' | 'candidate' | 'leader';
