// The liveness phase: after the safety phase, everything heals and no new fault comes; the cluster
// must converge (one leader followed by all, every replica caught up, no client waiting) before the
// deadline, then stay converged for a settle window in which the leader has nothing to send but
// heartbeats (QuietLeader). TigerBeetle's simulator ends its runs the same way: heal, then require
// every replica to converge.
import { lastIndex, lastTerm, viewOf, type RaftConfig, type StepOutputs } from '../core';
import { EventKind, settledEvent, type DeadlineEvent, type LivenessEvent, type SettledEvent } from './events';
import { InvariantChecker, type Violation } from './invariants';
import type { SimNode } from './sim-node';
import type { SimHost } from './host';
import { fmtUs } from './scenario-format';

export class Liveness {
  phase: 'safety' | 'liveness' = 'safety';
  /**
   * Set when the cluster converged in the liveness phase: who led, in which term, since when. The
   * run then goes on for one more election timeout (the settle window) and fails if anything moves.
   */
  settled: { readonly leader: number; readonly term: number; readonly sinceUs: number } | null = null;
  /**
   * QuietLeader's count over the settle window under way: the leader's ticks, the heartbeats it sent
   * each node, and whether a client's request reached a node in it (a late retry, or one a follower
   * forwarded: the leader then has work, and the window proves nothing about its quiet).
   */
  quiet: { readonly last: number; ticks: number; readonly beats: number[]; client: boolean } | null = null;
  /** Which settle window the pending `settled` event belongs to (a fault cancels one). */
  private settleGen = 0;

  constructor(private readonly sim: SimHost) {}

  /** The safety phase is over: heal everything, stop faults, let pending operations finish. */
  start(e: LivenessEvent): void {
    const { sim } = this;
    this.phase = 'liveness';
    sim.record(e, -1, 'liveness phase: heal everything, stop faults, finish pending operations', null, 0);
    sim.network.heal();
    sim.network.unclog();
    sim.network.setRates({ drop: 0, duplicate: 0 });
    sim.applyPriorities();
    // Split votes (every election timeout nearly the same) is a fault like the others: lifted here,
    // each node draws its timeouts from the scenario's whole range again. Jittered ticks alone were
    // not enough — ten of them average out — and two candidates, one too far behind to win, could
    // collide term after term for the whole phase (about 1 seed in 7,000 of compaction.raftsim).
    // The config object is replaced, never changed in place: time-travel snapshots share it
    // (SNAPSHOT_RULES), so an earlier checkpoint keeps the fault's range.
    if (sim.swarm.splitVotes) {
      for (const n of sim.nodes) (n.state as { config: RaftConfig }).config = { ...n.state.config, electionTicksMax: sim.scenario.electionTicks.max + 1 };
    }
    for (const n of sim.nodes) {
      if (n.status === 'paused') sim.resumeNode(n);
      if (n.status === 'down') sim.restartNode(n);
    }
    this.checkConverged();
  }

  /** A fault in the liveness phase (scheduled there, or a fork) reopens the wait for convergence. */
  unsettle(): void {
    if (this.settled === null) return;
    this.settled = null;
    this.quiet = null;
    this.settleGen++;
  }

  /** The running leader of the highest term, if any. */
  currentLeader(): SimNode | null {
    let best: SimNode | null = null;
    for (const x of this.sim.nodes) {
      if ((x.status === 'up' || x.status === 'paused') && x.state.role === 'leader' && (best === null || x.state.term > best.state.term)) best = x;
    }
    return best;
  }

  /**
   * After a step of the liveness phase: once the cluster has converged, it must stay so for one more
   * election timeout of its slowest clock (the settle window; every follower's timer runs out and the
   * leader holds a check-quorum round in it). On a healed network with no faults and no new client
   * operations, correct Raft keeps its leader: nobody may leave the term, the leader may not step
   * down, and every follower keeps following it. A leader deposed on a quiet network — a timer not
   * reset, an ack not counted as a sign of life, a lease that never holds — is a liveness failure,
   * though every replica agreed at the moment of convergence.
   */
  checkConverged(): void {
    const { sim } = this;
    if (this.phase !== 'liveness' || sim.done) return;
    const s = this.settled;
    if (s !== null) {
      const problem = this.unsettled(s);
      if (problem !== null)
        sim.finish(
          'liveness',
          undefined,
          `converged at ${fmtUs(s.sinceUs)} with leader ${sim.nodes[s.leader]!.id} in term ${s.term}, then ${fmtUs(sim.time - s.sinceUs)} later on a quiet network: ${problem}`,
        );
      return;
    }
    if (this.convergenceProblem() !== null) return;
    const leader = this.currentLeader()!;
    this.settled = { leader: leader.index, term: leader.state.term, sinceUs: sim.time };
    this.quiet = { last: lastIndex(leader.state), ticks: 0, beats: sim.nodes.map(() => 0), client: false };
    sim.push(settledEvent(sim.time + this.settleWindowUs(), this.settleGen));
  }

  /** The settle window is over (stale if a fault reopened it: returns false, not a step). */
  onSettled(e: SettledEvent): boolean {
    const { sim } = this;
    if (this.settled === null || e.settleGen !== this.settleGen) return false;
    sim.beginStep(e);
    sim.record(e, -1, `settle window over: the cluster stayed converged since ${fmtUs(this.settled.sinceUs)}`, null, 0);
    const problem = this.convergenceProblem();
    if (problem === null && sim.violation(this.quietBeats())) return true;
    if (problem === null) sim.finish('ok');
    else sim.finish('liveness', undefined, `converged at ${fmtUs(this.settled.sinceUs)}, then lost it: ${problem}`);
    return true;
  }

  /** The liveness deadline (not a step when a settle window under way will end the run anyway). */
  onDeadline(e: DeadlineEvent): boolean {
    const { sim } = this;
    // A settle window under way ends the run on its own, a fraction of a second later.
    if (this.settled !== null) return false;
    sim.beginStep(e);
    sim.record(e, -1, 'liveness deadline', null, 0);
    const problem = this.convergenceProblem();
    if (problem === null) sim.finish('ok');
    else sim.finish('liveness', undefined, `not converged ${fmtUs(sim.scenario.livenessUs)} after healing: ${problem}`);
    return true;
  }

  /**
   * QuietLeader, after a step of the settle window's leader: once every follower holds its whole log
   * and no client asks for anything, a leader has nothing to send but heartbeats. An append or a
   * snapshot then is wasted work — a follower's acknowledgement not counted, a stale refusal taken
   * for a new one, a heartbeat answer that starts a probe. Returns true when the run failed.
   */
  watchQuiet(n: SimNode, out: StepOutputs, tick: boolean): boolean {
    const { sim } = this;
    const q = this.quiet!;
    if (tick) q.ticks++;
    if (q.client) return false;
    const msgs = out.messages;
    for (let k = 0; k < msgs.length; k++) {
      const m = msgs[k]!;
      if (m.type === 'Heartbeat') q.beats[sim.nodeIndex(m.to)]!++;
      // (A node that refused to start holds less: the leader may still try to repair it.)
      else if ((m.type === 'AppendEntries' || m.type === 'InstallSnapshot') && sim.nodes[sim.nodeIndex(m.to)]!.status === 'up') {
        const what =
          m.type === 'InstallSnapshot'
            ? `a snapshot at ${m.snapshot.index}`
            : m.entries.length === 0
              ? `an empty append after ${m.prevLogIndex}`
              : `entries ${m.entries[0]!.index}..${m.entries[m.entries.length - 1]!.index}`;
        return sim.violation(
          sim.checker.quietLeader(
            n.index,
            `converged at ${fmtUs(this.settled!.sinceUs)} with every follower holding ${n.id}'s whole log (${q.last}), and no client asked for anything since, yet ${n.id} sent ${m.to} ${what} ${fmtUs(sim.time - this.settled!.sinceUs)} later`,
          ),
        );
      }
    }
    return false;
  }

  /**
   * QuietLeader, at the end of the settle window: a leader beats once every heartbeatTicks of its
   * ticks, so over T ticks each follower got ⌊T/h⌋ or ⌈T/h⌉ heartbeats (where in its interval the
   * leader stood when the window opened decides which).
   */
  private quietBeats(): Violation | null {
    const { sim } = this;
    const q = this.quiet;
    if (q === null || q.client) return null;
    const leader = sim.nodes[this.settled!.leader]!;
    const h = leader.state.config.heartbeatTicks;
    const lo = Math.floor(q.ticks / h);
    const hi = Math.ceil(q.ticks / h);
    for (const to of viewOf(leader.state.members, leader.id).others) {
      const j = sim.nodeIndex(to);
      const got = q.beats[j]!;
      if (got < lo || got > hi) {
        return sim.checker.quietLeader(
          leader.index,
          `over the settle window's ${q.ticks} ticks of ${leader.id}, with a heartbeat every ${h} tick${h === 1 ? '' : 's'}, ${to} should have got ${lo === hi ? lo : `${lo} or ${hi}`} heartbeats, but ${leader.id} sent it ${got}`,
        );
      }
    }
    return null;
  }

  /** The settle window: one maximum election timeout (plus a tick) of the slowest clock, jittered ticks included. */
  private settleWindowUs(): number {
    const { sim } = this;
    let slowest = 0;
    for (const n of sim.nodes) slowest = Math.max(slowest, n.tickUs);
    const tickUs = sim.swarm.splitVotes ? slowest + (slowest >> 1) : slowest;
    const ticks = Math.max(...sim.nodes.map((n) => n.state.config.electionTicksMax)) + 1;
    return ticks * tickUs;
  }

  /** What moved since the cluster converged (null: nothing). */
  private unsettled(s: NonNullable<Liveness['settled']>): string | null {
    const { sim } = this;
    for (const n of this.clusterOf(sim.nodes[s.leader]!)) {
      if (n.status !== 'up') continue;
      const st = n.state;
      if (st.term !== s.term) return `${n.id} is in term ${st.term} (${st.role})`;
      if (n.index === s.leader) {
        if (st.role !== 'leader') return `the leader ${n.id} stepped down (now ${st.role})`;
      } else if (st.role !== 'follower' || st.leader !== sim.nodes[s.leader]!.id) {
        return `${n.id} left the leader: it is ${st.role}${st.leader === null ? ' with no leader' : ` following ${st.leader}`}`;
      }
    }
    return null;
  }

  /**
   * null when the cluster has converged: one leader known by every running node, no client waiting,
   * and every running replica caught up — the leader's whole log committed, every running node
   * holding that log (same last index and term), commit and applied index, and a state machine equal
   * to the committed log's (as TigerBeetle's simulator waits for every replica to converge). A
   * replica left behind after the faults heal — a leader that stopped repairing a follower, a
   * commit index that never reaches it, a snapshot restored wrong — is a liveness failure.
   */
  private convergenceProblem(): string | null {
    const { sim } = this;
    let leader: SimNode | null = null;
    let leaders = 0;
    for (const n of sim.nodes) {
      if (n.status === 'up' && n.state.role === 'leader') {
        leaders++;
        leader = n;
      }
    }
    if (leaders !== 1 || leader === null) return leaders === 0 ? 'no leader' : `${leaders} leaders`;
    const cluster = this.clusterOf(leader);
    for (const n of cluster) {
      if (n.status !== 'up') continue;
      if (n.state.term !== leader.state.term || n.state.leader !== leader.id) return `${n.id} does not follow ${leader.id} in term ${leader.state.term}`;
    }
    // A learner that can catch up is promoted: a change under way, not a quiet cluster.
    for (const id of leader.state.members.learners)
      if (sim.nodes[sim.nodeIndex(id)]!.status !== 'dead') return `${id} is still a learner in ${leader.id}'s configuration`;
    const waiting = sim.clients.filter((c) => c.busy).length;
    if (waiting > 0) return `${waiting} client operation(s) still pending`;
    // (A user's node: its leader's bookkeeping and its state machine are its own, out of sight; the
    // clients' history judges what it answers.)
    if (leader.driver !== null) return this.replicasBehind(leader, cluster);
    return this.replicasBehind(leader, cluster) ?? this.leaderUnaware(leader, cluster) ?? this.stateDiffers(leader, cluster);
  }

  /**
   * The leader and the members of its configuration: nodes outside it (spares never added, removed
   * nodes) take no part in convergence — a removed node may never learn it was removed.
   */
  private clusterOf(leader: SimNode): SimNode[] {
    const v = viewOf(leader.state.members, leader.id);
    return this.sim.nodes.filter((n) => n === leader || v.memberSet.has(n.id));
  }

  /** Every running replica holds the leader's whole log, committed and applied (null: yes). */
  private replicasBehind(leader: SimNode, cluster: readonly SimNode[]): string | null {
    const ls = leader.state;
    const last = lastIndex(ls);
    if (ls.commit !== last) return `leader ${leader.id} has committed ${ls.commit} of its ${last} entries`;
    for (const n of cluster) {
      if (n.status !== 'up' || n === leader) continue;
      const s = n.state;
      if (lastIndex(s) !== last || lastTerm(s) !== lastTerm(ls))
        return `${n.id}'s log ends at ${lastIndex(s)}@t${lastTerm(s)}, the leader's at ${last}@t${lastTerm(ls)}`;
      if (s.commit !== ls.commit) return `${n.id} has commit ${s.commit}, the leader ${ls.commit}`;
    }
    for (const n of cluster) {
      if (n.status !== 'up') continue;
      if (n.state.applied !== ls.commit) return `${n.id} has applied ${n.state.applied} of ${ls.commit} committed entries`;
    }
    return null;
  }

  /**
   * The leader must know it too (its own entries synced; each follower acknowledged the whole log,
   * replicating with nothing in flight): a leader whose bookkeeping never catches up — stuck probing,
   * an acknowledgement not counted — resends forever, or stalls once a message is lost. And a message
   * of a later term still on its way (delayed, or sent by a node that since died) may yet depose it:
   * not settled until it lands. (No running node is past the leader's term.)
   */
  private leaderUnaware(leader: SimNode, cluster: readonly SimNode[]): string | null {
    const { sim } = this;
    const ls = leader.state;
    const last = lastIndex(ls);
    if (ls.selfMatch !== last) return `leader ${leader.id} has not counted its own log as synced (its match ${ls.selfMatch} of ${last})`;
    for (const n of cluster) {
      if (n.status !== 'up' || n === leader) continue;
      const pr = ls.progress.get(n.id);
      if (pr === undefined || pr.match !== last || pr.mode !== 'replicate' || pr.inflight.length > 0 || pr.snapshotWait > 0) {
        return `leader ${leader.id} does not know that ${n.id} holds its whole log (${pr === undefined ? 'no record' : `match ${pr.match} of ${last}, ${pr.mode}${pr.inflight.length > 0 ? `, appends in flight to ${pr.inflight.join(', ')}` : ''}${pr.snapshotWait > 0 ? ', waiting for a snapshot' : ''}`})`;
      }
    }
    // A leadership transfer is a change under way, not a quiet cluster: the leader handing over, or a
    // TimeoutNow on its way (one sent before the transfer was given up still starts an election).
    if (ls.transferee !== null) return `leader ${leader.id} is handing leadership to ${ls.transferee}`;
    // (Members do not hear a node outside the configuration — a removed one may campaign forever.)
    const members = viewOf(ls.members, leader.id).memberSet;
    for (const e of sim.queued) {
      if (e.kind === EventKind.Deliver && (e.msg.term > ls.term || e.msg.type === 'TimeoutNow') && members.has(e.msg.from) && !sim.isDropped(e.seq))
        return `a ${e.msg.type} of term ${e.msg.term} from ${e.msg.from} is still on its way`;
    }
    for (const n of sim.nodes)
      if (n.outbox.some((o) => o.messages.some((m) => m.type === 'TimeoutNow'))) return `${n.id} holds a TimeoutNow until its disk syncs`;
    return null;
  }

  /** Every running replica's state machine equals the committed log's (checked once everything else converged). */
  private stateDiffers(leader: SimNode, cluster: readonly SimNode[]): string | null {
    const { sim } = this;
    const ls = leader.state;
    const want = sim.checker.referenceStateAt(ls.commit, ls.kv.sessionsMax);
    for (const n of cluster) {
      if (n.status !== 'up') continue;
      if (want !== null && InvariantChecker.stateOf(n.state.kv) !== want)
        return `${n.id}'s state machine differs from the committed log's after applying all ${ls.commit} entries`;
    }
    return null;
  }
}
