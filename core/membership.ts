// Cluster membership (thesis chapter 4), by single-server changes (§4.1): each change adds or
// removes one server, so any majority of the old configuration overlaps any majority of the new
// one and no joint configuration is needed. A configuration is a log entry and is in force on a
// node as soon as the entry is in its log, committed or not; a leader starts a change only when the
// previous one is committed and it has committed an entry of its own term. A server being added
// first catches up as a learner, counted in no quorum, and the leader promotes it once it holds the
// committed log (§4.2.1). A removed leader keeps leading until the removal commits, not counting
// itself, then steps down (§4.2.2). Nodes that are not voters never campaign, and the lease of
// check-quorum keeps removed servers from disrupting the cluster (§4.2.3).
import { becomeFollower } from './follower';
import { membersOf, setMembers } from './members';
import { committedInTerm, processReads } from './replies';
import { appendAsLeader, bcastAppend, maybeCommit } from './replication';
import type { StepContext } from './state';
import type { Membership, NodeId } from './types';

export type MembershipChange = 'add' | 'remove';

/** The changeMembership input: one server in or out (thesis §4.1). */
export function startMembershipChange(ctx: StepContext, action: MembershipChange, node: NodeId, addresses?: Readonly<Record<string, string>>): void {
  const n = ctx.node;
  if (n.role !== 'leader') return ctx.note('config.reject.not-leader');
  const m = n.members;
  const v = membersOf(n);
  if (action === 'add' ? v.memberSet.has(node) : !v.memberSet.has(node)) return ctx.note(action === 'add' ? 'config.reject.member' : 'config.reject.unknown');
  if (action === 'remove' && m.voters.length === 1 && m.voters[0] === node) return ctx.note('config.reject.last-voter');
  if (n.transferee !== null) return ctx.note('config.reject.transferring');
  if (!changeAllowed(ctx)) return;
  const next = withAddresses(
    action === 'add'
      ? { voters: m.voters, learners: [...m.learners, node] }
      : { voters: m.voters.filter((id) => id !== node), learners: m.learners.filter((id) => id !== node) },
    { ...m.addresses, ...addresses },
  );
  if (action === 'remove' && !quorumActiveIn(ctx, next)) return ctx.note('config.reject.quorum-loss');
  appendConfig(ctx, next);
}

/** `m` with the addresses of its members among `addresses` (none when there are none). */
function withAddresses(m: Membership, addresses: Readonly<Record<string, string>>): Membership {
  const a: Record<string, string> = {};
  for (const id of [...m.voters, ...m.learners]) if (Object.hasOwn(addresses, id)) a[id] = addresses[id]!;
  return Object.keys(a).length === 0 ? m : { ...m, addresses: a };
}

/** The leader and the voters of `next` it heard from in this round or the one before make a quorum of `next`. */
function quorumActiveIn(ctx: StepContext, next: Membership): boolean {
  const n = ctx.node;
  let active = 0;
  for (const id of next.voters) {
    const pr = n.progress.get(id);
    if (id === n.config.id || pr?.recentActive === true || pr?.prevActive === true) active++;
  }
  return active >= Math.floor(next.voters.length / 2) + 1;
}

/** One change at a time, and only once the leader has committed an entry of its term. */
function changeAllowed(ctx: StepContext): boolean {
  const n = ctx.node;
  if (n.configIndex > n.commit) {
    if (!n.config.bugs.has('concurrent-config-change')) {
      ctx.note('config.reject.pending');
      return false;
    }
    ctx.note('bug.concurrent-config-change');
  }
  if (!committedInTerm(n)) {
    ctx.note('config.reject.term-not-committed');
    return false;
  }
  return true;
}

function appendConfig(ctx: StepContext, next: Membership): void {
  const n = ctx.node;
  const index = appendAsLeader(
    ctx,
    next.addresses === undefined
      ? { type: 'config', voters: next.voters, learners: next.learners }
      : { type: 'config', voters: next.voters, learners: next.learners, addresses: next.addresses },
  );
  setMembers(n, n.log[n.log.length - 1]!.data as Membership, index);
  ctx.note('config.start');
  bcastAppend(ctx);
  // (A removal shrinks the quorum: what the others hold may commit now, and reads may be confirmed.)
  if (maybeCommit(ctx)) bcastAppend(ctx, true);
  processReads(ctx);
}

/** A leader's tick: a learner holding the whole committed log becomes a voter (thesis §4.2.1). */
export function maybePromote(ctx: StepContext): void {
  const n = ctx.node;
  const m = n.members;
  if (m.learners.length === 0 || n.configIndex > n.commit || n.transferee !== null || !committedInTerm(n)) return;
  for (const id of m.learners) {
    const pr = n.progress.get(id);
    if (pr === undefined || pr.match < n.commit) continue;
    ctx.note('config.promote');
    // (Addresses, if any, carried over: appendConfig takes the fields of a configuration only.)
    appendConfig(ctx, { ...m, voters: [...m.voters, id], learners: m.learners.filter((l) => l !== id) });
    return;
  }
}

/** After the commit index advanced at a leader: once its removal is committed, it steps down (§4.2.2). */
export function maybeStepDownRemoved(ctx: StepContext): void {
  const n = ctx.node;
  if (n.role !== 'leader' || n.configIndex > n.commit || membersOf(n).voter) return;
  if (n.config.bugs.has('removed-leader-stays')) return ctx.note('bug.removed-leader-stays');
  ctx.note('config.step-down');
  becomeFollower(ctx, n.term, null);
}
