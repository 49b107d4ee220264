// Safety invariants, checked after every step, incrementally: the eight of etcd's tla/etcdraft.tla
// in their full form, plus state machine safety, monotonic term/commit, leader append-only, one
// vote per term across restarts, message terms, and acknowledged writes being committed.
//
// Each node's log is summarized by prefix hashes (two 32-bit lanes), so "is Committed(i) a prefix
// of log j" is one comparison. G, the longest committed log ever observed, is extended as commit
// indexes advance; because committed entries never change in Raft, several checks use G, which is
// stronger than the instantaneous TLA+ form (a committed entry that later vanishes is caught too).
// Nodes that refused to start because of disk corruption take no part (they never vote again).
//
// Log compaction (core snapshotEntries): a node's log is viewed with its start (core LogView);
// positions it compacted away are read as G's — a node compacts only what it applied, so committed,
// and CompactionInv checks that — and every snapshot is checked against a reference state machine
// fed with G (SnapshotInv).
import {
  describeEntry,
  NO_LOG_START,
  type ClientId,
  type ClientOutcome,
  type Entry,
  type KvResult,
  type LogIndex,
  type LogView,
  type Message,
  type NodeId,
  type NodeState,
  type Progress,
  type Role,
  type Snapshot,
  type StepOutputs,
  type Term,
} from '../core';
import type { KvState } from '../core';
import { ReferenceKv, sameResult, type ReferenceOutcome } from './reference-kv';
import type { Disk } from './disk';
import { entryHash, mix } from './hash';

export const INVARIANTS = {
  LogInv: "committed logs never conflict: each node's committed prefix is a prefix of every longer one (etcdraft.tla)",
  MoreThanOneLeaderInv: 'two nodes that are both leaders have different terms (etcdraft.tla)',
  OneLeaderPerTerm: 'at most one node is ever elected leader of a term, even at different times (Raft §5.2 Election Safety)',
  ElectionSafetyInv: 'a leader holds the highest index among all entries of its own term (etcdraft.tla)',
  LogMatchingInv: 'two logs with an entry of the same term at an index are identical up to it (etcdraft.tla)',
  QuorumLogInv: 'every quorum has a member whose log contains every committed entry (etcdraft.tla)',
  MoreUpToDateCorrectInv:
    "a log at least as up to date as another, whose last term is not older than the other's commit, contains the other's committed entries (etcdraft.tla, corrected)",
  LeaderCompletenessInv: 'an entry committed in a term is in the log of every leader of a later term (Raft §5.4; etcdraft.tla, by commit term)',
  CommittedIsDurableInv:
    "a leader never commits beyond what its own disk holds (etcdraft.tla; not with early appends, where followers' disks can make the quorum)",
  CommittedOnQuorumInv: 'every committed entry is on the synced disks of a quorum when it is committed (Raft §5.3; what early appends still guarantee)',
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

/**
 * Whether node n's disk holds, synced, the entry of `term` at `index` (by Log Matching, then the
 * whole committed prefix) — or compacted it into a snapshot. An ack says exactly this, so a quorum
 * of such disks is what "committed" promises (Raft §5.3; with early appends, thesis §10.2.1).
 *
 * A node counts whatever its status: a node that refused to start because bit rot hit its disk
 * (outside Raft's fault model) still holds what it acked — rot breaks a record's checksum, not its
 * content (disk.ts) — and it never votes or acks again, so it can be in no second quorum. Leaving
 * such nodes out raised a false alarm when an ack sent before the crash arrived after the death
 * (sim/README.md, "CommittedOnQuorumInv").
 */
function holdsSynced(n: CheckedNode, index: number, term: Term): boolean {
  const d = n.disk;
  if (d.syncedLength < index) return false;
  const start = d.start.index;
  if (index <= start) return true;
  return d.log[index - start - 1]?.term === term;
}

/** CheckQuorum's memory of one leader's term: its ticks as leader, and at which of them each peer last answered. */
interface QuorumSeen {
  readonly term: number;
  ticks: number;
  /** By node index: the leader's tick count when that follower last answered (-Infinity: never). */
  readonly heardAt: number[];
}

interface ProgressSeen {
  readonly term: number;
  selfMatch: number;
  /** By node index (arrays, not Maps: checked after every leader step). */
  readonly match: number[];
  readonly readAck: number[];
  readonly snapshotWait: number[];
}

/** "n3" → 2 (node names are n1…n9, as the simulator makes them). */
function indexOf(id: NodeId): number {
  return id.charCodeAt(1) - 49;
}

function leaseHeld(ticks: number, term: number, E: number): string {
  return `${ticks} ticks after it last heard from its leader of term ${term} (the lease lasts ${E})`;
}

/** How many of the cluster answered the leader within its last `within` ticks, itself included. */
function answeredWithin(seen: QuorumSeen, within: number): number {
  let n = 1;
  for (let k = 0; k < seen.heardAt.length; k++) if (seen.ticks - seen.heardAt[k]! <= within) n++;
  return n;
}

export interface StepBefore {
  readonly role: Role;
  readonly term: Term;
  readonly commit: LogIndex;
  readonly applied: LogIndex;
  readonly lastIndex: number;
  /** The step was a tick of the node's clock (not given: it was not). */
  readonly tick?: boolean;
}

const SEED_A = 0x51ed270b;
const SEED_B = 0x2f1b3c5d;

/** Prefix hashes of one log: a[k-1], b[k-1] summarize entries 1..k. */
class PrefixHashes {
  a: number[] = [];
  b: number[] = [];

  /**
   * Recomputes from index `from` (1-based) to the end of the log. Positions compacted away (up to
   * logStart) take G's prefix hashes: they are judged to be G's entries (CompactionInv makes sure
   * they are committed; a position G does not reach yet gets a hash nothing equals).
   */
  update(v: LogView, from: number, g: PrefixHashes | null = null): void {
    const off = v.logStart.index;
    const total = off + v.log.length;
    const start = Math.max(0, Math.min(from - 1, this.a.length));
    if (start < this.a.length) {
      this.a.length = start;
      this.b.length = start;
    }
    let ha = start === 0 ? SEED_A : this.a[start - 1]!;
    let hb = start === 0 ? SEED_B : this.b[start - 1]!;
    for (let k = start; k < total; k++) {
      if (k < off) {
        ha = g !== null && k < g.a.length ? g.a[k]! : NaN;
        hb = g !== null && k < g.b.length ? g.b[k]! : NaN;
      } else {
        const h = entryHash(v.log[k - off]!);
        ha = mix(ha, h.a);
        hb = mix(hb, h.b);
      }
      this.a.push(ha);
      this.b.push(hb);
    }
  }

  get length(): number {
    return this.a.length;
  }
}

function samePrefix(x: PrefixHashes, y: PrefixHashes, k: number): boolean {
  if (k === 0) return true;
  if (x.length < k || y.length < k) return false;
  return x.a[k - 1] === y.a[k - 1] && x.b[k - 1] === y.b[k - 1];
}

const lastOf = (v: LogView): number => v.logStart.index + v.log.length;
const lastTermOf = (v: LogView): number => (v.log.length === 0 ? v.logStart.term : v.log[v.log.length - 1]!.term);

/**
 * The largest index whose entry has term ≤ t (terms never decrease along a log), among the entries
 * held; when every held entry is newer, the log start (its term is ≤ theirs).
 */
function lastIndexAtOrBelow(v: LogView, t: number): number {
  const log = v.log;
  let lo = 0;
  let hi = log.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (log[mid]!.term <= t) lo = mid + 1;
    else hi = mid;
  }
  return v.logStart.index + lo;
}

/**
 * The last index of an entry of term t (0: none). Over a compacted prefix the answer can only be
 * "at or before the log start", which is what the checks below compare (a leader's entries of its own
 * term are never compacted before they are committed, and then G speaks for them).
 */
function lastIndexOfTerm(v: LogView, t: number): number {
  const k = lastIndexAtOrBelow(v, t);
  const off = v.logStart.index;
  if (k > off) return v.log[k - off - 1]!.term === t ? k : 0;
  return off > 0 && v.logStart.term === t ? off : 0;
}

function isUpToDate(a: LogView, b: LogView): boolean {
  const ta = lastTermOf(a);
  const tb = lastTermOf(b);
  return ta > tb || (ta === tb && lastOf(a) >= lastOf(b));
}

/** An order-independent fingerprint of a state machine (data and sessions). */
function kvFingerprint(data: Iterable<readonly [string, string]>, sessions: Iterable<readonly [ClientId, number, KvResult]>): string {
  const d = [...data].map(([k, v]) => JSON.stringify([k, v])).sort();
  const ss = [...sessions].map(([c, seq, r]) => JSON.stringify([c, seq, r.ok, r.value])).sort();
  return `${d.join(',')}|${ss.join(',')}`;
}

function referenceFingerprint(kv: ReferenceKv): string {
  return kvFingerprint(
    kv.data,
    [...kv.sessions].map(([c, x]) => [c, x.seq, x.result] as const),
  );
}

function snapshotFingerprint(s: Snapshot): string {
  return kvFingerprint(s.data, s.sessions);
}

export class InvariantChecker {
  private readonly hashes: PrefixHashes[];
  /** The log each node is judged by: its memory when running, its disk after a crash. */
  private readonly views: LogView[];
  private readonly G = new PrefixHashes();
  private readonly committed: Entry[] = [];
  /** The term in which each entry of G was committed (of the node that committed it first; non-decreasing). */
  private readonly commitTerms: number[] = [];
  private readonly committedIndexOf = new Map<string, number>();
  private readonly appliedAt: { a: number; b: number }[] = [];
  private readonly votes: Map<number, NodeId>[];
  private readonly diskTerms: number[];
  /** Ticks each node took since it last granted a vote (Infinity: none since it started). */
  private readonly ticksSinceVote: number[];
  /** Who was elected leader of each term (Election Safety over the whole run). */
  private readonly leaderOfTerm = new Map<number, number>();
  /** ProgressInv's memory: what each leader's progress said after its previous step in its term. */
  private readonly progressSeen: (ProgressSeen | null)[];
  private readonly quorumSeen: (QuorumSeen | null)[];
  /**
   * LeaseRespected's memory: each follower's leader's term (-1: no lease held), and its ticks since
   * that leader was last heard. (Flat numbers: these checks run after every step of every node.)
   */
  private readonly leaseTerm: number[];
  private readonly leaseTicks: number[];
  private readonly enabled: ReadonlySet<InvariantName>;
  /** The state machine's definition (reference-kv.ts) fed with G: what applying each committed index gives. */
  private readonly refKv: ReferenceKv;
  private readonly refOutcomes: (ReferenceOutcome | null)[] = [];
  /** With compaction: the reference state machine's fingerprint after each committed index. */
  private readonly refAt: string[] | null;
  step = 0;
  time = 0;

  constructor(
    private readonly nodes: readonly CheckedNode[],
    private readonly quorum: number,
    enabled: readonly string[] | null,
    opts: { readonly earlyAppends?: boolean } = {},
  ) {
    this.hashes = nodes.map(() => new PrefixHashes());
    this.views = nodes.map((n) => n.state);
    this.refKv = new ReferenceKv(nodes[0]?.state.kv.sessionsMax);
    this.refAt = nodes.some((n) => n.state.config.snapshotEntries > 0) ? [] : null;
    this.votes = nodes.map(() => new Map());
    this.diskTerms = nodes.map(() => 0);
    this.ticksSinceVote = nodes.map(() => Number.POSITIVE_INFINITY);
    this.progressSeen = nodes.map(() => null);
    this.quorumSeen = nodes.map(() => null);
    this.leaseTerm = nodes.map(() => -1);
    this.leaseTicks = nodes.map(() => 0);
    const on = new Set((enabled ?? INVARIANT_NAMES) as InvariantName[]);
    // With early appends a leader may commit what only its followers' disks hold (thesis §10.2.1).
    if (opts.earlyAppends === true) on.delete('CommittedIsDurableInv');
    this.enabled = on;
  }

  /** The longest committed log observed so far. */
  get committedLog(): readonly Entry[] {
    return this.committed;
  }

  /**
   * The state machine after the first `index` committed entries, as a fingerprint (data and client
   * sessions), computed from the committed log G alone: what every replica must hold once it has
   * applied that far, whatever snapshots it took or installed on the way.
   */
  referenceStateAt(index: number, sessionsMax: number): string | null {
    if (index > this.committed.length) return null;
    const kv = new ReferenceKv(sessionsMax);
    for (let k = 0; k < index; k++) {
      const e = this.committed[k]!;
      if (e.data.type === 'command') kv.apply(e.data.client, e.data.seq, e.data.op);
    }
    return referenceFingerprint(kv);
  }

  /** A running node's state machine, as the same kind of fingerprint. */
  static stateOf(kv: KvState): string {
    return kvFingerprint(
      kv.data,
      [...kv.sessions].map(([c, x]) => [c, x.lastSeq, x.lastResult] as const),
    );
  }

  private live(i: number): boolean {
    return this.nodes[i]!.status !== 'dead';
  }

  private isLeader(i: number): boolean {
    const n = this.nodes[i]!;
    return (n.status === 'up' || n.status === 'paused') && n.state.role === 'leader';
  }

  private commitOf(i: number): number {
    const n = this.nodes[i]!;
    return n.status === 'up' || n.status === 'paused' ? n.state.commit : 0;
  }

  private fail(invariant: InvariantName, nodes: number[], message: string): Violation | null {
    if (!this.enabled.has(invariant)) return null;
    return { invariant, step: this.step, time: this.time, nodes: nodes.map((i) => this.nodes[i]!.id), message };
  }

  private name(i: number): string {
    return this.nodes[i]!.id;
  }

  /** The entry of node i's log at index k (a compacted one read from G). */
  private entryOf(i: number, k: number): Entry | undefined {
    const v = this.views[i]!;
    const off = v.logStart.index;
    return k > off ? v.log[k - off - 1] : this.committed[k - 1];
  }

  private termOf(i: number, k: number): number {
    return this.entryOf(i, k)!.term;
  }

  private entryAt(i: number, k: number): string {
    const e = this.entryOf(i, k);
    return e === undefined ? '(none)' : describeEntry(e);
  }

  /** After node i took a step (the core's outputs are given). */
  afterStep(i: number, out: StepOutputs, before: StepBefore): Violation | null {
    const n = this.nodes[i]!.state;
    this.views[i] = n;
    const compact = out.persist?.compact ?? null;
    const logFrom = out.persist?.log?.from ?? null;
    // A compaction rewrites the view of the log before its start (an installed snapshot may drop a
    // whole non-matching log): recompute from the beginning then.
    if (compact !== null) this.hashes[i]!.update(n, 1, this.G);
    else if (logFrom !== null) this.hashes[i]!.update(n, logFrom, this.G);
    const becameLeader = n.role === 'leader' && (before.role !== 'leader' || before.term !== n.term);
    if (n.role !== 'leader') this.progressSeen[i] = null;
    return (
      this.checkMonotonic(i, before) ??
      this.checkLeaderAppendOnly(i, before, logFrom) ??
      // (An installed snapshot may keep the log after it: that suffix must match the others too.)
      (logFrom !== null || compact !== null
        ? this.checkLogMatching(i, Math.min(logFrom ?? Infinity, compact !== null ? n.logStart.index + 1 : Infinity))
        : null) ??
      (logFrom !== null ? this.checkElectionSafetyOfAppends(i, logFrom) : null) ??
      (becameLeader ? this.checkElected(i) : null) ??
      (n.role === 'leader' && (becameLeader || logFrom !== null) ? this.checkLeader(i) : null) ??
      (n.commit !== before.commit || (logFrom !== null && logFrom <= n.commit) ? this.checkCommitted(i) : null) ??
      // After G took in what this step committed: a node may snapshot what it committed in the same step.
      (compact !== null ? this.checkCompaction(i, compact.snapshot) : null) ??
      (out.applied.length > 0 ? this.checkApplied(i, out) : null) ??
      (out.applied.length > 0 || n.applied !== before.applied ? this.checkAppliedInOrder(i, out, before.applied, compact?.snapshot.index ?? null) : null) ??
      (n.config.snapshotEntries > 0 ? this.checkCompactionCadence(i) : null) ??
      (logFrom !== null || n.commit !== before.commit ? this.checkQuorumAndUpToDate(i) : null) ??
      (n.role === 'leader' ? (this.checkDurable(i) ?? this.checkProgress(i, before.tick === true)) : null)
    );
  }

  /**
   * Timer rules, after any step of node i (`heard`: the message it took, if any). In correct Raft a
   * node resets its election timer when it grants a vote and whenever it hears from a leader or a
   * higher term, so when its timer fires at least electionTicksMin ticks have passed since its last
   * vote. And with check-quorum, see checkQuorum.
   */
  afterTimer(i: number, out: StepOutputs, tick: boolean, heard: Message | null = null): Violation | null {
    const s = this.nodes[i]!.state;
    const msgs = out.messages;
    let grantedPreVote: Message | null = null;
    for (let k = 0; k < msgs.length; k++) {
      const m = msgs[k]!;
      if (m.type === 'RequestVoteResp' && m.granted) this.ticksSinceVote[i] = -1;
      else if (m.type === 'PreVoteResp' && m.granted && grantedPreVote === null) grantedPreVote = m;
    }
    if (tick) {
      const since = ++this.ticksSinceVote[i]!;
      const min = s.config.electionTicksMin;
      if (since < min && out.reasons.includes('election.timeout')) {
        return this.fail(
          'ElectionTimerReset',
          [i],
          `${this.name(i)} started an election ${since} ticks after granting a vote (the election timeout is at least ${min} ticks)`,
        );
      }
    } else if (this.ticksSinceVote[i] === -1) {
      this.ticksSinceVote[i] = 0;
    }
    return this.checkLease(i, s, grantedPreVote, tick, heard) ?? (s.config.checkQuorum ? this.checkQuorum(i, s, out, tick, heard) : null);
  }

  /**
   * The lease (thesis §4.2.3, §9.6): a follower that took an append, heartbeat or snapshot from its
   * term's leader fewer than electionTicksMin of its ticks ago must refuse pre-votes and, with
   * check-quorum, ignore vote requests of higher terms, or a node that was partitioned away and
   * campaigned on its own forces a working leader out when it comes back. (The core may hold its
   * lease longer — a re-granted vote restarts its timer too — never shorter.)
   */
  private checkLease(i: number, s: NodeState, grantedPreVote: Message | null, tick: boolean, heard: Message | null): Violation | null {
    const term = this.leaseTerm[i]!;
    const ticks = this.leaseTicks[i]!;
    const E = s.config.electionTicksMin;
    if (term >= 0 && ticks < E) {
      if (grantedPreVote !== null)
        return this.fail('LeaseRespected', [i], `${this.name(i)} granted a pre-vote to ${grantedPreVote.to} ${leaseHeld(ticks, term, E)}`);
      if (heard !== null && heard.type === 'RequestVote' && s.config.checkQuorum && heard.term > term && s.term > term) {
        return this.fail(
          'LeaseRespected',
          [i],
          `${this.name(i)} took term ${s.term} from ${heard.from}'s vote request ${leaseHeld(ticks, term, E)}, with check-quorum on`,
        );
      }
    }
    if (s.role !== 'follower' || (term >= 0 && s.term !== term)) this.leaseTerm[i] = -1;
    if (
      heard !== null &&
      (heard.type === 'AppendEntries' || heard.type === 'Heartbeat' || heard.type === 'InstallSnapshot') &&
      s.role === 'follower' &&
      s.term === heard.term
    ) {
      this.leaseTerm[i] = heard.term;
      this.leaseTicks[i] = 0;
    } else if (tick && this.leaseTerm[i]! >= 0) {
      this.leaseTicks[i] = ticks + 1;
    }
    return null;
  }

  /**
   * Check-quorum (thesis §6.2), as etcd raft does it: every electionTicksMin ticks of its own (E),
   * a leader counts the followers that answered an append or a heartbeat since the previous count,
   * and steps down unless they and it make a quorum. So, counting ticks since each follower last
   * answered: a leader still leading after a tick had a quorum answer within its last 2E ticks (the
   * last count was under E ticks ago and looked back E ticks); and a leader that steps down had no
   * quorum answer within its last E ticks. A leader that never steps down keeps clients and
   * followers (which ignore votes while they hear from it) waiting; one that steps down while
   * healthy causes needless elections.
   */
  private checkQuorum(i: number, s: NodeState, out: StepOutputs, tick: boolean, heard: Message | null): Violation | null {
    let seen = this.quorumSeen[i] ?? null;
    const E = s.config.electionTicksMin;
    if (s.role !== 'leader') {
      this.quorumSeen[i] = null;
      if (seen === null || seen.term !== s.term || !tick || !out.reasons.includes('leader.step-down.check-quorum')) return null;
      seen.ticks++;
      const n = answeredWithin(seen, E);
      if (n < this.quorum) return null;
      return this.fail(
        'CheckQuorum',
        [i],
        `${this.name(i)} stepped down as leader of term ${s.term} by check-quorum, but ${n} of its cluster (itself included; a quorum is ${this.quorum}) answered it within the last ${E} ticks`,
      );
    }
    if (seen === null || seen.term !== s.term) {
      seen = { term: s.term, ticks: 0, heardAt: this.nodes.map(() => Number.NEGATIVE_INFINITY) };
      this.quorumSeen[i] = seen;
    }
    if (heard !== null && (heard.type === 'AppendEntriesResp' || heard.type === 'HeartbeatResp') && heard.term === s.term && s.progress.has(heard.from))
      seen.heardAt[indexOf(heard.from)] = seen.ticks;
    if (!tick) return null;
    seen.ticks++;
    if (seen.ticks <= 2 * E) return null;
    const n = answeredWithin(seen, 2 * E);
    if (n >= this.quorum) return null;
    return this.fail(
      'CheckQuorum',
      [i],
      `${this.name(i)} still leads term ${s.term} after ${seen.ticks} ticks, but only ${n} of its cluster (itself included; a quorum is ${this.quorum}) answered it within the last ${2 * E} ticks (check-quorum every ${E})`,
    );
  }

  /**
   * BacktrackHint, after node i took an AppendEntries (`heard`), or, as leader, a refusal of one.
   * Raft §5.3's optimization as the thesis states it (§3.5): a follower refusing an append says the
   * term of its conflicting entry and the first index it stores of that term; the leader skips back
   * past every entry of that term it does not share (to just after its own last entry of it, when it
   * has one), and never re-probes below what the follower is known to hold. Both are exact statements
   * about logs the checker can see, so a hint or a probe that is off by a single entry fails here —
   * in a correct Raft it would only cost round trips, which nothing else would notice.
   */
  afterAppendExchange(i: number, out: StepOutputs, heard: Message): Violation | null {
    if (!this.enabled.has('BacktrackHint')) return null;
    // (A step that compacted judged its log after the fact; no refusal or backtrack compacts.)
    if ((out.persist?.compact ?? null) !== null) return null;
    const s = this.nodes[i]!.state;
    const msgs = out.messages;
    for (let k = 0; k < msgs.length; k++) {
      const m = msgs[k]!;
      if (m.to !== heard.from) continue;
      if (heard.type === 'AppendEntries' && m.type === 'AppendEntriesResp' && !m.success) return this.checkHint(i, s, heard, m);
      if (heard.type === 'AppendEntriesResp' && !heard.success && m.type === 'AppendEntries' && s.role === 'leader' && heard.term === s.term)
        return this.checkProbe(i, s, heard, m);
    }
    return null;
  }

  private checkHint(
    i: number,
    s: NodeState,
    req: Extract<Message, { type: 'AppendEntries' }>,
    r: Extract<Message, { type: 'AppendEntriesResp'; success: false }>,
  ): Violation | null {
    const R = req.prevLogIndex;
    if (r.rejectedIndex !== R)
      return this.fail('BacktrackHint', [i], `${this.name(i)} refused ${req.from}'s append after index ${R} but named index ${r.rejectedIndex}`);
    // A refusal of a stale term only tells the sender the newer term; its hint is moot.
    if (s.term !== req.term) return null;
    const off = s.logStart.index;
    const last = off + s.log.length;
    let term = 0;
    let index = last + 1;
    if (R <= last) {
      // (A refused index at or before the log start is committed: a correct follower takes it.)
      if (R <= off) return null;
      term = s.log[R - off - 1]!.term;
      let j = R;
      while (j - 1 > off && s.log[j - 1 - off - 1]!.term === term) j--;
      index = Math.max(j, s.commit + 1);
    }
    if (r.conflictTerm === term && r.conflictIndex === index) return null;
    const holds =
      term === 0
        ? `holds no entry there (its log ends at ${last})`
        : `holds term ${term} there, that term's run starting at ${index === s.commit + 1 ? `${index} (above its commit ${s.commit})` : index}`;
    return this.fail(
      'BacktrackHint',
      [i],
      `${this.name(i)} refused ${req.from}'s append after index ${R} with the hint term ${r.conflictTerm}, index ${r.conflictIndex}, but it ${holds}: the hint should be term ${term}, index ${index}`,
    );
  }

  private checkProbe(
    i: number,
    s: NodeState,
    r: Extract<Message, { type: 'AppendEntriesResp'; success: false }>,
    probe: Extract<Message, { type: 'AppendEntries' }>,
  ): Violation | null {
    const match = s.progress.get(r.from)?.match ?? 0;
    const R = r.rejectedIndex;
    let next = r.conflictIndex as number;
    let own = 0;
    if (r.conflictTerm > 0) {
      // The leader's last entry of the hinted term at or below the refused index (its log start counts).
      const off = s.logStart.index;
      for (let k = Math.min(R, off + s.log.length); k > off && own === 0; k--) if (s.log[k - off - 1]!.term === r.conflictTerm) own = k;
      if (own === 0 && off > 0 && R >= off && s.logStart.term === r.conflictTerm) own = off;
      if (own > 0) next = own + 1;
    }
    const want = Math.max(Math.min(next, R), match + 1);
    if (probe.prevLogIndex + 1 === want) return null;
    const why =
      own > 0
        ? `its own last entry of term ${r.conflictTerm} is ${own}`
        : r.conflictTerm > 0
          ? `it holds no entry of term ${r.conflictTerm} up to ${R}, so the hint index ${r.conflictIndex} stands`
          : `the hint index is ${r.conflictIndex}`;
    return this.fail(
      'BacktrackHint',
      [i],
      `${this.name(i)} took ${r.from}'s refusal of index ${R} (hint term ${r.conflictTerm}, index ${r.conflictIndex}) and probed from ${probe.prevLogIndex + 1}, but ${why} and ${r.from} is known to hold ${match}: the probe should start at ${want}`,
    );
  }

  /**
   * LeaderHint, after a step of node i that answered clients (directly, or through the follower that
   * relayed the request; `heard`: the message it took, if any). A relayed answer carries the leader's
   * words, not this node's, so a relay is not judged here.
   */
  afterClientAnswers(i: number, out: StepOutputs, heard: Message | null): Violation | null {
    if (heard !== null && heard.type === 'ClientForwardReply') return null;
    const s = this.nodes[i]!.state;
    for (let k = 0; k < out.replies.length; k++) {
      const v = this.checkLeaderHint(i, s, out.replies[k]!.outcome, 'its client');
      if (v !== null) return v;
    }
    const msgs = out.messages;
    for (let k = 0; k < msgs.length; k++) {
      const m = msgs[k]!;
      if (m.type !== 'ClientForwardReply') continue;
      const v = this.checkLeaderHint(i, s, m.reply.outcome, `${m.to}'s client`);
      if (v !== null) return v;
    }
    return null;
  }

  private checkLeaderHint(i: number, s: NodeState, o: ClientOutcome, whom: string): Violation | null {
    if (o.status !== 'not-leader') return null;
    const want = s.leader === s.config.id ? null : s.leader;
    if (o.leaderHint === want && o.leaderHint !== s.config.id) return null;
    return this.fail(
      'LeaderHint',
      [i],
      `${this.name(i)} turned ${whom} away with the hint ${o.leaderHint ?? 'none'}, but after that step it ${s.leader === null ? 'follows no leader' : s.leader === s.config.id ? 'leads itself' : `follows ${s.leader}`}`,
    );
  }

  /** QuietLeader: the settle window's leader misbehaved on a quiet network (the simulator watches it). */
  quietLeader(i: number, message: string): Violation | null {
    return this.fail('QuietLeader', [i], message);
  }

  /** After node i crashed: it is judged by its disk from now on. */
  afterCrash(i: number, disk: { readonly log: readonly Entry[]; readonly logStart?: LogView['logStart'] | null }): Violation | null {
    this.ticksSinceVote[i] = Number.POSITIVE_INFINITY;
    this.quorumSeen[i] = null;
    this.progressSeen[i] = null;
    this.leaseTerm[i] = -1;
    const view: LogView = { log: disk.log, logStart: disk.logStart ?? NO_LOG_START };
    this.views[i] = view;
    this.hashes[i]!.update(view, 1, this.G);
    return this.checkLogMatching(i, 1) ?? this.checkQuorumAndUpToDate(i) ?? this.checkDiskTerm(i);
  }

  /** After node i refused to start (corrupt disk): it no longer takes part. */
  afterDeath(i: number): Violation | null {
    return this.checkQuorumAndUpToDate(i);
  }

  /** After node i restarted from its disk. */
  afterRestart(i: number): Violation | null {
    this.views[i] = this.nodes[i]!.state;
    this.hashes[i]!.update(this.views[i]!, 1, this.G);
    return null;
  }

  /** After node i's disk synced writes: its durable term must not have gone back. */
  afterSync(i: number): Violation | null {
    return this.checkDiskTerm(i);
  }

  /** A message leaves node i (after its writes are durable). */
  onSend(i: number, m: Message, senderTerm: Term): Violation | null {
    if (m.type === 'ClientForward' || m.type === 'ClientForwardReply') return null;
    const proposed = m.type === 'PreVote' || (m.type === 'PreVoteResp' && m.granted);
    if (!proposed && m.term > senderTerm) {
      return this.fail('MessageTermsLtCurrentTerm', [i], `${this.name(i)} sent ${m.type} with term ${m.term} while its term is ${senderTerm}`);
    }
    if (m.type === 'RequestVoteResp' && m.granted) {
      const prior = this.votes[i]!.get(m.term);
      if (prior !== undefined && prior !== m.to) {
        return this.fail('OneVotePerTerm', [i], `${this.name(i)} granted its vote in term ${m.term} to ${prior} and then to ${m.to}`);
      }
      this.votes[i]!.set(m.term, m.to);
    }
    return null;
  }

  /** A client got an ok answer for a write. */
  onWriteAcknowledged(client: string, seq: number, via: string): Violation | null {
    if (this.committedIndexOf.has(`${client}#${seq}`)) return null;
    return this.fail(
      'AckedWritesCommitted',
      [],
      `${client}#${seq} was acknowledged (through ${via}) but is not in the committed log (${this.committed.length} entries)`,
    );
  }

  private checkMonotonic(i: number, before: StepBefore): Violation | null {
    const n = this.nodes[i]!.state;
    if (n.term < before.term) return this.fail('MonotonicTerm', [i], `${this.name(i)}'s term went from ${before.term} to ${n.term}`);
    if (n.commit < before.commit) return this.fail('MonotonicCommit', [i], `${this.name(i)}'s commit index went from ${before.commit} to ${n.commit}`);
    return null;
  }

  private checkDiskTerm(i: number): Violation | null {
    const t = this.nodes[i]!.disk.term;
    if (t < this.diskTerms[i]!) return this.fail('MonotonicTerm', [i], `${this.name(i)}'s durable term went from ${this.diskTerms[i]} to ${t}`);
    this.diskTerms[i] = t;
    return null;
  }

  private checkLeaderAppendOnly(i: number, before: StepBefore, logFrom: number | null): Violation | null {
    const n = this.nodes[i]!.state;
    if (logFrom === null || before.role !== 'leader' || n.role !== 'leader' || n.term !== before.term || logFrom > before.lastIndex) return null;
    return this.fail(
      'LeaderAppendOnly',
      [i],
      `leader ${this.name(i)} of term ${n.term} rewrote its log from index ${logFrom} (it had ${before.lastIndex} entries)`,
    );
  }

  /** Entries from..end of node i against every other node with the same term at an index. */
  private checkLogMatching(i: number, from: number): Violation | null {
    const hi = this.hashes[i]!;
    const li = this.views[i]!;
    for (let j = 0; j < this.nodes.length; j++) {
      if (j === i || !this.live(j)) continue;
      const lj = this.views[j]!;
      const hj = this.hashes[j]!;
      const end = Math.min(lastOf(li), lastOf(lj));
      const oi = li.logStart.index;
      const oj = lj.logStart.index;
      const g = this.committed;
      // Positions both compacted are G's on both sides: start after them. (Hot loop: no calls.)
      for (let k = Math.max(from, 1, Math.min(oi, oj) + 1); k <= end; k++) {
        const t = k > oi ? li.log[k - oi - 1]!.term : g[k - 1]!.term;
        if (t !== (k > oj ? lj.log[k - oj - 1]!.term : g[k - 1]!.term)) continue;
        if (samePrefix(hi, hj, k)) continue;
        const d = this.firstDifference(hi, hj, k);
        return this.fail(
          'LogMatchingInv',
          [i, j],
          `${this.name(i)} and ${this.name(j)} both have an entry of term ${t} at index ${k}, but their logs differ at index ${d} (${this.name(i)}: ${this.entryAt(i, d)}; ${this.name(j)}: ${this.entryAt(j, d)})`,
        );
      }
    }
    return null;
  }

  private firstDifference(x: PrefixHashes, y: PrefixHashes, k: number): number {
    let lo = 1;
    let hi = k;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (samePrefix(x, y, mid)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** New entries of node i must not pass a current leader's last entry of their term. */
  private checkElectionSafetyOfAppends(i: number, from: number): Violation | null {
    const log = this.views[i]!;
    let lastTerm = -1;
    for (let k = Math.max(from, log.logStart.index + 1); k <= lastOf(log); k++) {
      const t = log.log[k - log.logStart.index - 1]!.term;
      if (t === lastTerm) continue;
      lastTerm = t;
      for (let l = 0; l < this.nodes.length; l++) {
        if (l === i || !this.isLeader(l) || this.nodes[l]!.state.term !== t) continue;
        const mine = lastIndexOfTerm(log, t);
        const leaders = lastIndexOfTerm(this.views[l]!, t);
        if (mine > leaders) {
          return this.fail(
            'ElectionSafetyInv',
            [l, i],
            `${this.name(i)} has an entry of term ${t} at index ${mine}, beyond the last entry of that term (${leaders}) of its leader ${this.name(l)}`,
          );
        }
      }
    }
    return null;
  }

  /** Node i just became leader: nobody else was ever leader of its term. */
  private checkElected(i: number): Violation | null {
    const t = this.nodes[i]!.state.term;
    const prior = this.leaderOfTerm.get(t);
    if (prior !== undefined && prior !== i) {
      return this.fail('OneLeaderPerTerm', [prior, i], `${this.name(i)} was elected leader of term ${t}, which ${this.name(prior)} already led`);
    }
    this.leaderOfTerm.set(t, i);
    return null;
  }

  /** Node i is a leader: one leader per term; it holds the last entry of its term; it has every committed entry. */
  private checkLeader(i: number): Violation | null {
    const t = this.nodes[i]!.state.term;
    const log = this.views[i]!;
    for (let j = 0; j < this.nodes.length; j++) {
      if (j === i || !this.live(j)) continue;
      if (this.isLeader(j) && this.nodes[j]!.state.term === t) {
        return this.fail('MoreThanOneLeaderInv', [i, j], `${this.name(i)} and ${this.name(j)} are both leaders of term ${t}`);
      }
      const theirs = lastIndexOfTerm(this.views[j]!, t);
      const mine = lastIndexOfTerm(log, t);
      if (theirs > mine) {
        return this.fail(
          'ElectionSafetyInv',
          [i, j],
          `${this.name(j)} has an entry of term ${t} at index ${theirs}, beyond the last entry of that term (${mine}) of the leader ${this.name(i)}`,
        );
      }
    }
    return this.checkLeaderCompleteness(i);
  }

  /**
   * Raft §5.4 Leader Completeness: an entry committed in term T is in the log of every leader of a
   * term after T. ("Committed in T" is the term of the leader that committed it: a candidate of an
   * old term that wins late, on delayed votes, need not hold what a later term committed since.)
   */
  private checkLeaderCompleteness(i: number): Violation | null {
    const t = this.nodes[i]!.state.term;
    const k = this.committedBefore(t);
    if (samePrefix(this.hashes[i]!, this.G, k)) return null;
    const d = this.firstDifference(this.hashes[i]!, this.G, k);
    const committed = this.committed[d - 1]!;
    return this.fail(
      'LeaderCompletenessInv',
      [i],
      `leader ${this.name(i)} of term ${t} lacks committed entry ${describeEntry(committed)} (it has ${this.entryAt(i, d)} at index ${d})`,
    );
  }

  /** Node i's commit index moved (or its committed region was written): it must agree with G, and may extend it. */
  private checkCommitted(i: number): Violation | null {
    const c = this.commitOf(i);
    const h = this.hashes[i]!;
    const shared = Math.min(c, this.G.length);
    if (!samePrefix(h, this.G, shared)) {
      const d = this.firstDifference(h, this.G, shared);
      return this.fail(
        'LogInv',
        [i],
        `${this.name(i)} has committed ${this.entryAt(i, d)} at index ${d}, but ${describeEntry(this.committed[d - 1]!)} was committed there before`,
      );
    }
    if (c <= this.G.length) return null;
    const by = this.nodes[i]!.state.term;
    for (let k = this.G.length; k < c; k++) {
      const e = this.entryOf(i, k + 1);
      if (e === undefined)
        return this.fail(
          'CompactionInv',
          [i],
          `${this.name(i)} committed up to ${c}, but index ${k + 1} is neither in its log (from ${this.views[i]!.logStart.index + 1}) nor committed before`,
        );
      this.committed.push(e);
      this.feedReference(e);
      this.commitTerms.push(Math.max(by, this.commitTerms[this.commitTerms.length - 1] ?? 0));
      if (e.data.type === 'command') {
        const key = `${e.data.client}#${e.data.seq}`;
        if (!this.committedIndexOf.has(key)) this.committedIndexOf.set(key, k + 1);
      }
    }
    this.G.update({ log: this.committed, logStart: NO_LOG_START }, this.G.length + 1);
    // What was just committed must already be on a quorum of synced disks (see holdsSynced).
    const term = this.committed[c - 1]!.term;
    let onDisk = 0;
    for (const n of this.nodes) if (holdsSynced(n, c, term)) onDisk++;
    if (onDisk < this.quorum) {
      return this.fail(
        'CommittedOnQuorumInv',
        [i],
        `${this.name(i)} committed up to ${c}, but only ${onDisk} node(s) hold it on a synced disk (a quorum is ${this.quorum})`,
      );
    }
    // Every current leader must hold what is now committed (of earlier terms).
    for (let l = 0; l < this.nodes.length; l++) {
      if (this.isLeader(l)) {
        const v = this.checkLeaderCompleteness(l);
        if (v !== null) return v;
      }
    }
    return null;
  }

  private checkApplied(i: number, out: StepOutputs): Violation | null {
    const v = this.views[i]!;
    const off = v.logStart.index;
    for (const a of out.applied) {
      // The log's own entry object (its hash is cached), unless the step compacted it away.
      const held = a.index > off ? v.log[a.index - off - 1] : undefined;
      const e: Entry = held !== undefined && held.term === a.term ? held : { index: a.index, term: a.term, data: a.data };
      const h = entryHash(e);
      const seen = this.appliedAt[a.index - 1];
      if (seen === undefined) {
        this.appliedAt[a.index - 1] = { a: h.a, b: h.b };
      } else if (seen.a !== h.a || seen.b !== h.b) {
        return this.fail(
          'StateMachineSafety',
          [i],
          `${this.name(i)} applied ${describeEntry(e)} at index ${a.index}, where another node applied a different entry`,
        );
      }
      // The answer, by the state machine's definition applied to the committed log up to here.
      const want = this.refOutcomes[a.index - 1];
      if (want === undefined) continue; // (not committed as far as the checker knows: LogInv's case)
      const effect = want === null ? 'noop' : want.effect;
      if (a.effect !== effect || !sameResult(a.result, want === null ? null : want.result)) {
        return this.fail(
          'StateMachineSafety',
          [i],
          `${this.name(i)} applied ${describeEntry(e)} at index ${a.index} as ${a.effect} ${JSON.stringify(a.result)}; the state machine's definition, after the ${a.index - 1} entries committed before it, gives ${effect} ${JSON.stringify(want?.result ?? null)}`,
        );
      }
    }
    return null;
  }

  /**
   * The step's applied list names every entry the node applied in it, once, in log order: from the
   * one after what it had applied to what it has applied now. (An installed snapshot moves applied
   * to its index with no list: the state machine came whole.) A host feeds its state machine, and
   * the checker its model, from this list, so an entry left out is one a replica never applied.
   */
  private checkAppliedInOrder(i: number, out: StepOutputs, before: LogIndex, snapshotAt: LogIndex | null): Violation | null {
    const now = this.nodes[i]!.state.applied;
    const list = out.applied;
    if (list.length === 0 && snapshotAt === now && now > before) return null;
    const want = `${before + 1}..${now}`;
    let expect = before + 1;
    for (const a of list) {
      if (a.index !== expect)
        return this.fail(
          'StateMachineSafety',
          [i],
          `${this.name(i)} moved applied from ${before} to ${now} but its step reported applying index ${a.index} where ${expect} was next (it must report ${want} once, in order)`,
        );
      expect++;
    }
    if (expect - 1 !== now)
      return this.fail(
        'StateMachineSafety',
        [i],
        `${this.name(i)} moved applied from ${before} to ${now} but its step reported applying ${list.length === 0 ? 'nothing' : `${before + 1}..${expect - 1}`} (it must report ${want} once, in order)`,
      );
    return null;
  }

  /** With `snapshot N`, every step ends with fewer than N applied entries past the snapshot. */
  private checkCompactionCadence(i: number): Violation | null {
    const n = this.nodes[i]!.state;
    const every = n.config.snapshotEntries;
    const since = n.applied - (n.snapshot?.index ?? 0);
    if (since < every) return null;
    return this.fail(
      'CompactionCadence',
      [i],
      `${this.name(i)} has applied ${since} entries past its snapshot at ${n.snapshot?.index ?? 0} (applied ${n.applied}) without compacting; it snapshots every ${every}`,
    );
  }

  /** QuorumLogInv over G, and MoreUpToDateCorrectInv for every pair involving node i. */
  private checkQuorumAndUpToDate(i: number): Violation | null {
    const g = this.G.length;
    if (g > 0 && this.enabled.has('QuorumLogInv')) {
      const lacking: number[] = [];
      for (let j = 0; j < this.nodes.length; j++) if (this.live(j) && !samePrefix(this.hashes[j]!, this.G, g)) lacking.push(j);
      if (lacking.length >= this.quorum) {
        return this.fail(
          'QuorumLogInv',
          lacking,
          `the quorum {${lacking.map((j) => this.name(j)).join(', ')}} has no member whose log holds all ${g} committed entries`,
        );
      }
    }
    if (!this.live(i) || !this.enabled.has('MoreUpToDateCorrectInv')) return null;
    for (let j = 0; j < this.nodes.length; j++) {
      if (j === i || !this.live(j)) continue;
      const v = this.upToDatePair(i, j) ?? this.upToDatePair(j, i);
      if (v !== null) return v;
    }
    return null;
  }

  /** How many entries of G were committed in terms before t. */
  private committedBefore(t: number): number {
    let lo = 0;
    let hi = this.commitTerms.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.commitTerms[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * If a's log is at least as up to date as b's, it holds b's committed prefix — provided a's last
   * term is not older than the term in which that prefix was committed. (Without that proviso the
   * property fails in correct Raft: a crashed leader's uncommitted entries of term 21 make its log
   * "more up to date" than a follower that learned a commit made later, in term 22.)
   */
  private upToDatePair(a: number, b: number): Violation | null {
    const la = this.views[a]!;
    if (!isUpToDate(la, this.views[b]!)) return null;
    const c = Math.min(this.commitOf(b), this.commitTerms.length);
    if (c === 0 || samePrefix(this.hashes[a]!, this.hashes[b]!, c)) return null;
    const lastTerm = lastTermOf(la);
    if (lastTerm < this.commitTerms[c - 1]!) return null;
    return this.fail(
      'MoreUpToDateCorrectInv',
      [a, b],
      `${this.name(a)}'s log (last ${lastOf(la)}@t${lastTerm}) is at least as up to date as ${this.name(b)}'s, but lacks ${this.name(b)}'s committed prefix (commit ${c}, committed by term ${this.commitTerms[c - 1]})`,
    );
  }

  /** The reference state machine applies the next committed entry. */
  private feedReference(e: Entry): void {
    this.refOutcomes.push(e.data.type === 'command' ? this.refKv.apply(e.data.client, e.data.seq, e.data.op) : null);
    this.refAt?.push(referenceFingerprint(this.refKv));
  }

  /** Node i took or installed a snapshot: of committed entries only, and exactly their state machine. */
  private checkCompaction(i: number, snap: Snapshot): Violation | null {
    const v = this.views[i]!;
    const g = this.committed.length;
    if (snap.index > g || v.logStart.index > snap.index) {
      return this.fail(
        'CompactionInv',
        [i],
        `${this.name(i)} has a snapshot at ${snap.index} and its log starts after ${v.logStart.index}, but only ${g} entries are committed`,
      );
    }
    if (snap.index === 0) return null;
    const e = this.committed[snap.index - 1]!;
    if (e.term !== snap.term)
      return this.fail(
        'SnapshotInv',
        [i],
        `${this.name(i)}'s snapshot at ${snap.index} says term ${snap.term}; the committed entry there is ${describeEntry(e)}`,
      );
    const want = this.refAt?.[snap.index - 1];
    if (want !== undefined && want !== snapshotFingerprint(snap)) {
      return this.fail(
        'SnapshotInv',
        [i],
        `${this.name(i)}'s snapshot at ${snap.index} holds ${snap.data.map(([k, x]) => `${k}=${x}`).join(' ') || 'nothing'}, not the state machine after the committed log up to ${snap.index}`,
      );
    }
    return null;
  }

  /**
   * Node i is a leader: its bookkeeping of each follower (core/state.ts's Progress) holds the rules
   * its comments promise. A broken record rarely breaks safety at once (match is only counted, next
   * only chosen), so without this check a leader that lets its pipeline overflow, forgets what is in
   * flight, or moves a follower's match back passes every run while replicating badly.
   */
  private checkProgress(i: number, tick: boolean): Violation | null {
    if (!this.enabled.has('ProgressInv')) return null;
    const node = this.nodes[i]!;
    const s = node.state;
    let seen = this.progressSeen[i] ?? null;
    if (seen === null || seen.term !== s.term) {
      seen = { term: s.term, selfMatch: 0, match: this.nodes.map(() => 0), readAck: this.nodes.map(() => 0), snapshotWait: this.nodes.map(() => 0) };
      this.progressSeen[i] = seen;
    }
    const last = s.logStart.index + s.log.length;
    const problem = this.selfProgressProblem(s, seen, last, node.disk.syncedLength) ?? this.followerProgressProblem(s, seen, last, tick);
    return problem === null ? null : this.fail('ProgressInv', [i], `leader ${this.name(i)} of term ${s.term}: ${problem}`);
  }

  private selfProgressProblem(s: NodeState, seen: ProgressSeen, last: number, synced: number): string | null {
    if (s.selfMatch > last) return `its own match ${s.selfMatch} is past its last index ${last}`;
    if (s.selfMatch > synced) return `its own match ${s.selfMatch} is past what its disk holds synced (${synced})`;
    if (s.selfMatch < seen.selfMatch) return `its own match went back from ${seen.selfMatch} to ${s.selfMatch}`;
    seen.selfMatch = s.selfMatch;
    return null;
  }

  private followerProgressProblem(s: NodeState, seen: ProgressSeen, last: number, tick: boolean): string | null {
    // (Map.forEach, not for-of: destructuring each entry allocates, after every leader step.)
    let problem: string | null = null;
    s.progress.forEach((pr, id) => {
      if (problem === null) problem = this.followerProblem(s, seen, last, id, pr, tick);
    });
    return problem;
  }

  private followerProblem(s: NodeState, seen: ProgressSeen, last: number, id: NodeId, pr: Progress, tick: boolean): string | null {
    const max = s.config.inflightAppendsMax;
    const wait = s.config.electionTicksMin;
    if (!(pr.match < pr.next && pr.next <= last + 1))
      return `${id} has match ${pr.match} and next ${pr.next}; match < next ≤ last index + 1 (${last + 1}) must hold`;
    const k = indexOf(id);
    const m0 = seen.match[k]!;
    if (pr.match < m0) return `${id}'s match went back from ${m0} to ${pr.match}`;
    seen.match[k] = pr.match;
    const r0 = seen.readAck[k]!;
    if (!(pr.readAck >= r0 && pr.readAck <= s.readSeq))
      return `${id}'s read acknowledgement went from ${r0} to ${pr.readAck} (read rounds started: ${s.readSeq})`;
    seen.readAck[k] = pr.readAck;
    const fl = pr.inflight;
    if (pr.mode === 'probe' ? fl.length > 0 : pr.probeSent)
      return `${id} is in ${pr.mode} mode with ${pr.mode === 'probe' ? `appends in flight (${fl.join(', ')})` : 'a probe outstanding'}`;
    if (fl.length > max) return `${id} has ${fl.length} appends in flight (${fl.join(', ')}), more than inflightAppendsMax ${max}`;
    let prev = pr.match;
    for (let j = 0; j < fl.length; j++) {
      const x = fl[j]!;
      if (!(x > prev && x < pr.next))
        return `${id} has appends in flight ending at ${fl.join(', ')}: each must be past match ${pr.match} and the one before, and before next ${pr.next}`;
      prev = x;
    }
    if (!(pr.snapshotWait >= 0 && pr.snapshotWait <= wait))
      return `${id} has a snapshot wait of ${pr.snapshotWait} ticks; it is at most one election timeout (${wait})`;
    if (pr.snapshotWait > 0 && !(pr.mode === 'probe' && pr.probeSent))
      return `${id} waits for a snapshot in ${pr.mode} mode${pr.probeSent ? '' : ' with no probe outstanding'}`;
    // The wait counts the leader's ticks down (a tick sends no snapshot and takes no answer): one that
    // never runs out leaves a follower whose snapshot was lost unrepaired for good.
    const w0 = seen.snapshotWait[k]!;
    if (tick && pr.snapshotWait !== Math.max(0, w0 - 1))
      return `${id}'s snapshot wait went from ${w0} to ${pr.snapshotWait} ticks over a tick; it counts down by one`;
    seen.snapshotWait[k] = pr.snapshotWait;
    return null;
  }

  private checkDurable(i: number): Violation | null {
    const n = this.nodes[i]!;
    if (n.state.commit <= n.disk.syncedLength) return null;
    return this.fail(
      'CommittedIsDurableInv',
      [i],
      `leader ${this.name(i)} committed up to ${n.state.commit} but its disk holds only ${n.disk.syncedLength} entries`,
    );
  }
}
