// Roles and elections: becomeX role changes, the election timer, pre-vote (thesis §9.6),
// vote requests and the counting of votes (Raft §5.2, §5.4.1).
import { raise } from './assert';
import { isUpToDate, lastIndex, lastTerm } from './log';
import { mayCampaign, membersOf, newProgress } from './members';
import { appendAsLeader, bcastAppend, maybeCommit } from './replication';
import { becomeFollower } from './follower';
import { resetElectionTimer, type NodeState, type StepContext } from './state';
import { logIndex, term, type PreVote, type PreVoteResp, type RequestVote, type RequestVoteResp } from './types';

/**
 * The node heard from a leader within the minimum election timeout. While in lease it refuses
 * pre-votes (thesis §9.6) and, with check-quorum, ignores higher-term vote requests (thesis §4.2.3),
 * so a node that was partitioned away cannot disrupt a working leader.
 */
export function inLease(n: NodeState): boolean {
  return n.leader !== null && n.electionElapsed < n.config.electionTicksMin;
}

/** The election timer fired (Raft §5.2): campaign, with a pre-vote round first when enabled. */
export function tickElection(ctx: StepContext): void {
  const n = ctx.node;
  n.electionElapsed++;
  if (n.electionElapsed < n.electionTimeout) {
    ctx.note('tick');
    return;
  }
  if (!mayCampaign(n)) {
    // A learner, a removed node or one not yet added: only voters campaign (thesis §4.2.1, §4.2.3).
    ctx.note('election.skip.not-voter');
    resetElectionTimer(n);
    return;
  }
  ctx.note('election.timeout');
  if (n.config.preVote) becomePreCandidate(ctx);
  else becomeCandidate(ctx);
}

function becomePreCandidate(ctx: StepContext): void {
  const n = ctx.node;
  n.role = 'pre-candidate';
  n.leader = null;
  n.votes = new Map([[n.config.id, true]]);
  n.preVoteRound++;
  resetElectionTimer(n);
  ctx.note('prevote.start');
  if (pollVotes(n) === 'won') {
    ctx.note('prevote.won');
    becomeCandidate(ctx);
    return;
  }
  const proposed = term(n.term + 1);
  for (const to of membersOf(n).otherVoters) {
    ctx.send({ type: 'PreVote', from: n.config.id, to, term: proposed, lastLogIndex: lastIndex(n), lastLogTerm: lastTerm(n), round: n.preVoteRound });
  }
}

/** TimeoutNow from the leader handing over (thesis §3.10): campaign at once, skipping pre-vote. */
export function campaignNow(ctx: StepContext): void {
  if (!membersOf(ctx.node).voter) return ctx.note('transfer.ignore.not-voter');
  ctx.note('transfer.campaign');
  becomeCandidate(ctx, true);
}

function becomeCandidate(ctx: StepContext, transfer = false): void {
  const n = ctx.node;
  n.term = term(n.term + 1);
  n.vote = n.config.id;
  n.role = 'candidate';
  n.leader = null;
  n.votes = new Map([[n.config.id, true]]);
  resetElectionTimer(n);
  ctx.note('election.start');
  if (pollVotes(n) === 'won') {
    becomeLeader(ctx);
    return;
  }
  for (const to of membersOf(n).otherVoters) {
    // (Two literals, not a spread: a vote request of a transfer is the only one with `transfer`.)
    ctx.send(
      transfer
        ? { type: 'RequestVote', from: n.config.id, to, term: n.term, lastLogIndex: lastIndex(n), lastLogTerm: lastTerm(n), transfer: true }
        : { type: 'RequestVote', from: n.config.id, to, term: n.term, lastLogIndex: lastIndex(n), lastLogTerm: lastTerm(n) },
    );
  }
}

function becomeLeader(ctx: StepContext): void {
  const n = ctx.node;
  ctx.note('election.won');
  n.role = 'leader';
  n.leader = n.config.id;
  n.votes = new Map();
  n.electionElapsed = 0;
  n.heartbeatElapsed = 0;
  n.readSeq = 0;
  n.selfMatch = logIndex(0);
  n.progress = new Map();
  const next = logIndex(lastIndex(n) + 1);
  for (const id of membersOf(n).others) n.progress.set(id, newProgress(next));
  appendAsLeader(ctx, { type: 'noop' });
  ctx.note('leader.append-noop');
  bcastAppend(ctx);
  maybeCommit(ctx);
}

/** Handles PreVote and RequestVote whose term is ≥ ours (stale ones were answered in step). */
export function handleVoteRequest(ctx: StepContext, m: PreVote | RequestVote): void {
  const n = ctx.node;
  const pre = m.type === 'PreVote';
  const reply = (granted: boolean): void => {
    // A granted pre-vote echoes the proposed term so the pre-candidate counts it (thesis §9.6).
    const t = granted && pre ? m.term : n.term;
    // Literals in one field order, not spreads: every message of a type then shares one shape
    // (a spread here was the simulator's single hottest line).
    ctx.send(
      m.type === 'PreVote'
        ? { type: 'PreVoteResp', from: n.config.id, to: m.from, term: t, granted, round: m.round }
        : { type: 'RequestVoteResp', from: n.config.id, to: m.from, term: t, granted },
    );
  };
  if (pre && inLease(n)) {
    ctx.note('prevote.reject.leader-alive');
    reply(false);
    return;
  }
  const free = n.vote === m.from || (n.vote === null && n.leader === null) || (pre && m.term > n.term);
  if (!free) {
    if (pre) ctx.note(n.vote === null ? 'prevote.reject.leader-alive' : 'prevote.reject.already-voted');
    else ctx.note(n.vote === null ? 'vote.reject.has-leader' : 'vote.reject.already-voted');
    reply(false);
    return;
  }
  if (!isUpToDate(n, m.lastLogIndex, m.lastLogTerm)) {
    if (n.config.bugs.has('vote-without-log-check')) {
      ctx.note('bug.vote-without-log-check');
    } else {
      ctx.note(pre ? 'prevote.reject.log-behind' : 'vote.reject.log-behind');
      reply(false);
      return;
    }
  }
  if (pre) {
    ctx.note('prevote.granted');
  } else {
    if (!(n.vote === null || n.vote === m.from)) raise('one-vote-per-term', n.config.id, `voted ${n.vote}, now ${m.from} in term ${n.term}`);
    n.vote = m.from;
    if (n.config.bugs.has('timer-not-reset-on-vote')) ctx.note('bug.timer-not-reset-on-vote');
    else n.electionElapsed = 0; // Raft §5.2: granting a vote resets the election timer
    ctx.note('vote.granted');
  }
  reply(true);
}

/** Counts a vote response in the current (pre-)election. */
export function handleVoteResponse(ctx: StepContext, m: PreVoteResp | RequestVoteResp): void {
  const n = ctx.node;
  const pre = m.type === 'PreVoteResp';
  // A granted pre-vote carries our term + 1; a refusal carries the voter's term, equal to ours here.
  const current =
    m.type === 'PreVoteResp'
      ? n.role === 'pre-candidate' && m.round === n.preVoteRound && m.term === (m.granted ? n.term + 1 : n.term)
      : n.role === 'candidate';
  if (!current) {
    ctx.note('response.ignore');
    return;
  }
  if (!n.votes.has(m.from)) n.votes.set(m.from, m.granted);
  const result = pollVotes(n);
  if (result === 'pending') {
    ctx.note(pre ? 'prevote.count' : 'vote.count');
  } else if (result === 'lost') {
    ctx.note(pre ? 'prevote.lost' : 'election.lost');
    becomeFollower(ctx, n.term, null);
  } else if (pre) {
    ctx.note('prevote.won');
    becomeCandidate(ctx);
  } else {
    becomeLeader(ctx);
  }
}

/** Only the votes of voters of the configuration in force count (thesis §4.1). */
function pollVotes(n: NodeState): 'won' | 'lost' | 'pending' {
  const v = membersOf(n);
  let granted = 0;
  let refused = 0;
  for (const [id, g] of n.votes) {
    if (!v.voterSet.has(id)) continue;
    if (g) granted++;
    else refused++;
  }
  if (granted >= v.quorum) return 'won';
  if (v.voterSet.size - refused < v.quorum) return 'lost';
  return 'pending';
}
