// Client requests (thesis chapter 6): relaying to the leader, proposing writes, and starting
// linearizable reads by ReadIndex (thesis §6.4). The answers, once a request is applied or served,
// are in replies.ts.
import { read } from './kv';
import { answer, committedInTerm, processReads } from './replies';
import { appendAsLeader, bcastAppend, bcastHeartbeat, maybeCommit } from './replication';
import type { StepContext } from './state';
import { term, type ClientForward, type ClientForwardReply, type ClientRequest, type NodeId } from './types';

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
  if (n.proposals.size + n.reads.length >= n.config.pendingRequestsMax) {
    ctx.note('client.reject.overloaded');
    answer(ctx, origin, request, { status: 'overloaded' });
    return;
  }
  if (request.op.type === 'get') {
    startRead(ctx, request, origin);
    return;
  }
  if (n.transferee !== null) {
    // Thesis §3.10: no new writes while handing over, or the transferee could never catch up.
    ctx.note('client.reject.transferring');
    answer(ctx, origin, request, { status: 'not-leader', leaderHint: n.transferee });
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
