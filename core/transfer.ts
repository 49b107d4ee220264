// Leadership transfer (thesis §3.10): the leader catches the transferee up, stops taking writes so
// the log stops growing, and once the transferee holds the whole log tells it to campaign at once
// (TimeoutNow). The transferee campaigns without a pre-vote round and asks for votes past the lease
// (the leader it would wait out is the one handing over). A transfer that does not finish within an
// election timeout is given up, and the leader takes writes again; the leader stepping down (it sees
// the transferee's higher term) ends it too (follower.ts).
import { lastIndex } from './log';
import { membersOf } from './members';
import { sendAppend } from './replication';
import type { StepContext } from './state';
import type { NodeId } from './types';

/** The transferLeadership input. */
export function startTransfer(ctx: StepContext, to: NodeId): void {
  const n = ctx.node;
  if (n.role !== 'leader') return ctx.note('transfer.ignore.not-leader');
  if (to === n.config.id) return ctx.note('transfer.ignore.self');
  const pr = n.progress.get(to);
  if (pr === undefined) return ctx.note('transfer.ignore.unknown');
  if (!membersOf(n).voterSet.has(to)) return ctx.note('transfer.ignore.not-voter');
  if (n.transferee === to) return ctx.note('transfer.ignore.in-progress');
  // (A transfer to another node replaces one under way, as etcd raft does.)
  n.transferee = to;
  n.transferElapsed = 0;
  ctx.note('transfer.start');
  if (pr.match === lastIndex(n)) sendTimeoutNow(ctx, to);
  else if (sendAppend(ctx, to, false)) ctx.note('append.send');
}

/** After an acknowledgement from `from`: if it is the transferee and holds the whole log, TimeoutNow. */
export function maybeTimeoutNow(ctx: StepContext, from: NodeId): void {
  const n = ctx.node;
  if (n.transferee !== from || n.progress.get(from)?.match !== lastIndex(n)) return;
  sendTimeoutNow(ctx, from);
}

function sendTimeoutNow(ctx: StepContext, to: NodeId): void {
  const n = ctx.node;
  ctx.note('transfer.timeout-now');
  ctx.send({ type: 'TimeoutNow', from: n.config.id, to, term: n.term });
}

/** A leader's tick: a transfer that has run for an election timeout is given up. */
export function tickTransfer(ctx: StepContext): void {
  const n = ctx.node;
  if (n.transferee === null) return;
  n.transferElapsed++;
  if (n.transferElapsed < n.config.electionTicksMin) return;
  ctx.note('transfer.abort');
  n.transferee = null;
  n.transferElapsed = 0;
}
