// One seeded run of a scenario: the event loop, nodes with disks and outboxes, the network,
// faults, clients, phases, and the invariant checks after every step.
//
// A step is one event handled: a tick, a message delivered (or lost at a node that is down), a
// disk sync completing, a client request or answer, a fault. The same scenario and seed give the
// same steps and the same trace hash, everywhere.
import {
  describeMessage,
  describeOp,
  describeReply,
  lastIndex,
  lastTerm,
  makeConfig,
  mayLeaveBeforePersist,
  messageProblem,
  replyProblem,
  newNode,
  nodeId,
  quorumSize,
  RaftAssertionError,
  step as coreStep,
  type ClientReply,
  type ClientRequest,
  type DurableState,
  type Input,
  type Message,
  type NodeState,
  type RaftConfig,
  type ReasonCode,
  type StepOutputs,
} from '../core';
import { Disk } from './disk';
import { EventHeap, type Timed } from './heap';
import { InvariantChecker, LIVENESS_INVARIANTS, type CheckedNode, type NodeStatus, type StepBefore, type Violation } from './invariants';
import { Network } from './network';
import { Rng } from './rng';
import { nodeName, type FaultAction, type Scenario } from './scenario';
import { fmtAction } from './scenario-format';
import { drawSwarm, type SwarmDraw } from './swarm';
import { CHECKPOINT_EVERY, TraceRecorder, type StepRecord } from './trace';
import { Client, type ClientAction, type HistoryOp } from './workload';
import { COUNTERS, faultSignal, reasonSignal, roleSignal, signalsOf } from './coverage';
import { Hash64 } from './hash';
import { cloneGraph, type CloneSize, type SnapshotRule, type SnapshotRules } from './snapshot';
import { checkHistory, describeOperation, fromSimulator, malformedReply } from './linearizability';

/** Search steps allowed per key when checking a run's history (deterministic, unlike a time budget). */
const LIN_STEPS = 5_000_000;

export type Verdict = 'ok' | 'safety' | 'liveness' | 'crash';

export interface RunResult {
  readonly seed: number;
  readonly steps: number;
  readonly simulatedMs: number;
  readonly verdict: Verdict;
  readonly violation?: { readonly invariant: string; readonly step: number; readonly time: number; readonly nodes: readonly string[]; readonly message: string };
  readonly traceHash: string;
  /** Coverage signals hit (coverage.ts), ascending. */
  readonly coverage: readonly number[];
  /** The check of the clients' history (skipped after another safety violation or a crash). */
  readonly linearizability: 'ok' | 'illegal' | 'unknown' | 'skipped';
  readonly stats: RunStats;
  readonly swarm: SwarmDraw;
}

export interface RunStats {
  messagesSent: number;
  messagesDelivered: number;
  messagesLost: number;
  crashes: number;
  restarts: number;
  refusedToStart: number;
  tornWrites: number;
  corruptions: number;
  partitions: number;
  pauses: number;
  clogs: number;
  leaderChanges: number;
  delayed: number;
  opsStarted: number;
  opsCompleted: number;
  opsAbandoned: number;
}

/** Event kinds. */
export const K = {
  Tick: 0,
  Deliver: 1,
  Sync: 2,
  ClientRequest: 3,
  ClientReply: 4,
  ClientStart: 5,
  ClientTimeout: 6,
  Fault: 7,
  Recur: 8,
  Liveness: 9,
  Deadline: 10,
  Pct: 11,
  Settled: 12,
} as const;
export const KIND_NAMES = ['tick', 'deliver', 'sync', 'client-request', 'client-reply', 'client-start', 'client-timeout', 'fault', 'fault', 'liveness', 'deadline', 'scheduler', 'settled'] as const;

type RecurKind = 'crash' | 'partition' | 'pause' | 'clog' | 'isolateLeader' | 'crashLeader';
const RECUR: readonly RecurKind[] = ['crash', 'partition', 'pause', 'clog', 'isolateLeader', 'crashLeader'];

export interface SimEvent extends Timed {
  kind: number;
  /** Node index (or -1). */
  node: number;
  /** Incarnation (Sync), tick generation (Tick), attempt id (ClientTimeout), recurring kind index (Recur). */
  gen: number;
  msg: Message | null;
  request: ClientRequest | null;
  reply: ClientReply | null;
  client: number;
  action: FaultAction | null;
  /** 1-based scenario line of a scheduled fault (0 when random, -1 for a fork). */
  line: number;
  /**
   * 1-based scenario line of the statement that made this event happen, for the debugger (0: none):
   * an `at` fault's line; a recurring fault's (`crash every=…`: each occurrence); the crash that
   * `crash-after-append` or `crash-after-vote` causes; a `scheduler pct` change point. The ends of
   * faults (restart, heal, resume) have none: their cause is the step that began the fault.
   * Never part of the trace hash.
   */
  src: number;
  /** Write sequence number (Sync). */
  arg: number;
  /** The step during which this event was scheduled (0: before the run): its causal parent. */
  cause: number;
}

function event(time: number, kind: number, node = -1, gen = 0, arg = 0): SimEvent {
  return { time, seq: 0, kind, node, gen, msg: null, request: null, reply: null, client: -1, action: null, line: 0, src: 0, arg, cause: 0 };
}

/** For the rarer events: sets a few fields of a fresh event. */
function with_(e: SimEvent, fields: Partial<SimEvent>): SimEvent {
  return Object.assign(e, fields);
}

interface Outbox {
  readonly seq: number;
  readonly messages: readonly Message[];
  readonly replies: readonly ClientReply[];
}

class SimNode implements CheckedNode {
  status: NodeStatus = 'up';
  inc = 0;
  tickGen = 0;
  lastWriteSeq = 0;
  syncedSeq = 0;
  syncBusyUntil = 0;
  outbox: Outbox[] = [];
  held: SimEvent[] = [];
  deadReason: string | null = null;
  corrupted = false;
  /** Steps that sent entries as leader in term sentTerm (crash-after-append strikes only in the first few). */
  appendSteps = 0;
  sentTerm = 0;
  readonly tickText: string;
  constructor(
    readonly index: number,
    readonly id: ReturnType<typeof nodeId>,
    readonly state: NodeState,
    readonly disk: Disk,
    readonly tickUs: number,
  ) {
    this.tickText = `${id} tick`;
  }
}

const TICK: Input = { type: 'tick' };
const NO_REASONS: readonly ReasonCode[] = [];
/** Crash-after-append may strike on a leader's first this-many steps that send entries in a term. */
const CAA_STEPS = 16;

/** Messages the targeted `delay` fault may hold back: elections and acknowledgements, whose late arrival crosses term changes. */
const DELAYABLE: ReadonlySet<string> = new Set(['PreVote', 'PreVoteResp', 'RequestVote', 'RequestVoteResp', 'AppendEntriesResp', 'HeartbeatResp']);

/**
 * What a snapshot (the debugger's checkpoints) shares instead of copying, by field name. Shared
 * values never change once made: messages, requests, replies, log entries, fault actions, queued
 * events (the heap re-orders its array, never an event), the scenario and configuration.
 * A completed client operation never changes again; a pending one gets its return time later.
 */
export const SNAPSHOT_RULES: SnapshotRules = new Map<string, SnapshotRule>([
  ...['scenario', 'swarm', 'options', 'config', 'msg', 'message', 'request', 'reply', 'action', 'messages', 'replies', 'persist', 'w', 'latency', 'rates', 'enabled', 'lastEvent', 'lastReasons', 'lastAction'].map((k) => [k, 'share'] as const),
  ...['log', 'entries', 'committed', 'items', 'held', 'outbox', 'faultLog', 'appliedAt', 'pending', 'forks'].map((k) => [k, 'elements'] as const),
  ['history', { mutable: (op) => (op as HistoryOp).return === null }],
  // The log each node is judged by (its state, or its disk's log after a crash): copied — the same
  // copy as the node's state when it is the node's state — with entries shared.
  ['views', { mutable: () => true }],
]);

/** Changes a user makes at a step in the debugger, which fork a new timeline from there. */
export type ForkAction = FaultAction | { readonly kind: 'drop'; readonly seq: number };

export interface SimulationOptions {
  /** Keep every step (debugger, trace files); otherwise only the trace hash is computed. */
  readonly record?: boolean;
  /** Stop after this many steps even if the run is not over (replay of a trace). */
  readonly stopAtStep?: number;
}

export class Simulation {
  readonly nodes: SimNode[];
  readonly clients: Client[];
  readonly history: HistoryOp[] = [];
  readonly network: Network;
  readonly checker: InvariantChecker;
  readonly trace: TraceRecorder;
  readonly swarm: SwarmDraw;
  readonly stats: RunStats = {
    messagesSent: 0, messagesDelivered: 0, messagesLost: 0, crashes: 0, restarts: 0, refusedToStart: 0, tornWrites: 0,
    corruptions: 0, partitions: 0, pauses: 0, clogs: 0, leaderChanges: 0, delayed: 0, opsStarted: 0, opsCompleted: 0, opsAbandoned: 0,
  };
  time = 0;
  steps = 0;
  /** The event of the latest step, and the node it concerned (-1: none) — what the debugger shows. */
  lastEvent: SimEvent | null = null;
  lastNode = -1;
  /** The reason codes the core fired in the latest step (empty when no node stepped). */
  lastReasons: readonly ReasonCode[] = [];
  /** The fault the latest step applied, scheduled or random (null: none). */
  lastAction: FaultAction | null = null;
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
  private quiet: { readonly last: number; ticks: number; readonly beats: number[]; client: boolean } | null = null;
  /** Which settle window the pending `settled` event belongs to (a fault cancels one). */
  private settleGen = 0;
  private readonly heap = new EventHeap<SimEvent>();
  /** Decisions of recurring faults (victims, shapes, durations, next times). */
  private readonly faultRng: Rng;
  /** Whether a crash also corrupts a synced record, and which record rots. */
  private readonly corruptChanceRng: Rng;
  private readonly corruptRng: Rng;
  private readonly delayRng: Rng;
  private readonly crashAfterVoteRng: Rng;
  private readonly crashAfterAppendRng: Rng;
  /** PCT priorities: node indexes from highest to lowest priority. */
  private pctOrder: number[] = [];
  /** Every fault that happened, random or scheduled (the shrinker turns random ones into a schedule). */
  readonly faultLog: { readonly time: number; readonly action: FaultAction; readonly random: boolean }[] = [];
  private readonly diskRng: Rng;
  private readonly clientNetRng: Rng;
  /** Queue sequence numbers of messages dropped by hand (forks): lost on arrival. */
  private readonly dropped = new Set<number>();
  /** Delivery times of the message being sent: original, duplicate, late copy. */
  private readonly routeBuf = new Float64Array(3);
  private result: RunResult | null = null;
  private readonly syncImmediate: boolean;
  private lastLeader = '';
  private readonly coverage = new Uint32Array(COUNTERS);
  /** As the scenario's `check` line says. */
  private readonly checkLinearizability: boolean;
  private readonly tickJitterRng: Rng;
  private readonly clientIndex = new Map<string, number>();
  private readonly receiveInput: { type: 'receive'; message: Message | null } = { type: 'receive', message: null };
  private readonly requestInput: { type: 'clientRequest'; request: ClientRequest | null } = { type: 'clientRequest', request: null };
  private readonly before: { -readonly [K in keyof StepBefore]: StepBefore[K] } = { role: 'follower', term: 0 as StepBefore['term'], commit: 0 as StepBefore['commit'], applied: 0 as StepBefore['applied'], lastIndex: 0, tick: false };

  constructor(
    readonly scenario: Scenario,
    readonly seed: number,
    private readonly options: SimulationOptions = {},
  ) {
    const s = scenario;
    this.swarm = drawSwarm(s, seed);
    this.faultRng = Rng.stream(seed, 'faults');
    this.corruptChanceRng = Rng.stream(seed, 'corruption-chance');
    this.corruptRng = Rng.stream(seed, 'corruption');
    this.delayRng = Rng.stream(seed, 'delay');
    this.crashAfterVoteRng = Rng.stream(seed, 'crash-after-vote');
    this.crashAfterAppendRng = Rng.stream(seed, 'crash-after-append');
    this.diskRng = Rng.stream(seed, 'disk');
    this.tickJitterRng = Rng.stream(seed, 'tick-jitter');
    this.clientNetRng = Rng.stream(seed, 'client-network');
    this.syncImmediate = s.syncUs.max === 0;
    this.checkLinearizability = s.check === null || s.check.includes('Linearizability');
    this.trace = new TraceRecorder(options.record === true);
    const size = this.swarm.nodes;
    const ids = Array.from({ length: size }, (_, i) => nodeId(nodeName(i)));
    const clockRng = Rng.stream(seed, 'clocks');
    this.nodes = ids.map((id, i) => {
      const config = makeConfig({
        id, peers: ids, seed: Rng.stream(seed, `node/${id}`).u32(),
        electionTicksMin: s.electionTicks.min, electionTicksMax: this.swarm.splitVotes ? s.electionTicks.min + 1 : s.electionTicks.max + 1, heartbeatTicks: s.heartbeatTicks,
        preVote: this.swarm.preVote, checkQuorum: this.swarm.checkQuorum, bugs: s.bugs, maxEntriesPerAppend: this.swarm.batch,
        snapshotEntries: this.swarm.snapshotEntries,
      });
      const node = new SimNode(i, id, newNode(config), new Disk(), this.swarm.tickUs[i]!);
      this.push(event(clockRng.int(node.tickUs), K.Tick, i, node.tickGen));
      return node;
    });
    this.network = new Network(size, s.latency, { drop: this.swarm.drop, duplicate: this.swarm.duplicate }, Rng.stream(seed, 'network'));
    const pct = this.swarm.pct;
    if (pct !== null) {
      const rng = Rng.stream(seed, 'pct');
      this.pctOrder = shuffled(rng, size);
      this.applyPriorities();
      for (let d = 0; d < pct.depth; d++) this.push(with_(event(rng.int(Math.max(1, s.safetyUs)), K.Pct, -1, d), { src: s.pct!.line }));
    }
    this.checker = new InvariantChecker(this.nodes, quorumSize(this.nodes[0]!.state.config), s.check, { earlyAppends: this.swarm.earlyAppends });
    this.clients = Array.from({ length: s.workload.clients }, (_, c) => new Client(c, s.workload, size, Rng.stream(seed, `client/${c}`), this.history));
    this.clients.forEach((c) => this.clientIndex.set(c.id, c.index));
    for (const c of this.clients) this.push(with_(event(c.index, K.ClientStart), { client: c.index }));
    for (const f of s.schedule) this.push(with_(event(f.atUs, K.Fault), { action: f.action, line: f.line, src: f.line }));
    RECUR.forEach((kind, k) => {
      const r = this.swarm[kind];
      if (r !== null) this.push(with_(event(this.faultRng.expInt(r.meanUs), K.Recur), { gen: k, src: s[kind]!.line }));
    });
    this.push(event(s.safetyUs, K.Liveness));
    this.push(event(s.safetyUs + s.livenessUs, K.Deadline));
  }

  /** An independent copy of this simulation at this point: it runs on exactly as this one would. */
  snapshot(size?: CloneSize): Simulation {
    return cloneGraph(this, SNAPSHOT_RULES, size);
  }

  /**
   * A copy to keep (a checkpoint): cheaper to hold — long arrays share chunks with earlier stored
   * copies — but not runnable; `snapshot()` of it gives a simulation that runs on from here.
   */
  store(size?: CloneSize): Simulation {
    return cloneGraph(this, SNAPSHOT_RULES, size, true);
  }

  /**
   * Applies a change by hand (the debugger's forks): a fault happens as the next step, or a message
   * in flight (by its queue sequence number) is lost on arrival. Returns false if no such message.
   */
  fork(a: ForkAction): boolean {
    if (this.result !== null) return false;
    if (a.kind === 'drop') {
      if (!this.heap.items_().some((e) => e.seq === a.seq && e.kind === K.Deliver)) return false;
      this.dropped.add(a.seq);
      return true;
    }
    this.push(with_(event(this.time, K.Fault), { action: a, line: -1 }));
    return true;
  }

  /** Events waiting in the queue, in no particular order (the debugger's network view). */
  get queued(): readonly SimEvent[] {
    return this.heap.items_();
  }

  get done(): boolean {
    return this.result !== null;
  }

  /** Runs to the end (a verdict, the step limit or `stopAtStep`). */
  run(): RunResult {
    while (this.result === null) this.step();
    return this.result;
  }

  /** Handles events until one counts as a step (or the run ends). Returns false when over. */
  step(): boolean {
    while (this.result === null) {
      if (this.options.stopAtStep !== undefined && this.steps >= this.options.stopAtStep) {
        this.finish('ok');
        return false;
      }
      const e = this.heap.pop();
      if (e === undefined) {
        this.finish('liveness', undefined, 'no events left');
        return false;
      }
      this.time = e.time;
      if (this.handle(e)) {
        if (this.steps >= this.scenario.maxSteps && this.result === null) {
          this.finish('liveness', undefined, `step limit of ${this.scenario.maxSteps} reached before the cluster converged`);
        }
        return this.result === null;
      }
    }
    return false;
  }

  get lastStep(): StepRecord | undefined {
    const s = this.trace.steps;
    return s === null ? undefined : s[s.length - 1];
  }

  get outcome(): RunResult | null {
    return this.result;
  }

  private push(e: SimEvent): void {
    e.cause = this.steps;
    this.heap.push(e);
  }

  /**
   * Time to a node's next tick. Split votes (nearly equal election timeouts) are a fault, lifted in
   * the liveness phase: timers jitter (each tick ½–1½ ticks long), or a node whose clock drifts
   * slow could never time out first, and without pre-vote the others would outvote it forever.
   */
  private tickInterval(n: SimNode): number {
    if (this.phase !== 'liveness' || !this.swarm.splitVotes) return n.tickUs;
    return this.tickJitterRng.intIn(n.tickUs >> 1, n.tickUs + (n.tickUs >> 1));
  }

  /** Returns whether the event was a step. */
  private handle(e: SimEvent): boolean {
    switch (e.kind) {
      case K.Tick: {
        const n = this.nodes[e.node]!;
        if (e.gen !== n.tickGen || n.status !== 'up') return false;
        this.beginStep(e);
        this.push(event(this.time + this.tickInterval(n), K.Tick, e.node, n.tickGen));
        this.nodeStep(n, TICK, e);
        return true;
      }
      case K.Deliver:
        return this.deliver(e);
      case K.Sync: {
        const n = this.nodes[e.node]!;
        if (e.gen !== n.inc) return false;
        this.beginStep(e);
        n.disk.sync(e.arg);
        n.syncedSeq = Math.max(n.syncedSeq, e.arg);
        this.record(e, n.index, this.trace.steps === null ? '' : `${n.id} disk sync (write ${e.arg})`, null, 0);
        this.violation(this.checker.afterSync(n.index));
        if (n.status === 'up') this.releaseOutbox(n);
        return true;
      }
      case K.ClientRequest:
        return this.deliver(e);
      case K.ClientReply:
        return this.clientReply(e);
      case K.ClientStart: {
        const c = this.clients[e.client]!;
        if (this.phase !== 'safety' || c.busy) return false;
        this.beginStep(e);
        this.stats.opsStarted++;
        const a = c.start(this.time);
        if (this.trace.steps !== null) this.record(e, -1, `${c.id} starts ${describeOp(c.current!.request.op)}`, null, 0);
        else this.record(e, -1, '', null, 0);
        this.clientAction(c, a);
        return true;
      }
      case K.ClientTimeout: {
        const c = this.clients[e.client]!;
        const cur = c.current;
        if (cur === null || cur.attemptId !== e.gen) return false;
        this.beginStep(e);
        this.record(e, -1, this.trace.steps === null ? '' : `${c.id} times out on ${cur.request.client}#${cur.request.seq} (attempt ${cur.attempts})`, null, 0);
        const a = c.onTimeout(e.gen, this.phase === 'liveness');
        if (a !== null) this.clientAction(c, a);
        return true;
      }
      case K.Fault:
        // The end of a random fault (a restart, a heal, a resume) or a random crash that falls in the
        // liveness phase is moot: its start healed everything, and no random fault acts there. (It
        // would otherwise count as a fault and restart the settle window.)
        if (this.phase === 'liveness' && e.line === 0) return false;
        this.beginStep(e);
        this.fault(e, e.action!);
        return true;
      case K.Recur:
        if (this.phase !== 'safety') return false;
        this.beginStep(e);
        this.recur(e, RECUR[e.gen]!);
        return true;
      case K.Liveness:
        this.beginStep(e);
        this.startLiveness(e);
        return true;
      case K.Pct: {
        if (this.phase !== 'safety') return false;
        this.beginStep(e);
        // A PCT change point: the node with the highest priority drops to the lowest.
        this.pctOrder.push(this.pctOrder.shift()!);
        this.applyPriorities();
        this.record(e, -1, this.trace.steps === null ? '' : `scheduler: priorities now ${this.pctOrder.map((i) => nodeName(i)).join(' > ')}`, null, 0);
        return true;
      }
      case K.Settled:
        if (this.settled === null || e.gen !== this.settleGen) return false;
        this.beginStep(e);
        this.record(e, -1, `settle window over: the cluster stayed converged since ${fmtUs(this.settled!.sinceUs)}`, null, 0);
        {
          const problem = this.convergenceProblem();
          if (problem === null && this.violation(this.quietBeats())) return true;
          if (problem === null) this.finish('ok');
          else this.finish('liveness', undefined, `converged at ${fmtUs(this.settled!.sinceUs)}, then lost it: ${problem}`);
        }
        return true;
      case K.Deadline:
        // A settle window under way ends the run on its own, a fraction of a second later.
        if (this.settled !== null) return false;
        this.beginStep(e);
        this.record(e, -1, 'liveness deadline', null, 0);
        {
          const problem = this.convergenceProblem();
          if (problem === null) this.finish('ok');
          else this.finish('liveness', undefined, `not converged ${fmtUs(this.scenario.livenessUs)} after healing: ${problem}`);
        }
        return true;
      default:
        throw new Error(`unknown event kind ${e.kind}`);
    }
  }

  private beginStep(e: SimEvent): void {
    this.lastEvent = e;
    this.lastAction = null;
    this.lastNode = e.node;
    this.steps++;
    this.checker.step = this.steps;
    this.checker.time = this.time;
  }

  /** Folds the step into the trace hash; in record mode also keeps it (text null: described from the event). */
  private record(e: SimEvent, node: number, text: string | null, reasons: StepOutputs['reasons'] | null, extra: number, suffix = '', coverage: Uint32Array | null = null): void {
    this.trace.add(this.steps, this.time, node, e.kind, reasons, extra, coverage);
    this.lastNode = node;
    this.lastReasons = reasons ?? NO_REASONS;
    if (this.trace.steps !== null) {
      this.trace.steps.push({ step: this.steps, time: this.time, node, kind: KIND_NAMES[e.kind]!, text: (text ?? this.describeEvent(e)) + suffix, reasons: reasons ?? [] });
    }
    if (this.options.record === true && this.steps % CHECKPOINT_EVERY === 0) this.trace.checkpoints.push({ step: this.steps, hash: this.stateHash() });
  }

  /** A message or client request arriving at a node. */
  private deliver(e: SimEvent): boolean {
    const n = this.nodes[e.node]!;
    if (n.status === 'paused') {
      n.held.push(e);
      return false;
    }
    this.beginStep(e);
    const isMsg = e.kind === K.Deliver;
    const cutInFlight = isMsg && e.msg!.from !== e.msg!.to && this.network.isCut(this.nodeIndex(e.msg!.from), e.node);
    const droppedByHand = this.dropped.size > 0 && this.dropped.delete(e.seq);
    if (n.status !== 'up' || cutInFlight || droppedByHand) {
      if (isMsg) this.stats.messagesLost++;
      const why = droppedByHand ? 'dropped by hand' : cutInFlight ? 'link cut' : `${n.id} is ${n.status}`;
      this.record(e, n.index, null, null, 1, this.trace.steps === null ? '' : ` (lost: ${why})`);
      return true;
    }
    if (isMsg) this.stats.messagesDelivered++;
    // (A request forwarded by a follower before the window counts as one reaching the leader in it.)
    if (this.quiet !== null && (!isMsg || e.msg!.type === 'ClientForward')) this.quiet.client = true;
    // The core keeps messages and requests, never the input wrapper: one reusable wrapper each.
    let input: Input;
    if (isMsg) {
      this.receiveInput.message = e.msg!;
      input = this.receiveInput as Input;
    } else {
      this.requestInput.request = e.request!;
      input = this.requestInput as Input;
    }
    this.nodeStep(n, input, e);
    return true;
  }

  private describeEvent(e: SimEvent): string {
    const n = this.nodes[e.node];
    switch (e.kind) {
      case K.Tick:
        return n!.tickText;
      case K.Deliver:
        return `${n!.id} ← ${e.msg!.from} ${describeMessage(e.msg!)}`;
      case K.ClientRequest:
        return `${n!.id} ⇐ ${e.request!.client}#${e.request!.seq} ${describeOp(e.request!.op)}`;
      default:
        return KIND_NAMES[e.kind]!;
    }
  }

  /** "n3" → 2 (node names are n1…n9: one digit). */
  private nodeIndex(id: string): number {
    return id.charCodeAt(1) - 49;
  }

  /** Runs the core on one node and handles its outputs: disk, invariants, outbox. */
  private nodeStep(n: SimNode, input: Input, e: SimEvent): void {
    const s = n.state;
    const before = this.before;
    before.role = s.role;
    before.term = s.term;
    before.commit = s.commit;
    before.applied = s.applied;
    before.lastIndex = s.log.length;
    before.tick = input.type === 'tick';
    let out: StepOutputs;
    try {
      out = coreStep(s, input).outputs;
    } catch (err) {
      this.record(e, n.index, null, null, 2);
      this.finish('crash', undefined, undefined, {
        invariant: err instanceof RaftAssertionError ? `assert:${err.invariant}` : 'exception',
        step: this.steps, time: this.time, nodes: [n.id], message: err instanceof Error ? err.message : String(err),
      });
      return;
    }
    // (The trace hash and the coverage counters look each reason code up once, together.)
    this.record(e, n.index, null, out.reasons, out.messages.length, '', this.coverage);
    const cov = this.coverage;
    if (s.role !== before.role) cov[roleSignal(before.role, s.role)]!++;
    if (out.persist !== null) {
      const seq = n.disk.write(out.persist);
      n.lastWriteSeq = seq;
      if (this.syncImmediate) {
        n.disk.sync(seq);
        n.syncedSeq = seq;
      } else {
        const { min, max } = this.scenario.syncUs;
        const at = Math.max(this.time, n.syncBusyUntil) + this.diskRng.intIn(min, max);
        n.syncBusyUntil = at;
        this.push(event(at, K.Sync, n.index, n.inc, seq));
      }
    }
    if (s.role === 'leader' && before.role !== 'leader') this.noteLeader(n);
    const heard = input.type === 'receive' ? input.message : null;
    if (this.violation(this.checker.afterStep(n.index, out, before) ?? this.checker.afterTimer(n.index, out, input.type === 'tick', heard))) return;
    if (heard !== null && (heard.type === 'AppendEntries' || (heard.type === 'AppendEntriesResp' && !heard.success)) && this.violation(this.checker.afterAppendExchange(n.index, out, heard))) return;
    if ((out.replies.length > 0 || out.messages.length > 0) && this.violation(this.checker.afterClientAnswers(n.index, out, heard))) return;
    if (this.quiet !== null && n.index === this.settled!.leader && this.watchQuiet(n, out, input.type === 'tick')) return;
    const caa = this.swarm.crashAfterAppend;
    if (caa !== null && this.phase === 'safety' && s.role === 'leader' && this.mayCrashAfterAppend(n, out.messages) && this.crashAfterAppendRng.chance(caa.chance)) {
      // Targeted: the leader crashes right after sending new entries (they reach some followers, maybe).
      const down = this.crashAfterAppendRng.intIn(caa.forUs.min, caa.forUs.max);
      this.push(with_(event(this.time + 1, K.Fault), { action: { kind: 'crash', node: n.index }, src: this.scenario.crashAfterAppend!.line }));
      this.push(with_(event(this.time + 1 + Math.max(1, down), K.Fault), { action: { kind: 'restart', node: n.index } }));
    }
    const cav = this.swarm.crashAfterVote;
    if (cav !== null && this.phase === 'safety' && out.messages.some((m) => m.type === 'RequestVoteResp' && m.granted) && this.crashAfterVoteRng.chance(cav.chance)) {
      // Targeted: the voter crashes right after this step (its reply may or may not have gone out).
      const down = this.crashAfterVoteRng.intIn(cav.forUs.min, cav.forUs.max);
      // (1us later: a scheduled fault at the same instant would run before this step when replayed from a schedule.)
      this.push(with_(event(this.time + 1, K.Fault), { action: { kind: 'crash', node: n.index }, src: this.scenario.crashAfterVote!.line }));
      this.push(with_(event(this.time + 1 + Math.max(1, down), K.Fault), { action: { kind: 'restart', node: n.index } }));
    }
    if (out.messages.length === 0 && out.replies.length === 0) return;
    let held = out.messages;
    if (this.swarm.earlyAppends && n.lastWriteSeq > n.syncedSeq && s.role === 'leader' && held.some(mayLeaveBeforePersist)) {
      // The Persist contract's allowance: a leader's appends leave now; the rest waits for the sync.
      this.release(n, held.filter(mayLeaveBeforePersist), []);
      if (this.result !== null) return;
      held = held.filter((m) => !mayLeaveBeforePersist(m));
    }
    if (n.lastWriteSeq > n.syncedSeq) n.outbox.push({ seq: n.lastWriteSeq, messages: held, replies: out.replies });
    else this.release(n, held, out.replies);
    this.checkConverged();
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
    if (n.appendSteps >= CAA_STEPS || !messages.some((m) => m.type === 'AppendEntries' && m.entries.length > 0)) return false;
    n.appendSteps++;
    return true;
  }

  private noteLeader(n: SimNode): void {
    const key = `${n.id}/${n.state.term}`;
    if (key !== this.lastLeader) {
      this.lastLeader = key;
      this.stats.leaderChanges++;
    }
  }

  /** The core produced output no receiver would accept: the run fails as a crash of that node's code. */
  private malformed(n: SimNode, what: string, value: unknown): void {
    this.finish('crash', undefined, undefined, { invariant: 'malformed-output', step: this.steps, time: this.time, nodes: [n.id], message: `${n.id} ${what}: ${JSON.stringify(value)}` });
  }

  private releaseOutbox(n: SimNode): void {
    let k = 0;
    while (k < n.outbox.length && n.outbox[k]!.seq <= n.syncedSeq) {
      const o = n.outbox[k++]!;
      this.release(n, o.messages, o.replies);
      if (this.result !== null) return;
    }
    if (k > 0) n.outbox.splice(0, k);
  }

  /** The writes these outputs depend on are durable: send the messages and answer the clients. */
  private release(n: SimNode, messages: readonly Message[], replies: readonly ClientReply[]): void {
    // (Indexed loops: `messages` is sometimes the core's shared empty list, and for-of over lists of
    // two shapes allocates an iterator result per element.)
    const buf = this.routeBuf;
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      // A peer would drop a malformed message (net/ checks every frame by the same rules): a core bug.
      const problem = messageProblem(m);
      if (problem !== null) return this.malformed(n, `sent a malformed message (${problem})`, m);
      if (this.violation(this.checker.onSend(n.index, m, n.state.term))) return;
      const to = this.nodeIndex(m.to);
      let copies = this.network.deliveries(n.index, to, this.time, buf);
      if (m.from !== m.to) {
        this.stats.messagesSent++;
        const d = this.swarm.delay;
        if (d !== null && DELAYABLE.has(m.type) && this.phase === 'safety' && copies > 0 && this.delayRng.chance(d.chance)) {
          // Held back past a term change: either the message itself, or (half the time) a copy of it
          // replayed late while the original arrives on time.
          const extra = this.delayRng.intIn(d.byUs.min, d.byUs.max);
          if (this.delayRng.next() < 0.5) buf[copies++] = buf[0]! + extra;
          else for (let k = 0; k < copies; k++) buf[k] = buf[k]! + extra;
          this.stats.delayed++;
        }
      }
      for (let k = 0; k < copies; k++) {
        const d = event(buf[k]!, K.Deliver, to);
        d.msg = m;
        this.push(d);
      }
    }
    for (let i = 0; i < replies.length; i++) {
      const r = replies[i]!;
      const problem = replyProblem(r);
      if (problem !== null) return this.malformed(n, `answered a client with a malformed reply (${problem})`, r);
      const c = this.clientIndex.get(r.client)!;
      this.push(with_(event(this.time + this.clientLatency(), K.ClientReply, n.index), { reply: r, client: c }));
    }
  }

  private clientLatency(): number {
    const l = this.scenario.latency;
    return l.kind === 'uniform' ? this.clientNetRng.intIn(l.minUs, l.maxUs) : Math.min(this.clientNetRng.expInt(l.meanUs), l.capUs);
  }

  private clientReply(e: SimEvent): boolean {
    const c = this.clients[e.client]!;
    const r = e.reply!;
    this.beginStep(e);
    this.record(e, -1, this.trace.steps === null ? '' : `${c.id} ⇐ ${nodeName(e.node)} ${describeReply(r)}`, null, 0);
    const write = c.current !== null && c.current.request.seq === r.seq && c.current.request.op.type !== 'get';
    const a = c.onReply(this.time, e.node, r.seq, r.outcome, this.phase === 'liveness');
    if (a === null) return true;
    if (r.outcome.status === 'ok') {
      this.stats.opsCompleted++;
      if (write && this.violation(this.checker.onWriteAcknowledged(r.client, r.seq, nodeName(e.node)))) return true;
    }
    this.clientAction(c, a);
    this.checkConverged();
    return true;
  }

  private clientAction(c: Client, a: ClientAction): void {
    switch (a.kind) {
      case 'send': {
        const at = this.time + a.delayUs + this.clientLatency();
        this.push(with_(event(at, K.ClientRequest, a.node), { request: a.request, client: c.index }));
        this.push(with_(event(this.time + a.delayUs + this.scenario.workload.timeoutUs, K.ClientTimeout), { client: c.index, gen: a.attemptId }));
        break;
      }
      case 'think':
        this.push(with_(event(this.time + a.delayUs, K.ClientStart), { client: c.index }));
        break;
      case 'idle':
        break;
    }
  }

  private countAbandoned(): void {
    this.stats.opsAbandoned = this.history.filter((h) => h.return === null).length;
  }

  /** Messages from lower-priority nodes are held back by one step per rank (PCT-style). */
  private applyPriorities(): void {
    const step = this.swarm.pct?.stepUs ?? 0;
    this.pctOrder.forEach((node, rank) => {
      this.network.priorityDelayUs[node] = this.phase === 'safety' ? rank * step : 0;
    });
  }

  // ------------------------------------------------------------------------------------------
  // Faults

  private fault(e: SimEvent, a: FaultAction): void {
    // A fault in the liveness phase (scheduled there, or a fork in the debugger) ends the quiet: the
    // cluster must converge again, and settle from then on.
    if (this.settled !== null) {
      this.settled = null;
      this.quiet = null;
      this.settleGen++;
    }
    this.lastAction = a;
    this.coverage[faultSignal(a.kind)]!++;
    this.faultLog.push({ time: this.time, action: a, random: e.line === 0 });
    const text = describeAction(a);
    switch (a.kind) {
      case 'partition':
        this.network.partition(a.groups);
        this.stats.partitions++;
        break;
      case 'cut':
        this.network.cutLink(a.from, a.to);
        this.stats.partitions++;
        break;
      case 'isolate':
        this.network.isolate(a.node);
        this.stats.partitions++;
        break;
      case 'heal':
        this.network.heal();
        break;
      case 'clog':
        this.network.clog(a.a, a.b, this.time + a.forUs);
        this.stats.clogs++;
        break;
      case 'crash':
        this.record(e, a.node, text, null, 0);
        this.crash(this.nodes[a.node]!);
        return;
      case 'restart':
        this.record(e, a.node, text, null, 0);
        this.restart(this.nodes[a.node]!);
        return;
      case 'pause':
        this.pause(this.nodes[a.node]!);
        break;
      case 'resume':
        this.resume(this.nodes[a.node]!);
        break;
      case 'corrupt': {
        const n = this.nodes[a.node]!;
        const what = n.disk.corrupt(this.corruptRng);
        n.corrupted = true;
        this.stats.corruptions++;
        this.record(e, a.node, `${text} (${what})`, null, 0);
        return;
      }
    }
    this.record(e, 'node' in a ? a.node : -1, text, null, 0);
  }

  private crash(n: SimNode): void {
    if (n.status === 'down' || n.status === 'dead') return;
    this.stats.crashes++;
    n.status = 'down';
    n.inc++;
    n.tickGen++;
    n.outbox = [];
    n.held = [];
    n.syncBusyUntil = 0;
    const effect = n.disk.crash(this.diskRng, this.scenario.torn);
    if (effect.torn) this.stats.tornWrites++;
    n.lastWriteSeq = 0;
    n.syncedSeq = 0;
    if (this.swarm.corrupt > 0 && this.corruptChanceRng.chance(this.swarm.corrupt) && this.corruptedNodes() < Math.floor((this.nodes.length - 1) / 2)) {
      this.faultLog.push({ time: this.time, action: { kind: 'corrupt', node: n.index }, random: true });
      n.disk.corrupt(this.corruptRng);
      n.corrupted = true;
      this.stats.corruptions++;
    }
    const r = n.disk.recover();
    if (!r.ok) {
      this.kill(n, r.reason);
      return;
    }
    this.violation(this.checker.afterCrash(n.index, r.durable));
  }

  private corruptedNodes(): number {
    return this.nodes.filter((x) => x.corrupted || x.status === 'dead').length;
  }

  private kill(n: SimNode, reason: string): void {
    n.status = 'dead';
    n.deadReason = reason;
    this.stats.refusedToStart++;
    this.violation(this.checker.afterDeath(n.index));
  }

  private restart(n: SimNode): void {
    if (n.status !== 'down') return;
    const r = n.disk.recover();
    if (!r.ok) {
      this.kill(n, r.reason);
      return;
    }
    this.stats.restarts++;
    n.status = 'up';
    n.tickGen++;
    this.runRestart(n, r.durable);
    this.push(event(this.time + this.tickInterval(n), K.Tick, n.index, n.tickGen));
  }

  private runRestart(n: SimNode, durable: DurableState): void {
    try {
      const out = coreStep(n.state, { type: 'restart', durable }).outputs;
      // The restart's rules count as covered (the explorer's "rules never hit" and its bias read this).
      for (const r of out.reasons) this.coverage[reasonSignal(r)]!++;
      // A restart that replaced a stale log by the snapshot records it (part of recovery, synced).
      if (out.persist !== null) n.disk.sync(n.disk.write(out.persist));
    } catch (err) {
      this.finish('crash', undefined, undefined, { invariant: 'exception', step: this.steps, time: this.time, nodes: [n.id], message: String(err) });
      return;
    }
    this.violation(this.checker.afterRestart(n.index));
  }

  private pause(n: SimNode): void {
    if (n.status !== 'up') return;
    n.status = 'paused';
    n.tickGen++;
    this.stats.pauses++;
  }

  private resume(n: SimNode): void {
    if (n.status !== 'paused') return;
    n.status = 'up';
    n.tickGen++;
    this.push(event(this.time + this.tickInterval(n), K.Tick, n.index, n.tickGen));
    this.releaseOutbox(n);
    const held = n.held;
    n.held = [];
    for (const h of held) this.push(with_(event(this.time, h.kind, h.node), { msg: h.msg, request: h.request, client: h.client }));
  }

  /** A recurring fault of this seed fires: pick a victim, schedule its end and the next occurrence. */
  private recur(e: SimEvent, kind: RecurKind): void {
    const r = this.swarm[kind]!;
    const rng = this.faultRng;
    const dur = rng.intIn(r.forUs.min, r.forUs.max);
    const n = this.nodes.length;
    const end = (action: FaultAction): void => this.push(with_(event(this.time + dur, K.Fault), { action }));
    switch (kind) {
      case 'crash': {
        const victims = this.nodes.filter((x) => x.status === 'up' || x.status === 'paused');
        if (victims.length > 0) {
          const v = rng.pick(victims);
          this.fault(e, { kind: 'crash', node: v.index });
          end({ kind: 'restart', node: v.index });
        } else this.record(e, -1, 'crash: no node is up', null, 0);
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
        this.fault(e, action);
        end({ kind: 'heal' });
        break;
      }
      case 'pause': {
        const victims = this.nodes.filter((x) => x.status === 'up');
        if (victims.length > 0) {
          const v = rng.pick(victims);
          this.fault(e, { kind: 'pause', node: v.index });
          end({ kind: 'resume', node: v.index });
        } else this.record(e, -1, 'pause: no node is up', null, 0);
        break;
      }
      case 'isolateLeader':
      case 'crashLeader': {
        const leader = this.currentLeader();
        if (leader === null) {
          this.record(e, -1, `${kind === 'crashLeader' ? 'crash' : 'isolate'} the leader: there is none`, null, 0);
          break;
        }
        if (kind === 'crashLeader') {
          this.fault(e, { kind: 'crash', node: leader.index });
          end({ kind: 'restart', node: leader.index });
        } else {
          this.fault(e, { kind: 'isolate', node: leader.index });
          end({ kind: 'heal' });
        }
        break;
      }
      case 'clog': {
        const a = rng.int(n);
        const b = n === 1 ? a : (a + rng.intIn(1, n - 1)) % n;
        this.fault(e, { kind: 'clog', a, b, forUs: dur });
        break;
      }
    }
    this.push(with_(event(this.time + 1 + rng.expInt(r.meanUs), K.Recur), { gen: e.gen, src: e.src }));
  }

  // ------------------------------------------------------------------------------------------
  // Phases and verdicts

  private startLiveness(e: SimEvent): void {
    this.phase = 'liveness';
    this.record(e, -1, 'liveness phase: heal everything, stop faults, finish pending operations', null, 0);
    this.network.heal();
    this.network.unclog();
    this.network.setRates({ drop: 0, duplicate: 0 });
    this.applyPriorities();
    // Split votes (every election timeout nearly the same) is a fault like the others: lifted here,
    // each node draws its timeouts from the scenario's whole range again. Jittered ticks alone were
    // not enough — ten of them average out — and two candidates, one too far behind to win, could
    // collide term after term for the whole phase (about 1 seed in 7,000 of compaction.raftsim).
    // The config object is replaced, never changed in place: time-travel snapshots share it
    // (SNAPSHOT_RULES), so an earlier checkpoint keeps the fault's range.
    if (this.swarm.splitVotes) {
      for (const n of this.nodes) (n.state as { config: RaftConfig }).config = { ...n.state.config, electionTicksMax: this.scenario.electionTicks.max + 1 };
    }
    for (const n of this.nodes) {
      if (n.status === 'paused') this.resume(n);
      if (n.status === 'down') this.restart(n);
    }
    this.checkConverged();
  }

  /** The running leader of the highest term, if any. */
  private currentLeader(): SimNode | null {
    let best: SimNode | null = null;
    for (const x of this.nodes) {
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
  private checkConverged(): void {
    if (this.phase !== 'liveness' || this.result !== null) return;
    const s = this.settled;
    if (s !== null) {
      const problem = this.unsettled(s);
      if (problem !== null) this.finish('liveness', undefined, `converged at ${fmtUs(s.sinceUs)} with leader ${this.nodes[s.leader]!.id} in term ${s.term}, then ${fmtUs(this.time - s.sinceUs)} later on a quiet network: ${problem}`);
      return;
    }
    if (this.convergenceProblem() !== null) return;
    const leader = this.currentLeader()!;
    this.settled = { leader: leader.index, term: leader.state.term, sinceUs: this.time };
    this.quiet = { last: lastIndex(leader.state), ticks: 0, beats: this.nodes.map(() => 0), client: false };
    this.push(event(this.time + this.settleWindowUs(), K.Settled, -1, this.settleGen));
  }

  /**
   * QuietLeader, after a step of the settle window's leader: once every follower holds its whole log
   * and no client asks for anything, a leader has nothing to send but heartbeats. An append or a
   * snapshot then is wasted work — a follower's acknowledgement not counted, a stale refusal taken
   * for a new one, a heartbeat answer that starts a probe. Returns true when the run failed.
   */
  private watchQuiet(n: SimNode, out: StepOutputs, tick: boolean): boolean {
    const q = this.quiet!;
    if (tick) q.ticks++;
    if (q.client) return false;
    const msgs = out.messages;
    for (let k = 0; k < msgs.length; k++) {
      const m = msgs[k]!;
      if (m.type === 'Heartbeat') q.beats[this.nodeIndex(m.to)]!++;
      // (A node that refused to start holds less: the leader may still try to repair it.)
      else if ((m.type === 'AppendEntries' || m.type === 'InstallSnapshot') && this.nodes[this.nodeIndex(m.to)]!.status === 'up') {
        const what = m.type === 'InstallSnapshot' ? `a snapshot at ${m.snapshot.index}` : m.entries.length === 0 ? `an empty append after ${m.prevLogIndex}` : `entries ${m.entries[0]!.index}..${m.entries[m.entries.length - 1]!.index}`;
        return this.violation(this.checker.quietLeader(n.index, `converged at ${fmtUs(this.settled!.sinceUs)} with every follower holding ${n.id}'s whole log (${q.last}), and no client asked for anything since, yet ${n.id} sent ${m.to} ${what} ${fmtUs(this.time - this.settled!.sinceUs)} later`));
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
    const q = this.quiet;
    if (q === null || q.client) return null;
    const leader = this.nodes[this.settled!.leader]!;
    const h = leader.state.config.heartbeatTicks;
    const lo = Math.floor(q.ticks / h);
    const hi = Math.ceil(q.ticks / h);
    for (const to of leader.state.config.peers) {
      const j = this.nodeIndex(to);
      if (j === leader.index) continue;
      const got = q.beats[j]!;
      if (got < lo || got > hi) {
        return this.checker.quietLeader(leader.index, `over the settle window's ${q.ticks} ticks of ${leader.id}, with a heartbeat every ${h} tick${h === 1 ? '' : 's'}, ${to} should have got ${lo === hi ? lo : `${lo} or ${hi}`} heartbeats, but ${leader.id} sent it ${got}`);
      }
    }
    return null;
  }

  /** The settle window: one maximum election timeout (plus a tick) of the slowest clock, jittered ticks included. */
  private settleWindowUs(): number {
    let slowest = 0;
    for (const n of this.nodes) slowest = Math.max(slowest, n.tickUs);
    const tickUs = this.swarm.splitVotes ? slowest + (slowest >> 1) : slowest;
    const ticks = Math.max(...this.nodes.map((n) => n.state.config.electionTicksMax)) + 1;
    return ticks * tickUs;
  }

  /** What moved since the cluster converged (null: nothing). */
  private unsettled(s: NonNullable<Simulation['settled']>): string | null {
    for (const n of this.nodes) {
      if (n.status !== 'up') continue;
      const st = n.state;
      if (st.term !== s.term) return `${n.id} is in term ${st.term} (${st.role})`;
      if (n.index === s.leader) {
        if (st.role !== 'leader') return `the leader ${n.id} stepped down (now ${st.role})`;
      } else if (st.role !== 'follower' || st.leader !== this.nodes[s.leader]!.id) {
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
    let leader: SimNode | null = null;
    let leaders = 0;
    for (const n of this.nodes) {
      if (n.status === 'up' && n.state.role === 'leader') {
        leaders++;
        leader = n;
      }
    }
    if (leaders !== 1 || leader === null) return leaders === 0 ? 'no leader' : `${leaders} leaders`;
    for (const n of this.nodes) {
      if (n.status !== 'up') continue;
      if (n.state.term !== leader.state.term || n.state.leader !== leader.id) return `${n.id} does not follow ${leader.id} in term ${leader.state.term}`;
    }
    const waiting = this.clients.filter((c) => c.busy).length;
    if (waiting > 0) return `${waiting} client operation(s) still pending`;
    const ls = leader.state;
    const last = lastIndex(ls);
    if (ls.commit !== last) return `leader ${leader.id} has committed ${ls.commit} of its ${last} entries`;
    for (const n of this.nodes) {
      if (n.status !== 'up' || n === leader) continue;
      const s = n.state;
      if (lastIndex(s) !== last || lastTerm(s) !== lastTerm(ls)) return `${n.id}'s log ends at ${lastIndex(s)}@t${lastTerm(s)}, the leader's at ${last}@t${lastTerm(ls)}`;
      if (s.commit !== ls.commit) return `${n.id} has commit ${s.commit}, the leader ${ls.commit}`;
    }
    for (const n of this.nodes) {
      if (n.status !== 'up') continue;
      if (n.state.applied !== ls.commit) return `${n.id} has applied ${n.state.applied} of ${ls.commit} committed entries`;
    }
    // The leader must know it too (its own entries synced; each follower acknowledged the whole log,
    // replicating with nothing in flight): a leader whose bookkeeping never catches up — stuck probing,
    // an acknowledgement not counted — resends forever, or stalls once a message is lost.
    if (ls.selfMatch !== last) return `leader ${leader.id} has not counted its own log as synced (its match ${ls.selfMatch} of ${last})`;
    for (const n of this.nodes) {
      if (n.status !== 'up' || n === leader) continue;
      const pr = ls.progress.get(n.id);
      if (pr === undefined || pr.match !== last || pr.mode !== 'replicate' || pr.inflight.length > 0 || pr.snapshotWait > 0) {
        return `leader ${leader.id} does not know that ${n.id} holds its whole log (${pr === undefined ? 'no record' : `match ${pr.match} of ${last}, ${pr.mode}${pr.inflight.length > 0 ? `, appends in flight to ${pr.inflight.join(', ')}` : ''}${pr.snapshotWait > 0 ? ', waiting for a snapshot' : ''}`})`;
      }
    }
    // A message of a later term still on its way (delayed, or sent by a node that since died) may yet
    // depose this leader: not settled until it lands. (No running node is past the leader's term.)
    for (const e of this.heap.items_()) {
      if (e.kind === K.Deliver && e.msg !== null && e.msg.term > ls.term && !this.dropped.has(e.seq)) return `a ${e.msg.type} of term ${e.msg.term} from ${e.msg.from} is still on its way`;
    }
    // Checked once, when everything else has converged (at most once per step until the end).
    const want = this.checker.referenceStateAt(ls.commit, ls.kv.maxSessions);
    for (const n of this.nodes) {
      if (n.status !== 'up') continue;
      if (want !== null && InvariantChecker.stateOf(n.state.kv) !== want) return `${n.id}'s state machine differs from the committed log's after applying all ${ls.commit} entries`;
    }
    return null;
  }

  private violation(v: Violation | null): boolean {
    if (v === null) return false;
    this.finish(LIVENESS_INVARIANTS.has(v.invariant) ? 'liveness' : 'safety', v);
    return true;
  }

  private finish(verdict: Verdict, v?: Violation, livenessMessage?: string, crash?: RunResult['violation']): void {
    if (this.result !== null) return;
    this.countAbandoned();
    let violation = v ?? crash ?? (livenessMessage === undefined ? undefined
      : { invariant: 'Liveness', step: this.steps, time: this.time, nodes: [], message: livenessMessage });
    // The clients' history must be linearizable, whatever happened to liveness.
    let linearizability: RunResult['linearizability'] = 'skipped';
    if ((verdict === 'ok' || verdict === 'liveness') && this.checkLinearizability) {
      const ops = this.history.map(fromSimulator);
      const problems = this.history.map(malformedReply);
      const bad = problems.findIndex((p) => p !== null);
      const lin = bad >= 0 ? null : checkHistory(ops, { maxSearchSteps: LIN_STEPS });
      linearizability = lin === null ? 'illegal' : lin.result;
      if (lin === null) {
        verdict = 'safety';
        violation = {
          invariant: 'Linearizability', step: this.steps, time: this.time, nodes: [],
          message: `a client got a malformed answer: ${describeOperation(ops[bad]!, bad)}: ${problems[bad]!}${this.history[bad]!.output === undefined ? '' : ` (${JSON.stringify(this.history[bad]!.output)})`}`,
        };
      } else if (lin.result === 'illegal') {
        verdict = 'safety';
        const shown = lin.operations.slice(0, 8).map((i) => describeOperation(ops[i]!, i)).join('; ');
        violation = {
          invariant: 'Linearizability', step: this.steps, time: this.time, nodes: [],
          message: `the clients' history is not linearizable: on key ${lin.key}, these ${lin.operations.length} operations cannot be ordered: ${shown}${lin.operations.length > 8 ? '; …' : ''}`,
        };
      }
    }
    this.result = {
      seed: this.seed,
      steps: this.steps,
      simulatedMs: Math.floor(this.time / 1000),
      verdict,
      ...(violation === undefined ? {} : { violation }),
      traceHash: this.trace.hash.hex(),
      coverage: signalsOf(this.coverage),
      linearizability,
      stats: this.stats,
      swarm: this.swarm,
    };
  }

  /** A hash of every node's state and of the event queue's size (checkpoints in trace files). */
  stateHash(): string {
    return this.nodesHash(this.heap.size);
  }

  /** A hash of every node's state: status, term, vote, role, commit, applied, log. */
  nodesHash(extra = 0): string {
    const h = new Hash64();
    for (const n of this.nodes) {
      const s = n.state;
      h.addString(n.status).add(s.term).addString(s.vote ?? '').addString(s.role).add(s.commit).add(s.applied).add(s.log.length);
      const last = s.log[s.log.length - 1];
      if (last !== undefined) h.add(last.term);
    }
    h.add(extra);
    return h.hex();
  }
}

function shuffled(rng: Rng, n: number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

export function fmtUs(us: number): string {
  if (us >= 1_000_000) return `${(us / 1_000_000).toFixed(us % 1_000_000 === 0 ? 0 : 3)}s`;
  if (us >= 1_000) return `${(us / 1_000).toFixed(us % 1_000 === 0 ? 0 : 3)}ms`;
  return `${us}us`;
}

/** A fault in words, durations rounded for reading (scenario-format's fmtAction writes them exactly). */
export function describeAction(a: FaultAction): string {
  return fmtAction(a, fmtUs);
}
