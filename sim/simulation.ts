// One seeded run of a scenario: the event loop. Each step is one event handled — a tick, a message
// delivered (or lost at a node that is down), a disk sync completing, a client request or answer, a
// fault — then the invariant checks. The parts live in modules of their own, as TigerBeetle keeps
// each part of its simulator: events.ts (what can happen), sim-node.ts (a node, its disk, its
// outbox), outputs.ts (its writes to disk, its messages and replies once durable), faults.ts,
// traffic.ts (the clients), liveness.ts (the liveness phase, the settle window),
// verdict.ts (the result); host.ts is what the parts may use of the simulation, and
// snapshot-rules.ts what a debugger checkpoint shares. Same scenario and seed: same steps and trace
// hash, everywhere.
import {
  makeConfig,
  newNode,
  nodeId,
  RaftAssertionError,
  step as coreStep,
  type ClientRequest,
  type Input,
  type Message,
  type ReasonCode,
  type StepOutputs,
} from '../core';
import { COUNTERS, roleSignal, signalsOf, userRuleCounter } from './coverage';
import { Disk } from './disk';
import {
  clientRequestEvent,
  deadlineEvent,
  deliverEvent,
  EventKind,
  faultEvent,
  KIND_NAMES,
  livenessEvent,
  pctEvent,
  tickEvent,
  type ClientRequestEvent,
  type DeliverEvent,
  type PctEvent,
  type SimEvent,
  type SyncEvent,
  type TickEvent,
} from './events';
import { Faults } from './faults';
import { FOREIGN_INVARIANTS, ForeignDriver, nodeRules, RecordDisk, type ForeignStep } from './foreign-node';
import type { RaftNode } from './node-api';
import type { SimHost } from './host';
import { EventHeap } from './heap';
import { InvariantChecker, LIVENESS_INVARIANTS, type StepBefore, type Violation } from './invariants';
import { Liveness } from './liveness';
import { Network } from './network';
import { Outputs } from './outputs';
import { Rng, shuffled } from './rng';
import { nodeName, type FaultAction, type Scenario } from './scenario';
import { describeEvent, nodesHash, SimNode } from './sim-node';
import { cloneGraph, type CloneSize } from './snapshot';
import { SNAPSHOT_RULES } from './snapshot-rules';
import { drawSwarm, type SwarmDraw } from './swarm';
import { CHECKPOINT_EVERY, TraceRecorder, type StepRecord } from './trace';
import { Traffic } from './traffic';
import { emptyStats, runResult, type RunResult, type RunStats, type RunViolation, type Verdict } from './verdict';
import type { Client, HistoryOp } from './workload';

export type { RunResult, RunStats, Verdict } from './verdict';

const TICK: Input = { type: 'tick' };
const NO_REASONS: readonly ReasonCode[] = [];

/** Changes a user makes at a step in the debugger, which fork a new timeline from there. */
export type ForkAction = FaultAction | { readonly kind: 'drop'; readonly seq: number };

export interface SimulationOptions {
  /** Keep every step (debugger, trace files); otherwise only the trace hash is computed. */
  readonly record?: boolean;
  /** Stop after this many steps even if the run is not over (replay of a trace). */
  readonly stopAtStep?: number;
  /** Run a user's Raft (node-api.ts) instead of the core; `label` names it in errors. */
  readonly node?: { readonly module: RaftNode; readonly label: string };
}

export class Simulation implements SimHost {
  readonly nodes: SimNode[];
  readonly history: HistoryOp[] = [];
  readonly network: Network;
  readonly checker: InvariantChecker;
  readonly trace: TraceRecorder;
  readonly swarm: SwarmDraw;
  readonly stats: RunStats = emptyStats();
  readonly faults: Faults;
  readonly traffic: Traffic;
  readonly liveness: Liveness;
  /** A node's writes and messages after its step (outputs.ts). */
  private readonly outputs: Outputs;
  time = 0;
  steps = 0;
  /** The event of the latest step, and the node it concerned (-1: none) — what the debugger shows. */
  lastEvent: SimEvent | null = null;
  lastNode = -1;
  /** The reason codes the core fired in the latest step (empty when no node stepped). */
  lastReasons: readonly ReasonCode[] = [];
  /** The fault the latest step applied, scheduled or random (null: none). */
  lastAction: FaultAction | null = null;
  /** Coverage counters (coverage.ts), bumped by the steps and the faults. */
  readonly coverage: Uint32Array;
  /** Sync latencies and what a crash does to unsynced writes. */
  readonly diskRng: Rng;
  private readonly heap = new EventHeap<SimEvent>();
  /** PCT priorities: node indexes from highest to lowest priority. */
  private pctOrder: number[] = [];
  /** Queue sequence numbers of messages dropped by hand (forks): lost on arrival. */
  private readonly dropped = new Set<number>();
  private result: RunResult | null = null;
  /** Whether crash-after-append or crash-after-vote is on (faults.afterStep has work after a step). */
  private readonly targetedCrashes: boolean;
  private lastLeader = '';
  /** As the scenario's `check` line says. */
  private readonly checkLinearizability: boolean;
  private readonly tickJitterRng: Rng;
  private readonly receiveInput: { type: 'receive'; message: Message | null } = { type: 'receive', message: null };
  private readonly requestInput: { type: 'clientRequest'; request: ClientRequest | null } = { type: 'clientRequest', request: null };
  private readonly before: { -readonly [K in keyof StepBefore]: StepBefore[K] } = {
    role: 'follower',
    term: 0 as StepBefore['term'],
    commit: 0 as StepBefore['commit'],
    applied: 0 as StepBefore['applied'],
    lastIndex: 0,
    members: { voters: [], learners: [] },
    tick: false,
  };

  constructor(
    readonly scenario: Scenario,
    readonly seed: number,
    private readonly options: SimulationOptions = {},
  ) {
    const s = scenario;
    const foreign = options.node ?? null;
    // (A user's node's own rules count after the simulator's: coverage.ts's counters, then its `rules`.)
    this.coverage = new Uint32Array(COUNTERS + (foreign === null ? 0 : nodeRules(foreign.module).length));
    if (foreign !== null) {
      const refusal = foreignRefusal(s, foreign.label);
      if (refusal !== null) throw new Error(refusal);
    }
    const draw = drawSwarm(s, seed);
    // A user's node: the core's own options are off, and so are split votes (the liveness phase
    // lifts them through the core's config, which a user's node read once at init). Crashes after
    // an append or a vote aim at its messages by their kind (foreign-node.ts).
    this.swarm = foreign === null ? draw : { ...draw, earlyAppends: false, snapshotEntries: 0, splitVotes: false };
    this.diskRng = Rng.stream(seed, 'disk');
    this.tickJitterRng = Rng.stream(seed, 'tick-jitter');
    this.targetedCrashes = this.swarm.crashAfterAppend !== null || this.swarm.crashAfterVote !== null;
    this.checkLinearizability = s.check === null || s.check.includes('Linearizability');
    this.trace = new TraceRecorder(options.record === true);
    this.liveness = new Liveness(this);
    this.faults = new Faults(this, seed);
    // The members n1…nN, then the spares, outside the cluster until a leader adds them.
    const members = this.swarm.nodes;
    const size = members + s.spares;
    const ids = Array.from({ length: size }, (_, i) => nodeId(nodeName(i)));
    const memberIds = ids.slice(0, members);
    const clockRng = Rng.stream(seed, 'clocks');
    this.nodes = ids.map((id, i) => {
      const config = makeConfig({
        id,
        peers: i < members ? memberIds : [],
        seed: Rng.stream(seed, `node/${id}`).u32(),
        electionTicksMin: s.electionTicks.min,
        electionTicksMax: this.swarm.splitVotes ? s.electionTicks.min + 1 : s.electionTicks.max + 1,
        heartbeatTicks: s.heartbeatTicks,
        preVote: this.swarm.preVote,
        checkQuorum: this.swarm.checkQuorum,
        bugs: s.bugs,
        entriesPerAppendMax: this.swarm.batch,
        snapshotEntries: this.swarm.snapshotEntries,
      });
      const state = newNode(config);
      const node = new SimNode(i, id, state, foreign === null ? new Disk() : new RecordDisk(), this.swarm.tickUs[i]!);
      if (foreign !== null) {
        const timing = { electionTicksMin: config.electionTicksMin, electionTicksMax: config.electionTicksMax, heartbeatTicks: config.heartbeatTicks };
        node.driver = new ForeignDriver(foreign.module, foreign.label, state, i < members ? memberIds : [], timing, seed, ids);
      }
      this.push(tickEvent(clockRng.int(node.tickUs), i, node.tickGen));
      return node;
    });
    this.network = new Network(size, s.latency, { drop: this.swarm.drop, duplicate: this.swarm.duplicate }, Rng.stream(seed, 'network'));
    const pct = this.swarm.pct;
    if (pct !== null) {
      const rng = Rng.stream(seed, 'pct');
      this.pctOrder = shuffled(rng, size);
      this.applyPriorities();
      for (let d = 0; d < pct.depth; d++) this.push(pctEvent(rng.int(Math.max(1, s.safetyUs)), d, s.pct!.line));
    }
    const checks = foreign === null ? s.check : FOREIGN_INVARIANTS.filter((x) => s.check === null || s.check.includes(x));
    this.checker = new InvariantChecker(this.nodes, checks, { earlyAppends: this.swarm.earlyAppends });
    // (The order of what is queued before the run decides ties at equal times: keep it.)
    this.traffic = new Traffic(this, seed, this.history);
    this.traffic.schedule();
    this.outputs = new Outputs(this, this.faults, this.traffic);
    this.faults.schedule();
    this.push(livenessEvent(s.safetyUs));
    this.push(deadlineEvent(s.safetyUs + s.livenessUs));
    // A scenario naming a node that the host did not load must not silently run the core instead.
    if (s.node !== null && foreign === null)
      this.finish('crash', undefined, undefined, {
        invariant: 'exception',
        step: 0,
        time: 0,
        nodes: [],
        message: `${s.file}:${s.node.line}: the scenario runs the node ${s.node.path}, which this host did not load (liferaft run, explore, shrink, bench soundness and dap load it, and so does the VS Code extension)`,
      });
    const failed = this.nodes.find((n) => n.driver?.initError != null);
    if (failed !== undefined)
      this.finish('crash', undefined, undefined, { invariant: 'exception', step: 0, time: 0, nodes: [failed.id], message: failed.driver!.initError! });
  }

  get clients(): readonly Client[] {
    return this.traffic.clients;
  }

  /** Every fault that happened, random or scheduled (the shrinker turns random ones into a schedule). */
  get faultLog(): Faults['faultLog'] {
    return this.faults.faultLog;
  }

  get phase(): Liveness['phase'] {
    return this.liveness.phase;
  }

  /** Set once the cluster converged in the liveness phase (see Liveness). */
  get settled(): Liveness['settled'] {
    return this.liveness.settled;
  }

  unsettle(): void {
    this.liveness.unsettle();
  }

  currentLeader(): SimNode | null {
    return this.liveness.currentLeader();
  }

  checkConverged(): void {
    this.liveness.checkConverged();
  }

  resumeNode(n: SimNode): void {
    this.faults.resume(n);
  }

  restartNode(n: SimNode): void {
    this.faults.restart(n);
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
      if (!this.heap.items_().some((e) => e.seq === a.seq && e.kind === EventKind.Deliver)) return false;
      this.dropped.add(a.seq);
      return true;
    }
    this.push(faultEvent(this.time, a, -1));
    return true;
  }

  /** Events waiting in the queue, in no particular order (the debugger's network view). */
  get queued(): readonly SimEvent[] {
    return this.heap.items_();
  }

  /** Whether the message queued with this sequence number was dropped by hand (a fork). */
  isDropped(seq: number): boolean {
    return this.dropped.has(seq);
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

  push(e: SimEvent): void {
    e.cause = this.steps;
    this.heap.push(e);
  }

  /**
   * Time to a node's next tick. Split votes (nearly equal election timeouts) are a fault, lifted in
   * the liveness phase: timers jitter (each tick ½–1½ ticks long), or a node whose clock drifts
   * slow could never time out first, and without pre-vote the others would outvote it forever.
   */
  tickInterval(n: SimNode): number {
    if (this.liveness.phase !== 'liveness' || !this.swarm.splitVotes) return n.tickUs;
    return this.tickJitterRng.intIn(n.tickUs >> 1, n.tickUs + (n.tickUs >> 1));
  }

  /** Returns whether the event was a step (a stale event — a tick of a crashed node, say — is not). */
  private handle(e: SimEvent): boolean {
    const phase = this.liveness.phase;
    switch (e.kind) {
      case EventKind.Tick:
        return this.tick(e);
      case EventKind.Deliver:
      case EventKind.ClientRequest:
        return this.deliver(e);
      case EventKind.Sync:
        return this.sync(e);
      case EventKind.ClientReply:
        return this.traffic.onReply(e);
      case EventKind.ClientStart:
        return this.traffic.onStart(e);
      case EventKind.ClientTimeout:
        return this.traffic.onTimeout(e);
      case EventKind.Fault:
        // The end of a random fault (a restart, a heal, a resume) or a random crash that falls in the
        // liveness phase is moot: its start healed everything, and no random fault acts there. (It
        // would otherwise count as a fault and restart the settle window.)
        if (phase === 'liveness' && e.line === 0) return false;
        this.beginStep(e);
        this.faults.apply(e, e.action);
        return true;
      case EventKind.Recur:
        if (phase !== 'safety') return false;
        this.beginStep(e);
        this.faults.recur(e);
        return true;
      case EventKind.Liveness:
        this.beginStep(e);
        this.liveness.start(e);
        return true;
      case EventKind.Pct:
        return this.pctChange(e);
      case EventKind.Settled:
        return this.liveness.onSettled(e);
      case EventKind.Deadline:
        return this.liveness.onDeadline(e);
    }
  }

  private tick(e: TickEvent): boolean {
    const n = this.nodes[e.node]!;
    if (e.tickGen !== n.tickGen || n.status !== 'up') return false;
    this.beginStep(e);
    this.push(tickEvent(this.time + this.tickInterval(n), e.node, n.tickGen));
    this.nodeStep(n, TICK, e);
    return true;
  }

  private sync(e: SyncEvent): boolean {
    const n = this.nodes[e.node]!;
    if (e.inc !== n.inc) return false;
    this.beginStep(e);
    n.disk.sync(e.writeSeq);
    n.syncedSeq = Math.max(n.syncedSeq, e.writeSeq);
    this.record(e, n.index, this.trace.steps === null ? '' : `${n.id} disk sync (write ${e.writeSeq})`, null, 0);
    this.violation(this.checker.afterSync(n.index));
    if (n.status === 'up') this.releaseOutbox(n);
    return true;
  }

  /** A PCT change point: the node with the highest priority drops to the lowest. */
  private pctChange(e: PctEvent): boolean {
    if (this.liveness.phase !== 'safety') return false;
    this.beginStep(e);
    this.pctOrder.push(this.pctOrder.shift()!);
    this.applyPriorities();
    this.record(e, -1, this.trace.steps === null ? '' : `scheduler: priorities now ${this.pctOrder.map((i) => nodeName(i)).join(' > ')}`, null, 0);
    return true;
  }

  beginStep(e: SimEvent): void {
    this.lastEvent = e;
    this.lastAction = null;
    this.lastNode = e.node;
    this.steps++;
    this.checker.step = this.steps;
    this.checker.time = this.time;
  }

  /** Folds the step into the trace hash; in record mode also keeps it (text null: described from the event). */
  record(
    e: SimEvent,
    node: number,
    text: string | null,
    reasons: StepOutputs['reasons'] | null,
    extra: number,
    suffix = '',
    coverage: Uint32Array | null = null,
  ): void {
    this.trace.add(this.steps, this.time, node, e.kind, reasons, extra, coverage);
    this.lastNode = node;
    this.lastReasons = reasons ?? NO_REASONS;
    if (this.trace.steps !== null) {
      this.trace.steps.push({
        step: this.steps,
        time: this.time,
        node,
        kind: KIND_NAMES[e.kind]!,
        text: (text ?? describeEvent(e, this.nodes)) + suffix,
        reasons: reasons ?? [],
      });
    }
    if (this.options.record === true && this.steps % CHECKPOINT_EVERY === 0) this.trace.checkpoints.push({ step: this.steps, hash: this.stateHash() });
  }

  /** A message or client request arriving at a node. */
  private deliver(e: DeliverEvent | ClientRequestEvent): boolean {
    const n = this.nodes[e.node]!;
    if (n.status === 'paused') {
      n.held.push(e);
      return false;
    }
    this.beginStep(e);
    const isMsg = e.kind === EventKind.Deliver;
    const cutInFlight = isMsg && e.msg.from !== e.msg.to && this.network.isCut(this.nodeIndex(e.msg.from), e.node);
    const droppedByHand = this.dropped.size > 0 && this.dropped.delete(e.seq);
    if (n.status !== 'up' || cutInFlight || droppedByHand) {
      if (isMsg) this.stats.messagesLost++;
      const why = droppedByHand ? 'dropped by hand' : cutInFlight ? 'link cut' : `${n.id} is ${n.status}`;
      this.record(e, n.index, null, null, 1, this.trace.steps === null ? '' : ` (lost: ${why})`);
      return true;
    }
    if (isMsg) this.stats.messagesDelivered++;
    // (A request forwarded by a follower before the window counts as one reaching the leader in it.)
    const quiet = this.liveness.quiet;
    if (quiet !== null && (!isMsg || e.msg.type === 'ClientForward')) quiet.client = true;
    // The core keeps messages and requests, never the input wrapper: one reusable wrapper each.
    let input: Input;
    if (isMsg) {
      this.receiveInput.message = e.msg;
      input = this.receiveInput as Input;
    } else {
      this.requestInput.request = e.request;
      input = this.requestInput as Input;
    }
    this.nodeStep(n, input, e);
    return true;
  }

  /** A copy of an arrival a pause held back, to deliver now. */
  redeliver(h: DeliverEvent | ClientRequestEvent): SimEvent {
    return h.kind === EventKind.Deliver ? deliverEvent(this.time, h.node, h.msg) : clientRequestEvent(this.time, h.node, h.client, h.request);
  }

  /** "n3" → 2 (node names are n1…n9: one digit). */
  nodeIndex(id: string): number {
    return id.charCodeAt(1) - 49;
  }

  /** An operator's input to a node (a leadership transfer, a membership change), as the current step described by `text`. */
  operate(n: SimNode, input: Input, e: SimEvent, text: string): void {
    this.nodeStep(n, input, e, text);
  }

  /** Runs the core on one node and handles its outputs: disk, invariants, outbox (text null: the step described from its event). */
  private nodeStep(n: SimNode, input: Input, e: SimEvent, text: string | null = null): void {
    const s = n.state;
    const before = this.before;
    before.role = s.role;
    before.term = s.term;
    before.commit = s.commit;
    before.applied = s.applied;
    before.lastIndex = s.log.length;
    before.members = s.members;
    before.tick = input.type === 'tick';
    let out: StepOutputs;
    let write: ForeignStep['write'] = null;
    try {
      if (n.driver === null) out = coreStep(s, input).outputs;
      else {
        let rules: ForeignStep['rules'];
        ({ outputs: out, write, rules } = n.driver.step(s, input));
        for (const r of rules) this.coverage[userRuleCounter(r)]!++;
      }
    } catch (err) {
      this.record(e, n.index, null, null, 2);
      this.finish('crash', undefined, undefined, {
        invariant: err instanceof RaftAssertionError ? `assert:${err.invariant}` : 'exception',
        step: this.steps,
        time: this.time,
        nodes: [n.id],
        message: err instanceof Error ? err.message : String(err),
      });
      return;
    }
    // (The trace hash and the coverage counters look each reason code up once, together.)
    this.record(e, n.index, text, out.reasons, out.messages.length, '', this.coverage);
    if (s.role !== before.role) this.coverage[roleSignal(before.role, s.role)]!++;
    if (n.driver !== null) {
      if (write !== null) this.outputs.persist(n, write.persist, write.records);
    } else if (out.persist !== null) this.outputs.persist(n, out.persist);
    if (s.role === 'leader' && before.role !== 'leader') this.noteLeader(n);
    if (this.checkStep(n, input, out)) return;
    if (this.targetedCrashes && this.liveness.phase === 'safety') this.faults.afterStep(n, out.messages);
    if (out.messages.length === 0 && out.replies.length === 0) return;
    if (this.outputs.send(n, out)) return;
    this.liveness.checkConverged();
  }

  /** The invariants a node's step may break; true when the run failed. */
  private checkStep(n: SimNode, input: Input, out: StepOutputs): boolean {
    const heard = input.type === 'receive' ? input.message : null;
    if (this.violation(this.checker.afterStep(n.index, out, this.before) ?? this.checker.afterTimer(n.index, out, input.type === 'tick', heard))) return true;
    if (
      heard !== null &&
      (heard.type === 'AppendEntries' || (heard.type === 'AppendEntriesResp' && !heard.success)) &&
      this.violation(this.checker.afterAppendExchange(n.index, out, heard))
    )
      return true;
    if ((out.replies.length > 0 || out.messages.length > 0) && this.violation(this.checker.afterClientAnswers(n.index, out, heard))) return true;
    const settled = this.liveness.settled;
    return this.liveness.quiet !== null && settled !== null && n.index === settled.leader && this.liveness.watchQuiet(n, out, input.type === 'tick');
  }

  private noteLeader(n: SimNode): void {
    const key = `${n.id}/${n.state.term}`;
    if (key !== this.lastLeader) {
      this.lastLeader = key;
      this.stats.leaderChanges++;
    }
  }

  /** Sends what a node's synced writes held back. */
  releaseOutbox(n: SimNode): void {
    this.outputs.releaseOutbox(n);
  }

  /** Messages from lower-priority nodes are held back by one step per rank (PCT-style). */
  applyPriorities(): void {
    const step = this.swarm.pct?.stepUs ?? 0;
    this.pctOrder.forEach((node, rank) => {
      this.network.priorityDelayUs[node] = this.liveness.phase === 'safety' ? rank * step : 0;
    });
  }

  /** A violation ends the run (a liveness invariant's as a liveness failure); false if there was none. */
  violation(v: Violation | null): boolean {
    if (v === null) return false;
    this.finish(LIVENESS_INVARIANTS.has(v.invariant) ? 'liveness' : 'safety', v);
    return true;
  }

  finish(verdict: Verdict, v?: Violation, livenessMessage?: string, crash?: RunViolation): void {
    if (this.result !== null) return;
    this.stats.opsAbandoned = this.traffic.abandoned();
    this.result = runResult(
      {
        seed: this.seed,
        steps: this.steps,
        time: this.time,
        history: this.history,
        checkLinearizability: this.checkLinearizability,
        traceHash: this.trace.hash.hex(),
        coverage: signalsOf(this.coverage),
        stats: this.stats,
        swarm: this.swarm,
      },
      verdict,
      v,
      livenessMessage,
      crash,
    );
  }

  /** A hash of every node's state and of the event queue's size (checkpoints in trace files). */
  stateHash(): string {
    return this.nodesHash(this.heap.size);
  }

  /** A hash of every node's state: status, term, vote, role, commit, applied, log. */
  nodesHash(extra = 0): string {
    return nodesHash(this.nodes, extra);
  }
}

/** Why a scenario cannot run the user's node `label` yet, in words for the user (null: it can). */
export function foreignRefusal(s: Scenario, label: string): string | null {
  const problem = foreignProblem(s);
  return problem === null ? null : `${s.file}: ${problem}: not yet with a user's node (${label})`;
}

/** What a scenario asks that a user's node cannot do yet (null: nothing). */
function foreignProblem(s: Scenario): string | null {
  if (s.spares > 0) return '`spares` (membership changes)';
  if (
    s.schedule.some((f) => f.action.kind === 'add' || f.action.kind === 'remove' || f.action.kind === 'transfer') ||
    s.churn !== null ||
    s.transferLeader !== null
  )
    return 'membership changes and leadership transfers';
  return null;
}
