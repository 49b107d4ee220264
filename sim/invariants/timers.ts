// The timer rules, after any step of a node: ElectionTimerReset (a vote restarts the election
// timer), LeaseRespected (a follower that hears from its leader refuses to help depose it) and
// CheckQuorum (a leader steps down exactly when a quorum stops answering). Each keeps a few numbers
// per node; a crash forgets them.
import { viewOf, type MembersView, type Message, type NodeState, type StepOutputs } from '../../core';
import type { Violation } from './catalog';
import { indexOf, type Judge } from './judge';

/** CheckQuorum's memory of one leader's term: its ticks as leader, and at which of them each peer last answered. */
interface QuorumSeen {
  readonly term: number;
  ticks: number;
  /** By node index: the leader's tick count when that follower last answered (-Infinity: never). */
  readonly heardAt: number[];
  /** The leader's configuration entry, and its tick count when that configuration came into force. */
  configIndex: number;
  configAt: number;
}

function leaseHeld(ticks: number, term: number, E: number): string {
  return `${ticks} ticks after it last heard from its leader of term ${term} (the lease lasts ${E})`;
}

/** How many of the cluster answered the leader within its last `within` ticks, itself included. */
/** The voters of the leader's configuration (itself included, if it votes) heard within the last `within` ticks. */
function answeredWithin(seen: QuorumSeen, within: number, nodes: Judge['nodes'], v: MembersView): number {
  let n = v.voter ? 1 : 0;
  for (let k = 0; k < seen.heardAt.length; k++) if (seen.ticks - seen.heardAt[k]! <= within && v.voterSet.has(nodes[k]!.id)) n++;
  return n;
}

export class TimerRules {
  /** Ticks each node took since it last granted a vote (Infinity: none since it started). */
  private readonly ticksSinceVote: number[];
  /**
   * LeaseRespected's memory: each follower's leader's term (-1: no lease held), and its ticks since
   * that leader was last heard. (Flat numbers: these checks run after every step of every node.)
   */
  private readonly leaseTerm: number[];
  private readonly leaseTicks: number[];
  private readonly quorumSeen: (QuorumSeen | null)[];

  constructor(private readonly judge: Judge) {
    const nodes = judge.nodes;
    this.ticksSinceVote = nodes.map(() => Number.POSITIVE_INFINITY);
    this.quorumSeen = nodes.map(() => null);
    this.leaseTerm = nodes.map(() => -1);
    this.leaseTicks = nodes.map(() => 0);
  }

  /** Node i crashed: what it remembered of its timers is gone. */
  forget(i: number): void {
    this.ticksSinceVote[i] = Number.POSITIVE_INFINITY;
    this.quorumSeen[i] = null;
    this.leaseTerm[i] = -1;
  }

  /**
   * Timer rules, after any step of node i (`heard`: the message it took, if any). In correct Raft a
   * node resets its election timer when it grants a vote and whenever it hears from a leader or a
   * higher term, so when its timer fires at least electionTicksMin ticks have passed since its last
   * vote. And with check-quorum, see checkQuorum.
   */
  afterTimer(i: number, out: StepOutputs, tick: boolean, heard: Message | null = null): Violation | null {
    const s = this.judge.nodes[i]!.state;
    const msgs = out.messages;
    let grantedPreVote: Message | null = null;
    for (let k = 0; k < msgs.length; k++) {
      const m = msgs[k]!;
      if (m.type === 'RequestVoteResp' && m.granted) this.ticksSinceVote[i] = -1;
      else if (m.type === 'PreVoteResp' && m.granted && grantedPreVote === null) grantedPreVote = m;
    }
    if (tick) {
      const since = ++this.ticksSinceVote[i]!;
      const min = s.config.electionTicksMin;
      if (since < min && out.reasons.includes('election.timeout')) {
        return this.judge.fail(
          'ElectionTimerReset',
          [i],
          `${this.judge.name(i)} started an election ${since} ticks after granting a vote (the election timeout is at least ${min} ticks)`,
        );
      }
    } else if (this.ticksSinceVote[i] === -1) {
      this.ticksSinceVote[i] = 0;
    }
    return this.checkLease(i, s, grantedPreVote, tick, heard) ?? (s.config.checkQuorum ? this.checkQuorum(i, s, out, tick, heard) : null);
  }

  /**
   * The lease (thesis §4.2.3, §9.6): a follower that took an append, heartbeat or snapshot from its
   * term's leader fewer than electionTicksMin of its ticks ago must refuse pre-votes and, with
   * check-quorum (or from a node outside its configuration), ignore vote requests of higher terms, or a node that was partitioned away and
   * campaigned on its own forces a working leader out when it comes back. (The core may hold its
   * lease longer — a re-granted vote restarts its timer too — never shorter. A vote request of a
   * leadership transfer is the leader handing over: it owes it no lease, thesis §3.10.)
   */
  private checkLease(i: number, s: NodeState, grantedPreVote: Message | null, tick: boolean, heard: Message | null): Violation | null {
    const term = this.leaseTerm[i]!;
    const ticks = this.leaseTicks[i]!;
    const E = s.config.electionTicksMin;
    if (term >= 0 && ticks < E) {
      if (grantedPreVote !== null)
        return this.judge.fail('LeaseRespected', [i], `${this.judge.name(i)} granted a pre-vote to ${grantedPreVote.to} ${leaseHeld(ticks, term, E)}`);
      // (A node outside the configuration — removed, and unaware — is held to it with check-quorum off too.)
      const outsider = heard !== null && !viewOf(s.members, s.config.id).memberSet.has(heard.from);
      if (
        heard !== null &&
        heard.type === 'RequestVote' &&
        heard.transfer !== true &&
        (s.config.checkQuorum || outsider) &&
        heard.term > term &&
        s.term > term
      ) {
        return this.judge.fail(
          'LeaseRespected',
          [i],
          `${this.judge.name(i)} took term ${s.term} from ${heard.from}'s vote request ${leaseHeld(ticks, term, E)}, ${s.config.checkQuorum ? 'with check-quorum on' : `a node outside its configuration`}`,
        );
      }
    }
    if (s.role !== 'follower' || (term >= 0 && s.term !== term)) this.leaseTerm[i] = -1;
    if (
      heard !== null &&
      (heard.type === 'AppendEntries' || heard.type === 'Heartbeat' || heard.type === 'InstallSnapshot') &&
      s.role === 'follower' &&
      s.term === heard.term
    ) {
      this.leaseTerm[i] = heard.term;
      this.leaseTicks[i] = 0;
    } else if (tick && this.leaseTerm[i]! >= 0) {
      this.leaseTicks[i] = ticks + 1;
    }
    return null;
  }

  /**
   * Check-quorum (thesis §6.2), as etcd raft does it: every electionTicksMin ticks of its own (E),
   * a leader counts the followers that answered an append or a heartbeat since the previous count,
   * and steps down unless they and it make a quorum. So, counting ticks since each follower last
   * answered: a leader still leading after a tick had a quorum answer within its last 2E ticks (the
   * last count was under E ticks ago and looked back E ticks); and a leader that steps down had no
   * quorum answer within its last E ticks. A leader that never steps down keeps clients and
   * followers (which ignore votes while they hear from it) waiting; one that steps down while
   * healthy causes needless elections.
   */
  private checkQuorum(i: number, s: NodeState, out: StepOutputs, tick: boolean, heard: Message | null): Violation | null {
    let seen = this.quorumSeen[i] ?? null;
    const E = s.config.electionTicksMin;
    if (s.role !== 'leader') {
      this.quorumSeen[i] = null;
      if (seen === null || seen.term !== s.term || !tick || !out.reasons.includes('leader.step-down.check-quorum')) return null;
      seen.ticks++;
      // (Answers heard under an earlier configuration are not the core's to count: judge whole rounds of this one.)
      if (seen.configIndex !== s.configIndex || (seen.configAt > 0 && seen.ticks - seen.configAt <= E)) return null;
      const v = viewOf(s.members, s.config.id);
      const n = answeredWithin(seen, E, this.judge.nodes, v);
      if (n < v.quorum) return null;
      return this.judge.fail(
        'CheckQuorum',
        [i],
        `${this.judge.name(i)} stepped down as leader of term ${s.term} by check-quorum, but ${n} of its cluster (itself included; a quorum is ${v.quorum}) answered it within the last ${E} ticks`,
      );
    }
    if (seen === null || seen.term !== s.term) {
      seen = { term: s.term, ticks: 0, heardAt: this.judge.nodes.map(() => Number.NEGATIVE_INFINITY), configIndex: s.configIndex, configAt: 0 };
      this.quorumSeen[i] = seen;
    }
    if (heard !== null && (heard.type === 'AppendEntriesResp' || heard.type === 'HeartbeatResp') && heard.term === s.term && s.progress.has(heard.from))
      seen.heardAt[indexOf(heard.from)] = seen.ticks;
    if (seen.configIndex !== s.configIndex) {
      seen.configIndex = s.configIndex;
      seen.configAt = seen.ticks;
    }
    if (!tick) return null;
    seen.ticks++;
    if (seen.ticks - seen.configAt <= 2 * E) return null;
    const v = viewOf(s.members, s.config.id);
    const n = answeredWithin(seen, 2 * E, this.judge.nodes, v);
    if (n >= v.quorum) return null;
    return this.judge.fail(
      'CheckQuorum',
      [i],
      `${this.judge.name(i)} still leads term ${s.term} after ${seen.ticks} ticks, but only ${n} of its cluster (itself included; a quorum is ${v.quorum}) answered it within the last ${2 * E} ticks (check-quorum every ${E})`,
    );
  }
}
