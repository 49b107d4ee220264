// Faults: what a scenario schedules (`at 2s crash n1`), what it makes recur (`crash every=…`), the
// targeted ones (crash right after an append or a granted vote, a message held back past a term
// change) and what a user forks in the debugger. Each decision draws from a seeded stream of its own,
// so adding one kind of fault does not shift the others' draws.
import { step as coreStep, type DurableState, type Input, type Message } from '../core';
import { foreignOf, isForeign, type RecordDisk } from './foreign-node';
import { faultSignal, reasonSignal, userRuleCounter } from './coverage';
import { EventKind, faultEvent, recurEvent, tickEvent, type FaultEvent, type RecurEvent } from './events';
import { Rng, shuffled } from './rng';
import type { FaultAction } from './scenario';
import type { SimNode } from './sim-node';
import type { SimHost } from './host';
import { describeAction } from './scenario-format';

/** The recurring faults, by index (a RecurEvent's `recur`). */
export type RecurKind = 'crash' | 'partition' | 'pause' | 'clog' | 'isolateLeader' | 'crashLeader' | 'transferLeader' | 'churn';
// (Appended in this order: a recurring event carries its kind's position.)
export const RECUR: readonly RecurKind[] = ['crash', 'partition', 'pause', 'clog', 'isolateLeader', 'crashLeader', 'transferLeader', 'churn'];

/** Crash-after-append may strike on a leader's first this-many steps that send entries in a term. */
const CAA_STEPS = 16;

/** Messages the targeted `delay` fault may hold back: elections and acknowledgements, whose late arrival crosses term changes. */
const DELAYABLE: ReadonlySet<string> = new Set(['PreVote', 'PreVoteResp', 'RequestVote', 'RequestVoteResp', 'AppendEntriesResp', 'HeartbeatResp']);

export class Faults {
  /** Every fault that happened, random or scheduled (the shrinker turns random ones into a schedule). */
  readonly faultLog: { readonly time: number; readonly action: FaultAction; readonly random: boolean }[] = [];
  /** Decisions of recurring faults (victims, shapes, durations, next times). */
  private readonly faultRng: Rng;
  /** Whether a crash also corrupts a synced record, and which record rots. */
  private readonly corruptChanceRng: Rng;
  private readonly corruptRng: Rng;
  private readonly delayRng: Rng;
  private readonly crashAfterVoteRng: Rng;
  private readonly crashAfterAppendRng: Rng;

  constructor(
    private readonly sim: SimHost,
    seed: number,
  ) {
    this.faultRng = Rng.stream(seed, 'faults');
    this.corruptChanceRng = Rng.stream(seed, 'corruption-chance');
    this.corruptRng = Rng.stream(seed, 'corruption');
    this.delayRng = Rng.stream(seed, 'delay');
    this.crashAfterVoteRng = Rng.stream(seed, 'crash-after-vote');
    this.crashAfterAppendRng = Rng.stream(seed, 'crash-after-append');
  }

  /** The scenario's schedule and the first occurrence of each recurring fault, before the run. */
  schedule(): void {
    const { sim } = this;
    const s = sim.scenario;
    for (const f of s.schedule) sim.push(faultEvent(f.atUs, f.action, f.line, f.line));
    RECUR.forEach((kind, k) => {
      const r = sim.swarm[kind];
      if (r !== null) sim.push(recurEvent(this.faultRng.expInt(r.meanUs), k, s[kind]!.line));
    });
  }

  /** A fault happens now, as this step. */
  apply(e: FaultEvent | RecurEvent, a: FaultAction): void {
    const { sim } = this;
    // A fault in the liveness phase (scheduled there, or a fork in the debugger) ends the quiet: the
    // cluster must converge again, and settle from then on.
    sim.unsettle();
    sim.lastAction = a;
    sim.coverage[faultSignal(a.kind)]!++;
    this.faultLog.push({ time: sim.time, action: a, random: e.kind === EventKind.Recur || e.line === 0 });
    const text = describeAction(a);
    switch (a.kind) {
      case 'partition':
        sim.network.partition(a.groups);
        sim.stats.partitions++;
        break;
      case 'cut':
        sim.network.cutLink(a.from, a.to);
        sim.stats.partitions++;
        break;
      case 'isolate':
        sim.network.isolate(a.node);
        sim.stats.partitions++;
        break;
      case 'heal':
        sim.network.heal();
        break;
      case 'clog':
        sim.network.clog(a.a, a.b, sim.time + a.forUs);
        sim.stats.clogs++;
        break;
      case 'crash':
        sim.record(e, a.node, text, null, 0);
        this.crash(sim.nodes[a.node]!);
        return;
      case 'restart':
        sim.record(e, a.node, text, null, 0);
        this.restart(sim.nodes[a.node]!);
        return;
      case 'pause':
        this.pause(sim.nodes[a.node]!);
        break;
      case 'resume':
        this.resume(sim.nodes[a.node]!);
        break;
      case 'transfer':
        // An operator asks the leader to hand over; with no leader running, nothing happens.
        if (this.askLeader(e, a.node, text, { type: 'transferLeadership', to: sim.nodes[a.node]!.id }, 'hand over')) sim.stats.transfers++;
        return;
      case 'add':
      case 'remove':
        // (Counted when the leader started it: a request refused — pending, a member already — changes nothing.)
        if (
          this.askLeader(e, a.node, text, { type: 'changeMembership', action: a.kind, node: sim.nodes[a.node]!.id }, `${a.kind} ${sim.nodes[a.node]!.id}`) &&
          sim.lastReasons.includes('config.start')
        )
          sim.stats.configChanges++;
        return;
      case 'corrupt': {
        const n = sim.nodes[a.node]!;
        const what = n.disk.corrupt(this.corruptRng);
        n.corrupted = true;
        sim.stats.corruptions++;
        sim.record(e, a.node, `${text} (${what})`, null, 0);
        return;
      }
    }
    sim.record(e, 'node' in a ? a.node : -1, text, null, 0);
  }

  /**
   * An operator's request to the leader of the moment, as this step (false: no leader running, and
   * nothing happens — the step says so).
   */
  private askLeader(e: FaultEvent | RecurEvent, node: number, text: string, input: Input, what: string): boolean {
    const { sim } = this;
    const leader = sim.currentLeader();
    if (leader === null || leader.status !== 'up') {
      sim.record(e, node, `${text} (no leader running: nothing ${what === 'hand over' ? 'to hand over' : 'changes'})`, null, 0);
      return false;
    }
    sim.operate(leader, input, e, sim.trace.steps === null ? '' : `${text}: ${leader.id}, the leader, is asked to ${what}`);
    return true;
  }

  /**
   * One random membership change, asked of the leader: add a node outside its configuration, or
   * remove a member (the leader too). Removals keep at least 3 voters (the cluster size, if smaller)
   * that can still vote — a corrupted node never will — so churn alone never leaves the cluster
   * without a quorum.
   */
  private churn(e: RecurEvent): void {
    const { sim } = this;
    const rng = this.faultRng;
    const leader = sim.currentLeader();
    if (leader === null || leader.status !== 'up') {
      sim.record(e, -1, 'change the configuration: no node leads', null, 0);
      return;
    }
    const m = leader.state.members;
    const members = new Set([...m.voters, ...m.learners]);
    const outside = sim.nodes.filter((x) => !members.has(x.id));
    const floor = Math.min(3, sim.swarm.nodes);
    const healthy = (ids: readonly string[]): number => ids.filter((id) => !sim.nodes[sim.nodeIndex(id)]!.corrupted).length;
    const removable = [...members].filter((id) => {
      const voters = m.voters.filter((v) => v !== id);
      return voters.length >= floor && healthy(voters) >= Math.floor(voters.length / 2) + 1;
    });
    const add = outside.length > 0 && (removable.length === 0 || rng.chance(0.5));
    if (add) this.apply(e, { kind: 'add', node: rng.pick(outside).index });
    else if (removable.length > 0) this.apply(e, { kind: 'remove', node: sim.nodeIndex(rng.pick(removable)) });
    else sim.record(e, -1, 'change the configuration: no node to add, none to remove', null, 0);
  }

  private crash(n: SimNode): void {
    const { sim } = this;
    if (n.status === 'down' || n.status === 'dead') return;
    sim.stats.crashes++;
    n.status = 'down';
    n.inc++;
    n.tickGen++;
    n.outbox = [];
    n.held = [];
    n.syncBusyUntil = 0;
    const effect = n.disk.crash(sim.diskRng, sim.scenario.torn);
    if (effect.torn) sim.stats.tornWrites++;
    n.lastWriteSeq = 0;
    n.syncedSeq = 0;
    if (
      sim.swarm.corrupt > 0 &&
      this.corruptChanceRng.chance(sim.swarm.corrupt) &&
      this.corruptedNodes() < Math.floor((sim.swarm.nodes - 1) / 2) &&
      this.quorumsSurvive(n)
    ) {
      this.faultLog.push({ time: sim.time, action: { kind: 'corrupt', node: n.index }, random: true });
      n.disk.corrupt(this.corruptRng);
      n.corrupted = true;
      sim.stats.corruptions++;
    }
    const r = n.disk.recover();
    if (!r.ok) {
      this.kill(n, r.reason);
      return;
    }
    sim.violation(sim.checker.afterCrash(n.index, r.durable));
  }

  /**
   * Losing `victim` for good leaves every node's configuration a quorum of voters that can still vote
   * (with a fixed membership this is the cap above; with membership changes a smaller configuration
   * may hold it).
   */
  private quorumsSurvive(victim: SimNode): boolean {
    for (const x of this.sim.nodes) {
      if (x.status === 'dead') continue;
      const voters = x.state.members.voters;
      if (!voters.includes(victim.id)) continue;
      const healthy = voters.filter((id) => id !== victim.id && !this.sim.nodes[this.sim.nodeIndex(id)]!.corrupted).length;
      if (healthy < Math.floor(voters.length / 2) + 1) return false;
    }
    return true;
  }

  private corruptedNodes(): number {
    return this.sim.nodes.filter((x) => x.corrupted || x.status === 'dead').length;
  }

  /** The node's disk is unreadable: it refuses to start, for good. */
  private kill(n: SimNode, reason: string): void {
    n.status = 'dead';
    n.deadReason = reason;
    this.sim.stats.refusedToStart++;
    this.sim.violation(this.sim.checker.afterDeath(n.index));
  }

  restart(n: SimNode): void {
    const { sim } = this;
    if (n.status !== 'down') return;
    const r = n.disk.recover();
    if (!r.ok) {
      this.kill(n, r.reason);
      return;
    }
    sim.stats.restarts++;
    n.status = 'up';
    n.tickGen++;
    if (n.driver !== null) this.runForeignRestart(n);
    else this.runRestart(n, r.durable);
    sim.push(tickEvent(sim.time + sim.tickInterval(n), n.index, n.tickGen));
  }

  private runRestart(n: SimNode, durable: DurableState): void {
    const { sim } = this;
    try {
      const out = coreStep(n.state, { type: 'restart', durable }).outputs;
      // The restart's rules count as covered (the explorer's "rules never hit" and its bias read this).
      for (const r of out.reasons) sim.coverage[reasonSignal(r)]!++;
      // A restart that replaced a stale log by the snapshot records it (part of recovery, synced).
      if (out.persist !== null) n.disk.sync(n.disk.write(out.persist));
    } catch (err) {
      sim.finish('crash', undefined, undefined, { invariant: 'exception', step: sim.steps, time: sim.time, nodes: [n.id], message: String(err) });
      return;
    }
    sim.violation(sim.checker.afterRestart(n.index));
  }

  /** A user's node restarts from the records on its disk (foreign-node.ts). */
  private runForeignRestart(n: SimNode): void {
    const { sim } = this;
    try {
      const { write, rules } = n.driver!.restart(n.state, n.inc, n.disk as RecordDisk);
      for (const r of rules) sim.coverage[userRuleCounter(r)]!++;
      if (write !== null) n.disk.sync((n.disk as RecordDisk).writeRecords(write.persist, write.records));
    } catch (err) {
      sim.finish('crash', undefined, undefined, {
        invariant: 'exception',
        step: sim.steps,
        time: sim.time,
        nodes: [n.id],
        message: err instanceof Error ? err.message : String(err),
      });
      return;
    }
    sim.violation(sim.checker.afterRestart(n.index));
  }

  private pause(n: SimNode): void {
    if (n.status !== 'up') return;
    n.status = 'paused';
    n.tickGen++;
    this.sim.stats.pauses++;
  }

  resume(n: SimNode): void {
    const { sim } = this;
    if (n.status !== 'paused') return;
    n.status = 'up';
    n.tickGen++;
    sim.push(tickEvent(sim.time + sim.tickInterval(n), n.index, n.tickGen));
    sim.releaseOutbox(n);
    const held = n.held;
    n.held = [];
    for (const h of held) sim.push(sim.redeliver(h));
  }

  /** A recurring fault of this seed fires: pick a victim, schedule its end and the next occurrence. */
  recur(e: RecurEvent): void {
    const { sim } = this;
    const kind = RECUR[e.recur]!;
    const r = sim.swarm[kind]!;
    const rng = this.faultRng;
    const dur = rng.intIn(r.forUs.min, r.forUs.max);
    const n = sim.nodes.length;
    const end = (action: FaultAction): void => sim.push(faultEvent(sim.time + dur, action));
    switch (kind) {
      case 'crash': {
        const victims = sim.nodes.filter((x) => x.status === 'up' || x.status === 'paused');
        if (victims.length > 0) {
          const v = rng.pick(victims);
          this.apply(e, { kind: 'crash', node: v.index });
          end({ kind: 'restart', node: v.index });
        } else sim.record(e, -1, 'crash: no node is up', null, 0);
        break;
      }
      case 'partition': {
        const shape = rng.int(3);
        let action: FaultAction;
        if (shape === 0 || n < 3) {
          action = { kind: 'isolate', node: rng.int(n) };
        } else if (shape === 1) {
          const order = shuffled(rng, n);
          const k = rng.intIn(1, Math.floor((n - 1) / 2));
          action = { kind: 'partition', groups: [order.slice(0, k), order.slice(k)] };
        } else {
          const from = rng.int(n);
          const to = (from + rng.intIn(1, n - 1)) % n;
          action = { kind: 'cut', from, to };
        }
        this.apply(e, action);
        end({ kind: 'heal' });
        break;
      }
      case 'pause': {
        const victims = sim.nodes.filter((x) => x.status === 'up');
        if (victims.length > 0) {
          const v = rng.pick(victims);
          this.apply(e, { kind: 'pause', node: v.index });
          end({ kind: 'resume', node: v.index });
        } else sim.record(e, -1, 'pause: no node is up', null, 0);
        break;
      }
      case 'isolateLeader':
      case 'crashLeader': {
        const leader = sim.currentLeader();
        if (leader === null) {
          sim.record(e, -1, `${kind === 'crashLeader' ? 'crash' : 'isolate'} the leader: there is none`, null, 0);
          break;
        }
        if (kind === 'crashLeader') {
          this.apply(e, { kind: 'crash', node: leader.index });
          end({ kind: 'restart', node: leader.index });
        } else {
          this.apply(e, { kind: 'isolate', node: leader.index });
          end({ kind: 'heal' });
        }
        break;
      }
      case 'transferLeader': {
        const leader = sim.currentLeader();
        const others = leader === null ? [] : sim.nodes.filter((x) => x !== leader && x.status === 'up');
        if (leader === null || others.length === 0)
          sim.record(e, -1, `transfer leadership: ${leader === null ? 'no node leads' : 'no other node is up'}`, null, 0);
        else this.apply(e, { kind: 'transfer', node: rng.pick(others).index });
        break;
      }
      case 'churn':
        this.churn(e);
        break;
      case 'clog': {
        const a = rng.int(n);
        const b = n === 1 ? a : (a + rng.intIn(1, n - 1)) % n;
        this.apply(e, { kind: 'clog', a, b, forUs: dur });
        break;
      }
    }
    sim.push(recurEvent(sim.time + 1 + rng.expInt(r.meanUs), e.recur, e.src));
  }

  /**
   * After a node's step in the safety phase: the targeted crashes. A leader may crash right after
   * sending new entries (they reach some followers, maybe); a voter right after granting its vote
   * (its reply may or may not have gone out).
   */
  afterStep(n: SimNode, messages: readonly Message[]): void {
    const { sim } = this;
    const caa = sim.swarm.crashAfterAppend;
    if (caa !== null && n.state.role === 'leader' && this.mayCrashAfterAppend(n, messages) && this.crashAfterAppendRng.chance(caa.chance)) {
      const down = this.crashAfterAppendRng.intIn(caa.forUs.min, caa.forUs.max);
      sim.push(faultEvent(sim.time + 1, { kind: 'crash', node: n.index }, 0, sim.scenario.crashAfterAppend!.line));
      sim.push(faultEvent(sim.time + 1 + Math.max(1, down), { kind: 'restart', node: n.index }));
    }
    const cav = sim.swarm.crashAfterVote;
    if (
      cav !== null &&
      messages.some((m) => (m.type === 'RequestVoteResp' && m.granted) || (isForeign(m) && foreignOf(m).grantTerm !== undefined)) &&
      this.crashAfterVoteRng.chance(cav.chance)
    ) {
      const down = this.crashAfterVoteRng.intIn(cav.forUs.min, cav.forUs.max);
      // (1us later: a scheduled fault at the same instant would run before this step when replayed from a schedule.)
      sim.push(faultEvent(sim.time + 1, { kind: 'crash', node: n.index }, 0, sim.scenario.crashAfterVote!.line));
      sim.push(faultEvent(sim.time + 1 + Math.max(1, down), { kind: 'restart', node: n.index }));
    }
  }

  /**
   * Whether a leader's step is one of its first CAA_STEPS that send entries in its term: the steps
   * where crash-after-append may strike. A chance on every such step would stop a leader with a long
   * log to resend from ever catching its followers up, and the run would stall.
   */
  private mayCrashAfterAppend(n: SimNode, messages: readonly Message[]): boolean {
    if (n.sentTerm !== n.state.term) {
      n.sentTerm = n.state.term;
      n.appendSteps = 0;
    }
    if (
      n.appendSteps >= CAA_STEPS ||
      !messages.some((m) => (m.type === 'AppendEntries' && m.entries.length > 0) || (isForeign(m) && foreignOf(m).kind === 'append'))
    )
      return false;
    n.appendSteps++;
    return true;
  }

  /**
   * The targeted `delay` fault, on a message about to travel with `copies` delivery times in `buf`:
   * held back past a term change — the message itself, or (half the time) a copy of it replayed
   * late while the original arrives on time. Returns the number of delivery times.
   */
  delay(m: Message, copies: number, buf: Float64Array): number {
    const { sim } = this;
    const d = sim.swarm.delay;
    if (
      d === null ||
      !(isForeign(m) ? foreignOf(m).kind === 'vote' || foreignOf(m).kind === 'heartbeat' : DELAYABLE.has(m.type)) ||
      sim.phase !== 'safety' ||
      copies === 0 ||
      !this.delayRng.chance(d.chance)
    )
      return copies;
    const extra = this.delayRng.intIn(d.byUs.min, d.byUs.max);
    if (this.delayRng.next() < 0.5) buf[copies++] = buf[0]! + extra;
    else for (let k = 0; k < copies; k++) buf[k] = buf[k]! + extra;
    sim.stats.delayed++;
    return copies;
  }
}
