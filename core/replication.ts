// Log replication (Raft §5.3): the leader's per-follower progress, AppendEntries and heartbeats,
// fast conflict backtracking, the commit rule of §5.4.2 and applying committed entries in order.
import { raise } from './assert';
import { becomeFollower } from './follower';
import { applyWrite, kvFromSnapshot, snapshotOf } from './kv';
import { entriesBetween, entriesFrom, entryAt, firstIndexOfTermAt, isCompacted, lastIndex, lastIndexOfTerm, lastTerm, termAt } from './log';
import { configAt, membersOf, refreshMembers } from './members';
import { onCommitAdvanced, onEntryApplied, processReads } from './replies';
import type { NodeState, Progress, StepContext } from './state';
import {
  logIndex,
  term,
  type AppendEntries,
  type AppendEntriesResp,
  type Entry,
  type EntryData,
  type Heartbeat,
  type HeartbeatResp,
  type InstallSnapshot,
  type LogIndex,
  type NodeId,
} from './types';

/** The leader appends an entry of its own term at the end of its log. */
export function appendAsLeader(ctx: StepContext, data: EntryData): LogIndex {
  const n = ctx.node;
  const index = logIndex(lastIndex(n) + 1);
  n.log.push({ term: n.term, index, data });
  ctx.markLogWritten(index);
  return index;
}

/**
 * The caller delivers the step's messages only after its persist is durable, so a message to
 * ourselves is how the leader learns its own entries are on disk (etcd raft's self-ack). It is a
 * local delivery: the caller must never drop it (a crash loses it together with the leadership).
 */
export function ackOwnAppend(ctx: StepContext): void {
  const n = ctx.node;
  if (n.role !== 'leader' || ctx.logWrittenFrom === null) return;
  ctx.send({ type: 'AppendEntriesResp', from: n.config.id, to: n.config.id, term: n.term, success: true, matchIndex: lastIndex(n) });
}

export function handleSelfAck(ctx: StepContext, m: AppendEntriesResp): void {
  const n = ctx.node;
  if (!m.success || m.matchIndex <= n.selfMatch) {
    ctx.note('append.ack.stale');
    return;
  }
  if (!(m.matchIndex <= lastIndex(n))) raise('self-ack-within-log', n.config.id, `self-ack of ${m.matchIndex} beyond our log end ${lastIndex(n)}`);
  n.selfMatch = m.matchIndex;
  ctx.note('append.self-ack');
  if (maybeCommit(ctx)) bcastAppend(ctx, true);
}

/** Leader tick: heartbeats every heartbeatTicks; a check-quorum round every electionTicksMin. */
export function tickLeader(ctx: StepContext): void {
  const n = ctx.node;
  n.heartbeatElapsed++;
  n.electionElapsed++;
  if (n.config.snapshotEntries > 0) for (const pr of n.progress.values()) if (pr.snapshotWait > 0) pr.snapshotWait--;
  if (n.electionElapsed >= n.config.electionTicksMin) {
    n.electionElapsed = 0;
    if (n.config.checkQuorum && !quorumActive(n)) {
      ctx.note('leader.step-down.check-quorum');
      becomeFollower(ctx, n.term, null);
      return;
    }
    for (const pr of n.progress.values()) {
      pr.prevActive = pr.recentActive;
      pr.recentActive = false;
    }
  }
  if (n.heartbeatElapsed >= n.config.heartbeatTicks) {
    n.heartbeatElapsed = 0;
    ctx.note('heartbeat.send');
    bcastHeartbeat(ctx);
    return;
  }
  ctx.note('tick');
}

/** The voters heard from since the last round, the leader itself included if it votes, make a quorum. */
function quorumActive(n: NodeState): boolean {
  const v = membersOf(n);
  let active = v.voter ? 1 : 0;
  for (const id of v.otherVoters) if (n.progress.get(id)!.recentActive) active++;
  return active >= v.quorum;
}

export function bcastHeartbeat(ctx: StepContext): void {
  const n = ctx.node;
  for (const [to, pr] of n.progress) {
    // Send no commit index beyond what the follower is known to hold (its match).
    const commit = logIndex(Math.min(pr.match, n.commit));
    ctx.send({ type: 'Heartbeat', from: n.config.id, to, term: n.term, commit, readSeq: n.readSeq });
  }
}

/** Sends new entries to every follower that can take them. */
export function bcastAppend(ctx: StepContext, allowEmpty = false): void {
  let sent = false;
  for (const to of membersOf(ctx.node).others) sent = sendAppend(ctx, to, allowEmpty) || sent;
  if (sent) ctx.note('append.send');
}

/** maybe-style: sends one AppendEntries to `to` unless its flow is paused; returns whether it did. */
export function sendAppend(ctx: StepContext, to: NodeId, allowEmpty: boolean): boolean {
  const n = ctx.node;
  const pr = progressOf(n, to);
  if (pr.mode === 'probe' ? pr.probeSent : pr.inflight.length >= n.config.inflightAppendsMax) return false;
  const prev = logIndex(pr.next - 1);
  if (isCompacted(n, prev)) return sendSnapshot(ctx, to, pr);
  const prevTerm = termAt(n, prev);
  if (prevTerm === undefined) raise('next-within-log', n.config.id, `next ${pr.next} of ${to} is past the log end ${lastIndex(n)}`);
  const entries = entriesBetween(n, pr.next, logIndex(Math.min(lastIndex(n), prev + n.config.entriesPerAppendMax)));
  if (entries.length === 0 && !allowEmpty) return false;
  ctx.send({ type: 'AppendEntries', from: n.config.id, to, term: n.term, prevLogIndex: prev, prevLogTerm: prevTerm, entries, commit: n.commit });
  if (pr.mode === 'probe') {
    pr.probeSent = true;
  } else if (entries.length > 0) {
    const last = logIndex(prev + entries.length);
    pr.next = logIndex(last + 1);
    pr.inflight.push(last);
  }
  return true;
}

/**
 * The follower needs entries this leader compacted away: send the snapshot (Raft §7). The follower
 * is probed from just after it; if the snapshot is lost, that probe is refused and brings us back here.
 */
function sendSnapshot(ctx: StepContext, to: NodeId, pr: Progress): boolean {
  const n = ctx.node;
  const snap = n.snapshot;
  if (snap === null || snap.index < n.logStart.index)
    raise('snapshot-covers-log-start', n.config.id, `log starts at ${n.logStart.index} but the snapshot is at ${snap?.index ?? 'nothing'}`);
  ctx.send({ type: 'InstallSnapshot', from: n.config.id, to, term: n.term, snapshot: snap });
  ctx.note('snapshot.send');
  pr.mode = 'probe';
  pr.probeSent = true;
  pr.inflight = [];
  pr.next = logIndex(snap.index + 1);
  pr.snapshotWait = n.config.electionTicksMin;
  return true;
}

/** Follower side of InstallSnapshot (Raft §7, receiver implementation). */
export function handleInstallSnapshot(ctx: StepContext, m: InstallSnapshot): void {
  const n = ctx.node;
  const s = m.snapshot;
  const ack = (matchIndex: LogIndex): void => {
    ctx.send({ type: 'AppendEntriesResp', from: n.config.id, to: m.from, term: n.term, success: true, matchIndex });
  };
  if (s.index <= n.commit) {
    // Everything it holds is committed here already (and so matches the leader's log).
    ctx.note('snapshot.ignore-old');
    ack(n.commit);
    return;
  }
  // Keep the entries after the snapshot only if the log holds its last entry (Log Matching then
  // says everything before agrees); otherwise the whole log goes (none of it was committed).
  const there = termAt(n, s.index);
  const keep = there === s.term;
  if (keep && lastIndex(n) > s.index) ctx.note('snapshot.keep-log');
  else if (there !== undefined && !keep) ctx.note('snapshot.drop-log');
  n.log = keep ? entriesFrom(n, logIndex(s.index + 1)) : [];
  n.logStart = { index: s.index, term: s.term };
  n.snapshot = s;
  n.kv = kvFromSnapshot(s, n.kv.sessionsMax);
  n.commit = s.index;
  n.applied = s.index;
  ctx.compacted = true;
  ctx.note('snapshot.install');
  refreshMembers(ctx, n, null);
  ack(s.index);
}

/**
 * Log compaction (Raft §7): once `snapshotEntries` entries were applied since the last snapshot,
 * snapshot the state machine at the applied index and drop the log up to the PREVIOUS snapshot —
 * so the entries of one interval stay for followers a little behind (etcd's catch-up entries).
 */
export function maybeCompact(ctx: StepContext): void {
  const n = ctx.node;
  const every = n.config.snapshotEntries;
  if (every === 0) return;
  const prev = n.snapshot;
  if (n.applied - (prev?.index ?? 0) < every) return;
  const t = termAt(n, n.applied);
  if (t === undefined) raise('applied-within-commit', n.config.id, `applied ${n.applied} is not in the log (starts at ${n.logStart.index})`);
  if (prev !== null && prev.index > n.logStart.index) {
    n.log = entriesFrom(n, logIndex(prev.index + 1));
    n.logStart = { index: prev.index, term: prev.term };
  }
  const snap = snapshotOf(n.kv, n.applied, t);
  // The snapshot carries the configuration in force at its index (thesis §5.1); none means the bootstrap one.
  const config = configAt(n, n.applied);
  if (config.from === 0) n.snapshot = snap;
  else if (n.config.bugs.has('snapshot-drops-config')) {
    ctx.note('bug.snapshot-drops-config');
    n.snapshot = snap;
  } else n.snapshot = { ...snap, config: config.members };
  ctx.compacted = true;
  ctx.note('snapshot.take');
}

/** Follower side of AppendEntries (Raft §5.3, receiver implementation 2–5). */
export function handleAppendEntries(ctx: StepContext, m: AppendEntries): void {
  const n = ctx.node;
  // Literals in one field order, not a spread: one shape for every accepting reply, one for every refusal.
  const accept = (matchIndex: LogIndex): void => {
    ctx.send({ type: 'AppendEntriesResp', from: n.config.id, to: m.from, term: n.term, success: true, matchIndex });
  };
  const refuse = (rejectedIndex: LogIndex, conflictIndex: LogIndex, conflictTerm: AppendEntriesResp['term']): void => {
    ctx.send({ type: 'AppendEntriesResp', from: n.config.id, to: m.from, term: n.term, success: false, rejectedIndex, conflictIndex, conflictTerm });
  };
  if (isCompacted(n, m.prevLogIndex)) {
    // We compacted past prevLogIndex: those entries are committed (and match the leader's). Say
    // how far we are committed, and the leader continues from there.
    ctx.note('append.skip-compacted');
    accept(n.commit);
    return;
  }
  const prevTerm = termAt(n, m.prevLogIndex);
  if (prevTerm === undefined) {
    ctx.note('append.reject.missing-prev');
    refuse(m.prevLogIndex, logIndex(lastIndex(n) + 1), term(0));
    return;
  }
  if (prevTerm !== m.prevLogTerm) {
    if (!(m.prevLogIndex > n.commit))
      raise('no-truncate-committed', n.config.id, `leader ${m.from} has term ${m.prevLogTerm} at committed index ${m.prevLogIndex}, we have ${prevTerm}`);
    ctx.note('append.reject.log-mismatch');
    // Fast backtracking: point the leader at the first entry of the conflicting term (Raft §5.3).
    const conflictIndex = logIndex(Math.max(firstIndexOfTermAt(n, m.prevLogIndex), n.commit + 1));
    refuse(m.prevLogIndex, conflictIndex, prevTerm);
    return;
  }
  let expected = m.prevLogIndex + 1;
  for (const e of m.entries) {
    if (!(e.index === expected++)) raise('log-contiguous', n.config.id, `AppendEntries from ${m.from} has entry ${e.index} out of place`);
    const existing = termAt(n, e.index);
    if (existing === e.term) continue; // already have it (a duplicate or reordered message)
    if (existing !== undefined) {
      if (!(e.index > n.commit)) raise('no-truncate-committed', n.config.id, `would delete committed entry ${e.index} (commit ${n.commit})`);
      if (n.config.bugs.has('no-truncate-conflict') && e.index < lastIndex(n)) {
        // The planted bug: overwrite this entry, keep the (conflicting) ones after it.
        n.log[e.index - n.logStart.index - 1] = e;
        ctx.markLogWritten(e.index);
        ctx.note('bug.no-truncate-conflict');
        continue;
      }
      n.log.length = e.index - n.logStart.index - 1;
      ctx.note('append.truncate-conflict');
    }
    appendEntry(ctx, e);
  }
  if (ctx.logWrittenFrom !== null) refreshMembers(ctx, n, ctx.logWrittenFrom);
  const lastNew = logIndex(m.prevLogIndex + m.entries.length);
  ctx.note('append.accept');
  accept(lastNew);
  // Raft §5.3 rule 5: commit = min(leaderCommit, index of last new entry).
  commitTo(ctx, logIndex(Math.min(m.commit, lastNew)));
}

function appendEntry(ctx: StepContext, e: Entry): void {
  const n = ctx.node;
  if (!(e.index === lastIndex(n) + 1)) raise('log-contiguous', n.config.id, `entry ${e.index} appended after ${lastIndex(n)}`);
  if (!(e.term <= n.term && e.term >= lastTerm(n)))
    raise('log-terms-valid', n.config.id, `entry ${e.index} has term ${e.term}; last term ${lastTerm(n)}, current term ${n.term}`);
  n.log.push(e);
  ctx.markLogWritten(e.index);
}

export function handleHeartbeat(ctx: StepContext, m: Heartbeat): void {
  const n = ctx.node;
  ctx.note('heartbeat.accept');
  ctx.send({ type: 'HeartbeatResp', from: n.config.id, to: m.from, term: n.term, readSeq: m.readSeq });
  commitTo(ctx, m.commit);
}

/** Leader side of an AppendEntries answer. */
export function handleAppendResp(ctx: StepContext, m: AppendEntriesResp): void {
  const n = ctx.node;
  const pr = progressOf(n, m.from);
  if (m.success) {
    if (m.matchIndex <= pr.match) {
      ctx.note('append.ack.stale');
      return;
    }
    if (!(m.matchIndex <= lastIndex(n))) raise('ack-within-log', n.config.id, `${m.from} acknowledged ${m.matchIndex} beyond our log end ${lastIndex(n)}`);
    pr.match = m.matchIndex;
    pr.snapshotWait = 0;
    if (pr.mode === 'probe') {
      pr.mode = 'replicate';
      pr.probeSent = false;
      pr.inflight = [];
      pr.next = logIndex(pr.match + 1);
    } else {
      pr.inflight = pr.inflight.filter((i) => i > pr.match);
      if (pr.next <= pr.match) pr.next = logIndex(pr.match + 1);
    }
    ctx.note('append.ack');
    if (maybeCommit(ctx)) {
      bcastAppend(ctx, true); // tell followers the new commit index
    } else {
      while (sendAppend(ctx, m.from, false)); // keep the pipeline full
    }
    return;
  }
  // While a snapshot travels no probe is sent, so a refusal now answers a probe sent before it.
  const stale = pr.snapshotWait > 0 || (pr.mode === 'replicate' ? m.rejectedIndex <= pr.match : m.rejectedIndex !== pr.next - 1);
  if (stale) {
    ctx.note('append.reject.stale');
    return;
  }
  let next = m.conflictIndex;
  if (m.conflictTerm > 0) {
    const last = lastIndexOfTerm(n, m.conflictTerm, m.rejectedIndex);
    if (last > 0) next = logIndex(last + 1);
  }
  pr.next = logIndex(Math.max(Math.min(next, m.rejectedIndex), pr.match + 1));
  pr.mode = 'probe';
  pr.probeSent = false;
  pr.inflight = [];
  ctx.note('append.backtrack');
  sendAppend(ctx, m.from, true);
}

export function handleHeartbeatResp(ctx: StepContext, m: HeartbeatResp): void {
  const n = ctx.node;
  const pr = progressOf(n, m.from);
  ctx.note('heartbeat.ack');
  // A snapshot on its way is not chased by a probe (which would bring it back again) until it is
  // acknowledged or its wait runs out.
  if (pr.snapshotWait > 0) {
    if (m.readSeq > pr.readAck) {
      pr.readAck = m.readSeq;
      processReads(ctx);
    }
    return;
  }
  pr.probeSent = false;
  // A full pipeline whose messages were lost would stall forever: release the oldest slot.
  if (pr.mode === 'replicate' && pr.inflight.length >= n.config.inflightAppendsMax) pr.inflight.shift();
  if (m.readSeq > pr.readAck) {
    pr.readAck = m.readSeq;
    processReads(ctx);
  }
  // A follower behind the leader gets entries (or an empty probe that finds where it is).
  if (pr.match < lastIndex(n) && sendAppend(ctx, m.from, true)) ctx.note('append.send');
}

/**
 * Raft §5.3/§5.4.2: commit the highest index held by a quorum — but only by counting replicas of
 * an entry of the current term (Figure 8); earlier entries are then committed indirectly.
 */
export function maybeCommit(ctx: StepContext): boolean {
  const n = ctx.node;
  // Only voters of the configuration in force count — the leader too, unless it is removing itself (thesis §4.2.2).
  const v = membersOf(n);
  const matches: number[] = v.voter ? [n.selfMatch] : [];
  if (v.others.length === v.otherVoters.length) for (const pr of n.progress.values()) matches.push(pr.match);
  else for (const id of v.otherVoters) matches.push(n.progress.get(id)!.match);
  matches.sort((a, b) => b - a);
  const candidate = logIndex(matches[v.quorum - 1]!);
  if (candidate <= n.commit) return false;
  if (termAt(n, candidate) !== n.term) {
    if (!n.config.bugs.has('commit-old-term')) {
      ctx.note('commit.skip-old-term');
      return false;
    }
    ctx.note('bug.commit-old-term');
  }
  commitTo(ctx, candidate);
  return true;
}

/** Moves the commit index forward (never back) and applies what became committed. */
export function commitTo(ctx: StepContext, index: LogIndex): void {
  const n = ctx.node;
  if (index <= n.commit) return;
  if (!(index <= lastIndex(n))) raise('commit-within-log', n.config.id, `commit to ${index} beyond last index ${lastIndex(n)}`);
  n.commit = index;
  ctx.note('commit.advance');
  onCommitAdvanced(ctx);
  applyCommitted(ctx);
}

/** Applies committed entries in log order (Raft §5.3, "state machine safety" §5.4.3). */
function applyCommitted(ctx: StepContext): void {
  const n = ctx.node;
  if (n.applied >= n.commit) return;
  ctx.note('apply');
  while (n.applied < n.commit) {
    const index = logIndex(n.applied + 1);
    const e = entryAt(n, index)!;
    if (e.data.type !== 'command') {
      ctx.apply({ index, term: e.term, data: e.data, result: null, effect: 'noop' });
    } else {
      const dedup = !n.config.bugs.has('duplicate-apply');
      if (!dedup && (n.kv.sessions.get(e.data.client)?.lastSeq ?? -1) >= e.data.seq) ctx.note('bug.duplicate-apply');
      const outcome = applyWrite(n.kv, e.data.client, e.data.seq, e.data.op, dedup);
      const result = outcome.effect === 'stale' ? null : outcome.result;
      ctx.apply({ index, term: e.term, data: e.data, result, effect: outcome.effect });
      onEntryApplied(ctx, e, outcome);
    }
    n.applied = index;
  }
  processReads(ctx);
}

/** The leader's record of peer `id` (a typed assertion, not a TypeError, if it has none). */
export function progressOf(n: NodeState, id: NodeId): Progress {
  const pr = n.progress.get(id);
  if (pr === undefined) raise('progress-for-every-peer', n.config.id, `no progress for ${id}`);
  return pr;
}
