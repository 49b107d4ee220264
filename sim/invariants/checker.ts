// The safety invariants, checked after every step, incrementally: the eight of etcd's
// tla/etcdraft.tla in their full form, plus state machine safety, monotonic term/commit, leader
// append-only, one vote per term across restarts, message terms, and acknowledged writes being
// committed. This file holds the rules about logs and what is committed, and dispatches to the other
// families: timers.ts, progress.ts, exchanges.ts, state-machine.ts (catalog.ts names them all).
//
// Each node's log is summarized by prefix hashes (logs.ts), so "is Committed(i) a prefix of log j"
// is one comparison. G, the longest committed log ever observed, is extended as commit indexes
// advance; because committed entries never change in Raft, several checks use G, which is stronger
// than the instantaneous TLA+ form (a committed entry that later vanishes is caught too). Nodes that
// refused to start because of disk corruption take no part (they never vote again).
//
// Log compaction (core snapshotEntries): a node's log is viewed with its start (core LogView);
// positions it compacted away are read as G's — a node compacts only what it applied, so committed,
// and CompactionInv checks that — and every snapshot is checked against a reference state machine
// fed with G (SnapshotInv).
import {
  bootstrapMembers,
  describeEntry,
  viewOf,
  NO_LOG_START,
  type Entry,
  type KvState,
  type LogView,
  type Message,
  type NodeId,
  type StepOutputs,
  type Term,
} from '../../core';
import { INVARIANT_NAMES, type CheckedNode, type InvariantName, type StepBefore, type Violation } from './catalog';
import { ExchangeRules } from './exchanges';
import { Judge } from './judge';
import { firstDifference, holdsSynced, isUpToDate, lastIndexOfTerm, lastOf, lastTermOf, PrefixHashes, samePrefix } from './logs';
import { MembershipRules } from './membership';
import { ProgressRules } from './progress';
import { StateMachineRules } from './state-machine';
import { TimerRules } from './timers';

export class InvariantChecker {
  private readonly judge: Judge;
  private readonly hashes: PrefixHashes[];
  /** The log each node is judged by: its memory when running, its disk after a crash. */
  private readonly views: LogView[];
  private readonly G = new PrefixHashes();
  private readonly committed: Entry[] = [];
  /** The term in which each entry of G was committed (of the node that committed it first; non-decreasing). */
  private readonly commitTerms: number[] = [];
  private readonly committedIndexOf = new Map<string, number>();
  private readonly votes: Map<number, NodeId>[];
  private readonly diskTerms: number[];
  /** Who was elected leader of each term (Election Safety over the whole run). */
  private readonly leaderOfTerm = new Map<number, number>();
  private readonly timers: TimerRules;
  private readonly progress: ProgressRules;
  private readonly exchanges: ExchangeRules;
  private readonly stateMachine: StateMachineRules;
  private readonly membership: MembershipRules;

  constructor(
    private readonly nodes: readonly CheckedNode[],
    enabled: readonly string[] | null,
    opts: { readonly earlyAppends?: boolean } = {},
  ) {
    const on = new Set((enabled ?? INVARIANT_NAMES) as InvariantName[]);
    // With early appends a leader may commit what only its followers' disks hold (thesis §10.2.1).
    if (opts.earlyAppends === true) on.delete('CommittedIsDurableInv');
    this.judge = new Judge(nodes, on);
    this.hashes = nodes.map(() => new PrefixHashes());
    this.views = nodes.map((n) => n.state);
    this.votes = nodes.map(() => new Map());
    this.diskTerms = nodes.map(() => 0);
    this.timers = new TimerRules(this.judge);
    this.progress = new ProgressRules(this.judge);
    this.exchanges = new ExchangeRules(this.judge);
    this.stateMachine = new StateMachineRules(this.judge, this.committed, this.views);
    this.membership = new MembershipRules(this.judge, bootstrapMembers(nodes[0]!.state.config));
  }

  /** The step being judged (a violation reports it). */
  get step(): number {
    return this.judge.step;
  }
  set step(v: number) {
    this.judge.step = v;
  }

  /** The virtual time being judged. */
  get time(): number {
    return this.judge.time;
  }
  set time(v: number) {
    this.judge.time = v;
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
    return this.stateMachine.referenceStateAt(index, sessionsMax);
  }

  /** A running node's state machine, as the same kind of fingerprint. */
  static stateOf(kv: KvState): string {
    return StateMachineRules.stateOf(kv);
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
    const n = this.judge.nodes[i]!.state;
    this.views[i] = n;
    const compact = out.persist?.compact ?? null;
    const logFrom = out.persist?.log?.from ?? null;
    // A compaction rewrites the view of the log before its start (an installed snapshot may drop a
    // whole non-matching log): recompute from the beginning then.
    if (compact !== null) this.hashes[i]!.update(n, 1, this.G);
    else if (logFrom !== null) this.hashes[i]!.update(n, logFrom, this.G);
    const becameLeader = n.role === 'leader' && (before.role !== 'leader' || before.term !== n.term);
    if (n.role !== 'leader') this.progress.forget(i);
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
      (compact !== null ? (this.stateMachine.checkCompaction(i, compact.snapshot) ?? this.membership.checkSnapshot(i, compact.snapshot)) : null) ??
      (out.applied.length > 0 ? this.stateMachine.checkApplied(i, out) : null) ??
      (out.applied.length > 0 || n.applied !== before.applied
        ? this.stateMachine.checkAppliedInOrder(i, out, before.applied, compact?.snapshot.index ?? null)
        : null) ??
      (n.config.snapshotEntries > 0 ? this.stateMachine.checkCadence(i) : null) ??
      (logFrom !== null || n.commit !== before.commit ? this.checkQuorumAndUpToDate(i) : null) ??
      (n.role === 'leader'
        ? (this.checkDurable(i) ?? this.progress.check(i, before.tick === true) ?? this.membership.afterLeaderStep(i, before, becameLeader, logFrom))
        : null)
    );
  }

  /** Timer rules, after any step of node i (`heard`: the message it took, if any): see timers.ts. */
  afterTimer(i: number, out: StepOutputs, tick: boolean, heard: Message | null = null): Violation | null {
    return this.timers.afterTimer(i, out, tick, heard);
  }

  /** BacktrackHint, after node i took an AppendEntries or, as leader, a refusal of one: see exchanges.ts. */
  afterAppendExchange(i: number, out: StepOutputs, heard: Message): Violation | null {
    return this.exchanges.afterAppendExchange(i, out, heard);
  }

  /** LeaderHint, after a step of node i that answered clients: see exchanges.ts. */
  afterClientAnswers(i: number, out: StepOutputs, heard: Message | null): Violation | null {
    return this.exchanges.afterClientAnswers(i, out, heard);
  }

  /** QuietLeader: the settle window's leader misbehaved on a quiet network (the simulator watches it). */
  quietLeader(i: number, message: string): Violation | null {
    return this.judge.fail('QuietLeader', [i], message);
  }

  /** After node i crashed: it is judged by its disk from now on. */
  afterCrash(i: number, disk: { readonly log: readonly Entry[]; readonly logStart?: LogView['logStart'] | null }): Violation | null {
    this.timers.forget(i);
    this.progress.forget(i);
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
    this.views[i] = this.judge.nodes[i]!.state;
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
      return this.judge.fail('MessageTermsLtCurrentTerm', [i], `${this.judge.name(i)} sent ${m.type} with term ${m.term} while its term is ${senderTerm}`);
    }
    // (A user's node's grant: its envelope says the term; see sim/foreign-node.ts.)
    const grantTerm = m.type === 'RequestVoteResp' && m.granted ? m.term : (m as { grantTerm?: number }).grantTerm;
    if (grantTerm !== undefined) {
      const prior = this.votes[i]!.get(grantTerm as Term);
      if (prior !== undefined && prior !== m.to) {
        return this.judge.fail('OneVotePerTerm', [i], `${this.judge.name(i)} granted its vote in term ${grantTerm} to ${prior} and then to ${m.to}`);
      }
      this.votes[i]!.set(grantTerm as Term, m.to);
    }
    return null;
  }

  /** A client got an ok answer for a write. */
  onWriteAcknowledged(client: string, seq: number, via: string): Violation | null {
    if (this.committedIndexOf.has(`${client}#${seq}`)) return null;
    return this.judge.fail(
      'AckedWritesCommitted',
      [],
      `${client}#${seq} was acknowledged (through ${via}) but is not in the committed log (${this.committed.length} entries)`,
    );
  }

  private checkMonotonic(i: number, before: StepBefore): Violation | null {
    const n = this.judge.nodes[i]!.state;
    if (n.term < before.term) return this.judge.fail('MonotonicTerm', [i], `${this.judge.name(i)}'s term went from ${before.term} to ${n.term}`);
    if (n.commit < before.commit)
      return this.judge.fail('MonotonicCommit', [i], `${this.judge.name(i)}'s commit index went from ${before.commit} to ${n.commit}`);
    return null;
  }

  private checkDiskTerm(i: number): Violation | null {
    const t = this.judge.nodes[i]!.disk.term;
    if (t < this.diskTerms[i]!) return this.judge.fail('MonotonicTerm', [i], `${this.judge.name(i)}'s durable term went from ${this.diskTerms[i]} to ${t}`);
    this.diskTerms[i] = t;
    return null;
  }

  private checkLeaderAppendOnly(i: number, before: StepBefore, logFrom: number | null): Violation | null {
    const n = this.judge.nodes[i]!.state;
    if (logFrom === null || before.role !== 'leader' || n.role !== 'leader' || n.term !== before.term || logFrom > before.lastIndex) return null;
    return this.judge.fail(
      'LeaderAppendOnly',
      [i],
      `leader ${this.judge.name(i)} of term ${n.term} rewrote its log from index ${logFrom} (it had ${before.lastIndex} entries)`,
    );
  }

  /** Entries from..end of node i against every other node with the same term at an index. */
  private checkLogMatching(i: number, from: number): Violation | null {
    const hi = this.hashes[i]!;
    const li = this.views[i]!;
    for (let j = 0; j < this.judge.nodes.length; j++) {
      if (j === i || !this.judge.live(j)) continue;
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
        const d = firstDifference(hi, hj, k);
        return this.judge.fail(
          'LogMatchingInv',
          [i, j],
          `${this.judge.name(i)} and ${this.judge.name(j)} both have an entry of term ${t} at index ${k}, but their logs differ at index ${d} (${this.judge.name(i)}: ${this.entryAt(i, d)}; ${this.judge.name(j)}: ${this.entryAt(j, d)})`,
        );
      }
    }
    return null;
  }

  /** New entries of node i must not pass a current leader's last entry of their term. */
  private checkElectionSafetyOfAppends(i: number, from: number): Violation | null {
    const log = this.views[i]!;
    let lastTerm = -1;
    for (let k = Math.max(from, log.logStart.index + 1); k <= lastOf(log); k++) {
      const t = log.log[k - log.logStart.index - 1]!.term;
      if (t === lastTerm) continue;
      lastTerm = t;
      for (let l = 0; l < this.judge.nodes.length; l++) {
        if (l === i || !this.judge.isLeader(l) || this.judge.nodes[l]!.state.term !== t) continue;
        const mine = lastIndexOfTerm(log, t);
        const leaders = lastIndexOfTerm(this.views[l]!, t);
        if (mine > leaders) {
          return this.judge.fail(
            'ElectionSafetyInv',
            [l, i],
            `${this.judge.name(i)} has an entry of term ${t} at index ${mine}, beyond the last entry of that term (${leaders}) of its leader ${this.judge.name(l)}`,
          );
        }
      }
    }
    return null;
  }

  /** Node i just became leader: nobody else was ever leader of its term. */
  private checkElected(i: number): Violation | null {
    const t = this.judge.nodes[i]!.state.term;
    const prior = this.leaderOfTerm.get(t);
    if (prior !== undefined && prior !== i) {
      return this.judge.fail(
        'OneLeaderPerTerm',
        [prior, i],
        `${this.judge.name(i)} was elected leader of term ${t}, which ${this.judge.name(prior)} already led`,
      );
    }
    this.leaderOfTerm.set(t, i);
    return null;
  }

  /** Node i is a leader: one leader per term; it holds the last entry of its term; it has every committed entry. */
  private checkLeader(i: number): Violation | null {
    const t = this.judge.nodes[i]!.state.term;
    const log = this.views[i]!;
    for (let j = 0; j < this.judge.nodes.length; j++) {
      if (j === i || !this.judge.live(j)) continue;
      if (this.judge.isLeader(j) && this.judge.nodes[j]!.state.term === t) {
        return this.judge.fail('MoreThanOneLeaderInv', [i, j], `${this.judge.name(i)} and ${this.judge.name(j)} are both leaders of term ${t}`);
      }
      const theirs = lastIndexOfTerm(this.views[j]!, t);
      const mine = lastIndexOfTerm(log, t);
      if (theirs > mine) {
        return this.judge.fail(
          'ElectionSafetyInv',
          [i, j],
          `${this.judge.name(j)} has an entry of term ${t} at index ${theirs}, beyond the last entry of that term (${mine}) of the leader ${this.judge.name(i)}`,
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
    const t = this.judge.nodes[i]!.state.term;
    const k = this.committedBefore(t);
    if (samePrefix(this.hashes[i]!, this.G, k)) return null;
    const d = firstDifference(this.hashes[i]!, this.G, k);
    const committed = this.committed[d - 1]!;
    return this.judge.fail(
      'LeaderCompletenessInv',
      [i],
      `leader ${this.judge.name(i)} of term ${t} lacks committed entry ${describeEntry(committed)} (it has ${this.entryAt(i, d)} at index ${d})`,
    );
  }

  /** Node i's commit index moved (or its committed region was written): it must agree with G, and may extend it. */
  private checkCommitted(i: number): Violation | null {
    const c = this.judge.commitOf(i);
    const h = this.hashes[i]!;
    const shared = Math.min(c, this.G.length);
    if (!samePrefix(h, this.G, shared)) {
      const d = firstDifference(h, this.G, shared);
      return this.judge.fail(
        'LogInv',
        [i],
        `${this.judge.name(i)} has committed ${this.entryAt(i, d)} at index ${d}, but ${describeEntry(this.committed[d - 1]!)} was committed there before`,
      );
    }
    if (c <= this.G.length) return null;
    const by = this.judge.nodes[i]!.state.term;
    for (let k = this.G.length; k < c; k++) {
      const e = this.entryOf(i, k + 1);
      if (e === undefined)
        return this.judge.fail(
          'CompactionInv',
          [i],
          `${this.judge.name(i)} committed up to ${c}, but index ${k + 1} is neither in its log (from ${this.views[i]!.logStart.index + 1}) nor committed before`,
        );
      this.committed.push(e);
      this.stateMachine.feed(e);
      this.membership.committedEntry(e);
      this.commitTerms.push(Math.max(by, this.commitTerms[this.commitTerms.length - 1] ?? 0));
      if (e.data.type === 'command') {
        const key = `${e.data.client}#${e.data.seq}`;
        if (!this.committedIndexOf.has(key)) this.committedIndexOf.set(key, k + 1);
      }
    }
    this.G.update({ log: this.committed, logStart: NO_LOG_START }, this.G.length + 1);
    // What was just committed must already be on a quorum of synced disks (see holdsSynced), a
    // quorum of the configuration the committing node counted with.
    const term = this.committed[c - 1]!.term;
    const committer = this.judge.nodes[i]!;
    const v = viewOf(committer.state.members, committer.id);
    let onDisk = 0;
    for (const n of this.judge.nodes) if (v.voterSet.has(n.id) && holdsSynced(n, c, term)) onDisk++;
    if (onDisk < v.quorum) {
      return this.judge.fail(
        'CommittedOnQuorumInv',
        [i],
        `${this.judge.name(i)} committed up to ${c}, but only ${onDisk} of its voters hold it on a synced disk (a quorum is ${v.quorum})`,
      );
    }
    // Every current leader must hold what is now committed (of earlier terms).
    for (let l = 0; l < this.judge.nodes.length; l++) {
      if (this.judge.isLeader(l)) {
        const v = this.checkLeaderCompleteness(l);
        if (v !== null) return v;
      }
    }
    return null;
  }
  /** QuorumLogInv over G, and MoreUpToDateCorrectInv for every pair involving node i. */
  private checkQuorumAndUpToDate(i: number): Violation | null {
    const g = this.G.length;
    if (g > 0 && this.judge.enabled.has('QuorumLogInv')) {
      // (Dead nodes never vote again, so they are in no quorum that can elect a leader.)
      const v = viewOf(this.membership.committed, this.judge.nodes[0]!.id);
      const lacking: number[] = [];
      for (let j = 0; j < this.judge.nodes.length; j++)
        if (this.judge.live(j) && v.voterSet.has(this.judge.nodes[j]!.id) && !samePrefix(this.hashes[j]!, this.G, g)) lacking.push(j);
      if (lacking.length >= v.quorum) {
        return this.judge.fail(
          'QuorumLogInv',
          lacking,
          `the quorum {${lacking.map((j) => this.judge.name(j)).join(', ')}} has no member whose log holds all ${g} committed entries`,
        );
      }
    }
    if (!this.judge.live(i) || !this.judge.enabled.has('MoreUpToDateCorrectInv')) return null;
    for (let j = 0; j < this.judge.nodes.length; j++) {
      if (j === i || !this.judge.live(j)) continue;
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
    const c = Math.min(this.judge.commitOf(b), this.commitTerms.length);
    if (c === 0 || samePrefix(this.hashes[a]!, this.hashes[b]!, c)) return null;
    const lastTerm = lastTermOf(la);
    if (lastTerm < this.commitTerms[c - 1]!) return null;
    return this.judge.fail(
      'MoreUpToDateCorrectInv',
      [a, b],
      `${this.judge.name(a)}'s log (last ${lastOf(la)}@t${lastTerm}) is at least as up to date as ${this.judge.name(b)}'s, but lacks ${this.judge.name(b)}'s committed prefix (commit ${c}, committed by term ${this.commitTerms[c - 1]})`,
    );
  }
  private checkDurable(i: number): Violation | null {
    const n = this.judge.nodes[i]!;
    if (n.state.commit <= n.disk.syncedLength) return null;
    return this.judge.fail(
      'CommittedIsDurableInv',
      [i],
      `leader ${this.judge.name(i)} committed up to ${n.state.commit} but its disk holds only ${n.disk.syncedLength} entries`,
    );
  }
}
