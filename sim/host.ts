// What the simulator's parts (faults.ts, traffic.ts, liveness.ts, outputs.ts) may use of the simulation they
// run in. The Simulation implements it; the parts never import simulation.ts (no import cycle), and
// one part reaches another only through the few calls listed at the end.
import type { ReasonCode, Input } from '../core';
import type { DeliverEvent, ClientRequestEvent, SimEvent } from './events';
import type { InvariantChecker, Violation } from './invariants';
import type { Network } from './network';
import type { Rng } from './rng';
import type { FaultAction, Scenario } from './scenario';
import type { SimNode } from './sim-node';
import type { SwarmDraw } from './swarm';
import type { TraceRecorder } from './trace';
import type { RunStats, RunViolation, Verdict } from './verdict';
import type { Client, HistoryOp } from './workload';

export interface SimHost {
  readonly scenario: Scenario;
  readonly swarm: SwarmDraw;
  readonly nodes: readonly SimNode[];
  readonly network: Network;
  readonly checker: InvariantChecker;
  readonly trace: TraceRecorder;
  readonly stats: RunStats;
  /** Coverage counters (coverage.ts). */
  readonly coverage: Uint32Array;
  /** Sync latencies and what a crash does to unsynced writes. */
  readonly diskRng: Rng;
  readonly history: HistoryOp[];
  readonly clients: readonly Client[];
  /** Virtual time, µs. */
  readonly time: number;
  readonly steps: number;
  /** Whether the run has its result. */
  readonly done: boolean;
  readonly queued: readonly SimEvent[];
  /** The fault the latest step applied. */
  lastAction: FaultAction | null;

  /** Queues an event (its causal parent: the current step). */
  push(e: SimEvent): void;
  /** The event counts as a step: number it, make it the latest. */
  beginStep(e: SimEvent): void;
  /** Folds the step into the trace hash (and, recording, keeps its text). */
  record(e: SimEvent, node: number, text: string | null, reasons: null, extra: number): void;
  /** A violation ends the run; false if there was none. */
  violation(v: Violation | null): boolean;
  finish(verdict: Verdict, v?: Violation, livenessMessage?: string, crash?: RunViolation): void;
  tickInterval(n: SimNode): number;
  /** Sends what a node's synced writes held back. */
  releaseOutbox(n: SimNode): void;
  /** Runs an operator's input on a node (a leadership transfer, a membership change) as the current step, outputs and checks included. */
  operate(n: SimNode, input: Input, e: SimEvent, text: string): void;
  /** The reason codes of the step just taken. */
  readonly lastReasons: readonly ReasonCode[];
  /** Applies the PCT priorities of the current phase to the network. */
  applyPriorities(): void;
  /** "n3" → 2. */
  nodeIndex(id: string): number;
  /** A copy of an arrival a pause held back, to deliver now. */
  redeliver(h: DeliverEvent | ClientRequestEvent): SimEvent;
  /** Whether the message queued with this sequence number was dropped by hand (a fork). */
  isDropped(seq: number): boolean;

  // One part to another.
  /** Liveness: the phase under way. */
  readonly phase: 'safety' | 'liveness';
  /** Liveness: a fault reopens the wait for convergence. */
  unsettle(): void;
  /** Liveness: the running leader of the highest term. */
  currentLeader(): SimNode | null;
  /** Liveness: after a step that may have completed convergence. */
  checkConverged(): void;
  /** Faults: the liveness phase ends a pause or a crash. */
  resumeNode(n: SimNode): void;
  restartNode(n: SimNode): void;
}
