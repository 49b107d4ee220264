// Replies to clients (thesis chapter 6): serving confirmed ReadIndex reads (§6.4), answering the
// client whose write was applied, failing what is pending when leadership is lost — and the answer
// itself, direct or through the follower that relayed the request. Called by replication (on commit
// and apply), by the role changes and by the request handlers in client.ts; it calls none of them.
import { raise } from './assert';
import type { ApplyOutcome } from './kv';
import { read } from './kv';
import { termAt } from './log';
import { membersOf } from './members';
import type { NodeState, StepContext } from './state';
import { term, type ClientOutcome, type ClientRequest, type Entry, type NodeId } from './types';

/** The leader has committed an entry of its own term, so its commit index is up to date (§6.4 step 1). */
export function committedInTerm(n: NodeState): boolean {
  return termAt(n, n.commit) === n.term;
}

/** Confirms reads acknowledged by a quorum and serves those the state machine has caught up with. */
export function processReads(ctx: StepContext): void {
  const n = ctx.node;
  if (n.role !== 'leader' || n.reads.length === 0) return;
  const v = membersOf(n);
  // Confirmation is monotone in seq, so confirmed reads always form a prefix of the queue.
  let confirmedNow = false;
  for (const r of n.reads) {
    if (r.confirmed) continue;
    let acks = v.voter ? 1 : 0;
    // (Every follower votes unless there are learners: then the records themselves, no lookups.)
    if (v.others.length === v.otherVoters.length) for (const pr of n.progress.values()) acks += pr.readAck >= r.seq ? 1 : 0;
    else for (const id of v.otherVoters) if (n.progress.get(id)!.readAck >= r.seq) acks++;
    if (acks < v.quorum) break;
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
  if (!(e.data.type === 'command' && e.data.client === p.request.client && e.data.seq === p.request.seq))
    raise('proposal-matches-entry', n.config.id, `entry ${e.index} is not the request ${p.request.client}#${p.request.seq}`);
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
export function answer(ctx: StepContext, origin: NodeId, request: ClientRequest, outcome: ClientOutcome): void {
  const n = ctx.node;
  const reply = { client: request.client, seq: request.seq, outcome };
  if (origin === n.config.id) {
    ctx.note('client.reply');
    ctx.reply(reply);
  } else {
    ctx.send({ type: 'ClientForwardReply', from: n.config.id, to: origin, term: term(0), reply });
  }
}
