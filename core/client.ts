// Client requests (thesis chapter 6): relaying to the leader, proposing writes, linearizable reads
// by ReadIndex (thesis §6.4), and answering clients once their request is applied or served.
import { raise } from './assert';
import { quorumSize } from './config';
import type { ApplyOutcome } from './kv';
import { read } from './kv';
import { termAt } from './log';
import { appendAsLeader, bcastAppend, bcastHeartbeat, maybeCommit } from './replication';
import type { NodeState, StepContext } from './state';
import { term, type ClientForward, type ClientForwardReply, type ClientOutcome, type ClientRequest, type Entry, type NodeId } from './types';

export function handleClientRequest(ctx: StepContext, request: ClientRequest): void {
  const n = ctx.node;
  if (n.role === 'leader') {
    acceptAsLeader(ctx, request, n.config.id);
  } else if (n.leader !== null) {
    ctx.note('client.forward');
    ctx.send({ type: 'ClientForward', from: n.config.id, to: n.leader, term: term(0), request });
  } else {
    ctx.note('client.reject.not-leader');
    answer(ctx, n.config.id, request, { status: 'not-leader', leaderHint: null });
  }
}

/** A request relayed by a follower. Only one hop: a non-leader answers instead of relaying again. */
export function handleClientForward(ctx: StepContext, m: ClientForward): void {
  const n = ctx.node;
  if (n.role === 'leader') {
    acceptAsLeader(ctx, m.request, m.from);
  } else {
    ctx.note('client.reject.not-leader');
    answer(ctx, m.from, m.request, { status: 'not-leader', leaderHint: n.leader });
  }
}

export function handleClientForwardReply(ctx: StepContext, m: ClientForwardReply): void {
  ctx.note('client.relay-reply');
  ctx.reply(m.reply);
}

function acceptAsLeader(ctx: StepContext, request: ClientRequest, origin: NodeId): void {
  const n = ctx.node;
  if (n.proposals.size + n.reads.length >= n.config.maxPendingRequests) {
    ctx.note('client.reject.overloaded');
    answer(ctx, origin, request, { status: 'overloaded' });
    return;
  }
  if (request.op.type === 'get') {
    startRead(ctx, request, origin);
    return;
  }
  const index = appendAsLeader(ctx, { type: 'command', client: request.client, seq: request.seq, op: request.op });
  n.proposals.set(index, { request, origin });
  ctx.note('client.propose');
  bcastAppend(ctx);
  maybeCommit(ctx);
}

/**
 * ReadIndex (thesis §6.4): remember the commit index, confirm leadership with a heartbeat round,
 * then answer from the state machine once it has applied up to the remembered index.
 */
function startRead(ctx: StepContext, request: ClientRequest, origin: NodeId): void {
  const n = ctx.node;
  if (n.config.bugs.has('stale-read')) {
    // The planted bug: answer from the local state machine, without a ReadIndex round.
    ctx.note('bug.stale-read');
    answer(ctx, origin, request, { status: 'ok', result: read(n.kv, request.op.key) });
    return;
  }
  n.readSeq++;
  const index = committedInTerm(n) ? n.commit : null;
  n.reads.push({ request, origin, seq: n.readSeq, index, confirmed: false });
  ctx.note('read.start');
  if (index === null) ctx.note('read.wait-commit');
  if (n.progress.size > 0) bcastHeartbeat(ctx);
  processReads(ctx);
}

/** The leader has committed an entry of its own term, so its commit index is up to date (§6.4 step 1). */
function committedInTerm(n: NodeState): boolean {
  return termAt(n, n.commit) === n.term;
}

/** Confirms reads acknowledged by a quorum and serves those the state machine has caught up with. */
export function processReads(ctx: StepContext): void {
  const n = ctx.node;
  if (n.role !== 'leader' || n.reads.length === 0) return;
  const q = quorumSize(n.config);
  // Confirmation is monotone in seq, so confirmed reads always form a prefix of the queue.
  let confirmedNow = false;
  for (const r of n.reads) {
    if (r.confirmed) continue;
    let acks = 1;
    for (const pr of n.progress.values()) if (pr.readAck >= r.seq) acks++;
    if (acks < q) break;
    r.confirmed = true;
    confirmedNow = true;
  }
  if (confirmedNow) ctx.note('read.confirmed');
  let served = 0;
  for (const r of n.reads) {
    if (!r.confirmed || r.index === null || r.index > n.applied) break;
    answer(ctx, r.origin, r.request, { status: 'ok', result: read(n.kv, r.request.op.key) });
    served++;
  }
  if (served > 0) {
    n.reads.splice(0, served);
    ctx.note('read.serve');
  }
}

export function onCommitAdvanced(ctx: StepContext): void {
  const n = ctx.node;
  if (n.role !== 'leader' || !committedInTerm(n)) return;
  for (const r of n.reads) if (r.index === null) r.index = n.commit;
}

/** The leader answers the client whose write was just applied. */
export function onEntryApplied(ctx: StepContext, e: Entry, outcome: ApplyOutcome): void {
  const n = ctx.node;
  if (n.role !== 'leader') return;
  const p = n.proposals.get(e.index);
  if (p === undefined) return;
  n.proposals.delete(e.index);
  if (!(e.data.type === 'command' && e.data.client === p.request.client && e.data.seq === p.request.seq)) raise('proposal-matches-entry', n.config.id, `entry ${e.index} is not the request ${p.request.client}#${p.request.seq}`);
  answer(ctx, p.origin, p.request, outcome.effect === 'stale' ? { status: 'stale-sequence' } : { status: 'ok', result: outcome.result });
}

/** On leaving leadership: writes may still commit under the next leader; reads were not served. */
export function failPendingRequests(ctx: StepContext, newLeader: NodeId | null): void {
  const n = ctx.node;
  for (const p of n.proposals.values()) answer(ctx, p.origin, p.request, { status: 'leadership-lost' });
  for (const r of n.reads) answer(ctx, r.origin, r.request, { status: 'not-leader', leaderHint: newLeader });
  n.proposals = new Map();
  n.reads = [];
  n.readSeq = 0;
}

/** Answers the client directly, or through the follower that relayed its request. */
function answer(ctx: StepContext, origin: NodeId, request: ClientRequest, outcome: ClientOutcome): void {
  const n = ctx.node;
  const reply = { client: request.client, seq: request.seq, outcome };
  if (origin === n.config.id) {
    ctx.note('client.reply');
    ctx.reply(reply);
  } else {
    ctx.send({ type: 'ClientForwardReply', from: n.config.id, to: origin, term: term(0), reply });
  }
}
