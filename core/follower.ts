// Becoming a follower: the one way back from any role — on a higher term, on hearing the leader of
// the current term, or when a leader loses touch with a quorum (check-quorum, thesis §6.2). A leader
// stepping down fails its pending requests (replies.ts).
import { failPendingRequests } from './replies';
import { resetElectionTimer, type StepContext } from './state';
import type { NodeId, Term } from './types';

export function becomeFollower(ctx: StepContext, t: Term, leader: NodeId | null): void {
  const n = ctx.node;
  if (n.role === 'leader') {
    ctx.note('leader.step-down');
    failPendingRequests(ctx, leader);
  }
  if (t > n.term) {
    n.term = t;
    n.vote = null;
  }
  n.role = 'follower';
  n.leader = leader;
  n.votes = new Map();
  n.progress = new Map();
  n.heartbeatElapsed = 0;
  n.transferee = null;
  n.transferElapsed = 0;
  resetElectionTimer(n);
}
