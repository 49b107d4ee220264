// The single entry point of the Raft core: step(state, input) → { state, outputs }.
// Term rules common to every message are applied once here (Raft §5.1), then the message is
// dispatched by role, as in etcd raft's Step / stepLeader / stepCandidate / stepFollower.
import { assertNever, raise } from './assert';
import { handleClientForward, handleClientForwardReply, handleClientRequest } from './client';
import { campaignNow, handleVoteRequest, handleVoteResponse, inLease, tickElection } from './election';
import { becomeFollower } from './follower';
import { entriesFrom, lastIndex } from './log';
import {
  ackOwnAppend,
  handleAppendEntries,
  handleAppendResp,
  handleHeartbeat,
  handleHeartbeatResp,
  handleInstallSnapshot,
  handleSelfAck,
  maybeCompact,
  progressOf,
  tickLeader,
} from './replication';
import { membersOf, refreshMembers } from './members';
import { maybePromote, maybeStepDownRemoved, startMembershipChange } from './membership';
import { restartNode, StepContext, type NodeState, type Progress } from './state';
import { maybeTimeoutNow, startTransfer, tickTransfer } from './transfer';
import { logIndex, type Input, type Message, type NodeId, type Persist, type StepOutputs, type Term } from './types';

/** Messages a leader may send before its step's persist is durable (the Persist contract's allowance). */
export function mayLeaveBeforePersist(m: Message): boolean {
  return (m.type === 'AppendEntries' || m.type === 'Heartbeat' || m.type === 'InstallSnapshot') && m.from !== m.to;
}

export interface StepResult {
  /** The same object that was passed in, advanced by one step. */
  readonly state: NodeState;
  readonly outputs: StepOutputs;
}

/**
 * Advances one node by one input. Pure in the sense of etcd raft: no I/O, no clock, no global
 * randomness — the same state and input always give the same result.
 *
 * Ownership: `step` takes the state and returns it advanced (it is updated in place, so a long
 * log is never copied); keep a `cloneNode` if you need the old one. The outputs never alias it.
 * Contract: persists are written in order, and every persist up to and including this step's
 * is durable before `outputs.messages` are sent or `outputs.replies` delivered (see Persist).
 */
export function step(state: NodeState, input: Input): StepResult {
  const ctx = new StepContext(state);
  switch (input.type) {
    case 'tick':
      if (state.role === 'leader') {
        tickLeader(ctx);
        tickTransfer(ctx);
        if (state.role === 'leader' && state.members.learners.length > 0) maybePromote(ctx);
      } else tickElection(ctx);
      break;
    case 'receive':
      receive(ctx, input.message);
      break;
    case 'clientRequest':
      handleClientRequest(ctx, input.request);
      break;
    case 'restart':
      if (restartNode(state, input.durable)) ctx.compacted = true;
      refreshMembers(null, state, null);
      ctx.note('restart');
      break;
    case 'transferLeadership':
      startTransfer(ctx, input.to);
      break;
    case 'changeMembership':
      startMembershipChange(ctx, input.action, input.node, input.addresses);
      break;
    default:
      assertNever(input, 'input');
  }
  const restarted = input.type === 'restart';
  if (state.role === 'leader' && state.configIndex > 0) maybeStepDownRemoved(ctx);
  if (!restarted && state.config.snapshotEntries > 0) maybeCompact(ctx);
  ackOwnAppend(ctx);
  checkStep(state, ctx, restarted);
  return { state, outputs: finish(ctx, restarted) };
}

/** A message only a leader sends to its followers. */
function fromLeader(m: Message): boolean {
  return m.type === 'AppendEntries' || m.type === 'Heartbeat' || m.type === 'InstallSnapshot';
}

function isVoteRequest(m: Message): boolean {
  return m.type === 'PreVote' || m.type === 'RequestVote';
}

function receive(ctx: StepContext, m: Message): void {
  const n = ctx.node;
  if (m.to !== n.config.id) raise('message-addressed-here', n.config.id, `${m.type} for ${m.to} delivered here`);
  if (m.type === 'ClientForward') return handleClientForward(ctx, m);
  if (m.type === 'ClientForwardReply') return handleClientForwardReply(ctx, m);
  // Answers and TimeoutNow from a node outside our configuration are not heard (a leader keeps no
  // record of it). Anyone's leader messages are: a node being added hears of the configuration that
  // holds it only from the leader (thesis §4.2.1). Anyone's vote requests are answered too: nodes'
  // configurations differ while a change spreads, and a voter of a newer one must win the votes of
  // nodes that do not know it yet (a removed node is kept from disrupting by the lease, below).
  // (A TimeoutNow from the leader we follow counts too: a leader that is removing itself may hand over.)
  const member =
    m.from === n.config.id
      ? m.type === 'AppendEntriesResp'
      : fromLeader(m) || isVoteRequest(m) || (m.type === 'TimeoutNow' && m.from === n.leader) || membersOf(n).memberSet.has(m.from);
  if (!member) {
    ctx.note('ignore.unknown-sender');
    return;
  }

  if (m.term > n.term) {
    // (A vote request of a leadership transfer is the leader handing over: no lease to keep.)
    // (Thesis §4.2.3: a node outside the configuration — removed, and unaware — is held to the lease
    // with check-quorum off too, or it would depose leader after leader.)
    if (m.type === 'RequestVote' && inLease(n) && m.transfer !== true && (n.config.checkQuorum || !membersOf(n).memberSet.has(m.from))) {
      ctx.note('vote.ignore.in-lease');
      return;
    }
    // A pre-vote, or a grant of one, is about a term nobody has entered yet (thesis §9.6).
    const preVote = m.type === 'PreVote' || (m.type === 'PreVoteResp' && m.granted);
    if (!preVote) {
      ctx.note('term.adopt');
      becomeFollower(ctx, m.term, fromLeader(m) ? m.from : null);
    }
  } else if (m.term < n.term) {
    if (m.type === 'RequestVoteResp' && n.role === 'candidate' && n.config.bugs.has('stale-vote-response')) {
      ctx.note('bug.stale-vote-response');
      return handleVoteResponse(ctx, m);
    }
    rejectStale(ctx, m);
    return;
  }

  switch (m.type) {
    case 'PreVote':
    case 'RequestVote':
      return handleVoteRequest(ctx, m);
    default:
      break;
  }
  switch (n.role) {
    case 'leader':
      return stepLeader(ctx, m);
    case 'candidate':
    case 'pre-candidate':
      return stepCandidate(ctx, m);
    case 'follower':
      return stepFollower(ctx, m);
    default:
      assertNever(n.role, 'role');
  }
}

type PeerMessage = Exclude<Message, { type: 'ClientForward' | 'ClientForwardReply' }>;

/** Raft §5.1: a request with a stale term is refused with our term, so its sender catches up. */
function rejectStale(ctx: StepContext, m: PeerMessage): void {
  const n = ctx.node;
  const from = n.config.id;
  const to = m.from;
  const term = n.term;
  // Literals in one field order, not spreads: every message of a type shares one shape.
  switch (m.type) {
    case 'PreVote':
      ctx.send({ type: 'PreVoteResp', from, to, term, granted: false, round: m.round });
      break;
    case 'RequestVote':
      ctx.send({ type: 'RequestVoteResp', from, to, term, granted: false });
      break;
    case 'AppendEntries':
      ctx.send({
        type: 'AppendEntriesResp',
        from,
        to,
        term,
        success: false,
        rejectedIndex: m.prevLogIndex,
        conflictIndex: logIndex(m.prevLogIndex + 1),
        conflictTerm: 0 as Term,
      });
      break;
    case 'InstallSnapshot':
      ctx.send({
        type: 'AppendEntriesResp',
        from,
        to,
        term,
        success: false,
        rejectedIndex: m.snapshot.index,
        conflictIndex: logIndex(m.snapshot.index + 1),
        conflictTerm: 0 as Term,
      });
      break;
    case 'Heartbeat':
      ctx.send({ type: 'HeartbeatResp', from, to, term, readSeq: 0 });
      break;
    default:
      ctx.note('stale.ignore');
      return;
  }
  ctx.note('stale.reject');
}

function stepLeader(ctx: StepContext, m: PeerMessage): void {
  const n = ctx.node;
  switch (m.type) {
    case 'AppendEntries':
    case 'InstallSnapshot':
    case 'Heartbeat':
      raise('one-leader-per-term', n.config.id, `${m.from} also leads term ${m.term}`);
      break;
    case 'AppendEntriesResp':
      if (m.from === n.config.id) return handleSelfAck(ctx, m);
      if (n.config.bugs.has('check-quorum-ignores-acks')) ctx.note('bug.check-quorum-ignores-acks');
      else progressOf(n, m.from).recentActive = true;
      {
        // (TimeoutNow once, on the acknowledgement that brought the transferee level; etcd raft too.)
        const before = progressOf(n, m.from).match;
        handleAppendResp(ctx, m);
        if (progressOf(n, m.from).match > before) maybeTimeoutNow(ctx, m.from);
      }
      return;
    case 'HeartbeatResp':
      if (n.config.bugs.has('check-quorum-ignores-acks')) ctx.note('bug.check-quorum-ignores-acks');
      else progressOf(n, m.from).recentActive = true;
      return handleHeartbeatResp(ctx, m);
    default:
      ctx.note('response.ignore');
  }
}

function stepCandidate(ctx: StepContext, m: PeerMessage): void {
  switch (m.type) {
    case 'AppendEntries':
    case 'InstallSnapshot':
    case 'Heartbeat':
      // Raft §5.2: a candidate that hears from the leader of its term becomes follower.
      ctx.note('candidate.step-down');
      becomeFollower(ctx, ctx.node.term, m.from);
      return stepFollower(ctx, m);
    case 'PreVoteResp':
    case 'RequestVoteResp':
      return handleVoteResponse(ctx, m);
    default:
      ctx.note('response.ignore');
  }
}

function stepFollower(ctx: StepContext, m: PeerMessage): void {
  const n = ctx.node;
  switch (m.type) {
    case 'AppendEntries':
    case 'InstallSnapshot':
    case 'Heartbeat':
      n.leader = m.from;
      n.electionElapsed = 0;
      return m.type === 'AppendEntries' ? handleAppendEntries(ctx, m) : m.type === 'InstallSnapshot' ? handleInstallSnapshot(ctx, m) : handleHeartbeat(ctx, m);
    case 'TimeoutNow':
      return campaignNow(ctx);
    default:
      ctx.note('response.ignore');
  }
}

/** A leader's appends in flight to one peer: within the limit, and none while probing (Map.forEach: no iterator per step). */
function checkInflight(this: NodeState, pr: Progress, peer: NodeId): void {
  const max = this.config.inflightAppendsMax;
  if (!(pr.inflight.length <= max && (pr.mode === 'replicate' || pr.inflight.length === 0)))
    raise('inflight-within-limit', this.config.id, `${pr.inflight.length} appends in flight to ${peer} (${pr.mode}, limit ${max})`);
}

/** The node's own invariants, checked after every step (O(1)). @internal exported for tests. */
export function checkStep(n: NodeState, ctx: StepContext, restarted: boolean): void {
  const id = n.config.id;
  if (!(n.commit <= lastIndex(n))) raise('commit-within-log', id, `commit ${n.commit} > last index ${lastIndex(n)}`);
  if (!(n.applied <= n.commit)) raise('applied-within-commit', id, `applied ${n.applied} > commit ${n.commit}`);
  // Terms never decrease along the log, across its start too (a log kept after a snapshot must follow it).
  if (n.log.length > 0 && n.log[0]!.term < n.logStart.term)
    raise(
      'log-terms-valid',
      id,
      `entry ${n.log[0]!.index} has term ${n.log[0]!.term}, older than the term ${n.logStart.term} of the log start ${n.logStart.index}`,
    );
  if (n.role === 'leader') {
    if (!(n.leader === id && n.progress.size === membersOf(n).others.length && n.selfMatch <= lastIndex(n)))
      raise('leader-knows-itself', id, `leader field ${n.leader}, progress for ${n.progress.size} peers, self match ${n.selfMatch} of ${lastIndex(n)}`);
    n.progress.forEach(checkInflight, n);
  }
  if (n.transferee !== null && !(n.role === 'leader' && n.progress.has(n.transferee)))
    raise('transferee-is-a-follower', id, `transferee ${n.transferee} as ${n.role}`);
  if (restarted) return;
  if (n.term < ctx.termBefore) raise('term-monotonic', id, `term went from ${ctx.termBefore} to ${n.term}`);
  if (n.commit < ctx.commitBefore) raise('commit-monotonic', id, `commit went from ${ctx.commitBefore} to ${n.commit}`);
  if (n.term === ctx.termBefore && ctx.voteBefore !== null && n.vote !== ctx.voteBefore) {
    raise('one-vote-per-term', id, `voted ${ctx.voteBefore} then ${n.vote} in term ${n.term}`);
  }
  const stillLeader = ctx.roleBefore === 'leader' && n.role === 'leader' && n.term === ctx.termBefore;
  if (stillLeader && ctx.logWrittenFrom !== null && ctx.logWrittenFrom <= ctx.lastIndexBefore) {
    raise('leader-append-only', id, `leader rewrote its log from index ${ctx.logWrittenFrom} (last was ${ctx.lastIndexBefore})`);
  }
}

function finish(ctx: StepContext, restarted: boolean): StepOutputs {
  const n = ctx.node;
  let persist: Persist | null = null;
  // A restart writes nothing, unless it replaced a stale log by the snapshot (storage must follow).
  if (restarted && ctx.compacted) persist = { hardState: null, log: null, compact: { snapshot: n.snapshot!, logStart: n.logStart } };
  if (!restarted) {
    let hardState = n.term !== ctx.termBefore || n.vote !== ctx.voteBefore ? { term: n.term, vote: n.vote } : null;
    if (hardState !== null && n.vote !== null && n.config.bugs.has('vote-not-durable')) {
      // The planted bug: the vote stays in memory only.
      ctx.note('bug.vote-not-durable');
      hardState = n.term !== ctx.termBefore ? { term: n.term, vote: null } : null;
    }
    // Entries written in this step and compacted away in it too are covered by the snapshot.
    const from = ctx.logWrittenFrom === null ? null : logIndex(Math.max(ctx.logWrittenFrom, n.logStart.index + 1));
    const log = from === null ? null : { from, entries: entriesFrom(n, from) };
    if (ctx.compacted) persist = { hardState, log, compact: { snapshot: n.snapshot!, logStart: n.logStart } };
    else if (hardState !== null || log !== null) persist = { hardState, log };
  }
  return { persist, messages: ctx.messages, applied: ctx.applied, replies: ctx.replies, reasons: ctx.reasons };
}
