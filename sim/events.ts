// The simulator's events: what can happen at an instant of virtual time. Each kind has its own
// fields (a discriminated union on `kind`), and every event is made by one constructor below, so all
// of them share one object shape: the event queue compares thousands of them per simulated second,
// and one shape keeps those reads fast.
import type { ClientReply, ClientRequest, Message } from '../core';
import type { Timed } from './heap';
import type { FaultAction } from './scenario';

/**
 * Every kind of event, by its number. The number is part of the trace hash: append new kinds,
 * never renumber. (An object literal, so the engine folds `EventKind.Tick` to a constant in the
 * event loop's hot paths.)
 */
export const EventKind = {
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
export type EventKind = (typeof EventKind)[keyof typeof EventKind];

/**
 * Each kind's name in traces and function breakpoints; the compiler holds it to one per kind. (A
 * recurring fault is named `fault` like a scheduled one: to a reader both are faults.)
 */
const NAMES: { readonly [K in keyof typeof EventKind]: string } = {
  Tick: 'tick',
  Deliver: 'deliver',
  Sync: 'sync',
  ClientRequest: 'client-request',
  ClientReply: 'client-reply',
  ClientStart: 'client-start',
  ClientTimeout: 'client-timeout',
  Fault: 'fault',
  Recur: 'fault',
  Liveness: 'liveness',
  Deadline: 'deadline',
  Pct: 'scheduler',
  Settled: 'settled',
};

/** Each kind's name, by number. */
export const KIND_NAMES: readonly string[] = (() => {
  const names: string[] = [];
  for (const [k, i] of Object.entries(EventKind)) names[i] = NAMES[k as keyof typeof EventKind];
  return names;
})();

interface Base extends Timed {
  /** The node concerned (-1: none). */
  readonly node: number;
  /** The step during which this event was scheduled (0: before the run): its causal parent. */
  cause: number;
  /**
   * 1-based scenario line of the statement that made this event happen, for the debugger (0: none):
   * an `at` fault's line; a recurring fault's (`crash every=…`: each occurrence); the crash that
   * `crash-after-append` or `crash-after-vote` causes; a `scheduler pct` change point. The ends of
   * faults (restart, heal, resume) have none: their cause is the step that began the fault.
   * Never part of the trace hash.
   */
  readonly src: number;
}

/** A node's clock ticks; stale once the node crashed, paused or restarted since (`tickGen`). */
export interface TickEvent extends Base {
  readonly kind: typeof EventKind.Tick;
  readonly tickGen: number;
}
/** A message arrives at `node`. */
export interface DeliverEvent extends Base {
  readonly kind: typeof EventKind.Deliver;
  readonly msg: Message;
}
/** A node's disk finished writing up to write `writeSeq`; stale after a crash (`inc`: incarnation). */
export interface SyncEvent extends Base {
  readonly kind: typeof EventKind.Sync;
  readonly inc: number;
  readonly writeSeq: number;
}
/** A client's request arrives at `node`. */
export interface ClientRequestEvent extends Base {
  readonly kind: typeof EventKind.ClientRequest;
  readonly client: number;
  readonly request: ClientRequest;
}
/** A node's answer reaches a client (`node`: who answered). */
export interface ClientReplyEvent extends Base {
  readonly kind: typeof EventKind.ClientReply;
  readonly client: number;
  readonly reply: ClientReply;
}
/** A client starts its next operation. */
export interface ClientStartEvent extends Base {
  readonly kind: typeof EventKind.ClientStart;
  readonly client: number;
}
/** A client's attempt times out; stale once the client moved on (`attempt`). */
export interface ClientTimeoutEvent extends Base {
  readonly kind: typeof EventKind.ClientTimeout;
  readonly client: number;
  readonly attempt: number;
}
/** A fault happens: scheduled by the scenario, the end of an earlier fault, or a fork in the debugger. */
export interface FaultEvent extends Base {
  readonly kind: typeof EventKind.Fault;
  readonly action: FaultAction;
  /** 1-based scenario line of a scheduled fault (0 when random, -1 for a fork). */
  readonly line: number;
}
/** A recurring fault of the scenario fires (`recur`: which, an index into RECUR). */
export interface RecurEvent extends Base {
  readonly kind: typeof EventKind.Recur;
  readonly recur: number;
}
/** The safety phase ends: heal everything, stop faults, finish pending operations. */
export interface LivenessEvent extends Base {
  readonly kind: typeof EventKind.Liveness;
}
/** The liveness phase's deadline. */
export interface DeadlineEvent extends Base {
  readonly kind: typeof EventKind.Deadline;
}
/** A PCT change point of the scheduler (`depth`: which of them). */
export interface PctEvent extends Base {
  readonly kind: typeof EventKind.Pct;
  readonly depth: number;
}
/** The settle window after convergence ends; stale if a fault reopened it (`settleGen`). */
export interface SettledEvent extends Base {
  readonly kind: typeof EventKind.Settled;
  readonly settleGen: number;
}

export type SimEvent =
  | TickEvent
  | DeliverEvent
  | SyncEvent
  | ClientRequestEvent
  | ClientReplyEvent
  | ClientStartEvent
  | ClientTimeoutEvent
  | FaultEvent
  | RecurEvent
  | LivenessEvent
  | DeadlineEvent
  | PctEvent
  | SettledEvent;

/** The one shape of every event (each kind reads its own fields). */
interface Slots {
  time: number;
  seq: number;
  kind: number;
  node: number;
  cause: number;
  src: number;
  tickGen: number;
  inc: number;
  writeSeq: number;
  msg: Message | null;
  client: number;
  request: ClientRequest | null;
  reply: ClientReply | null;
  attempt: number;
  action: FaultAction | null;
  line: number;
  recur: number;
  depth: number;
  settleGen: number;
}

function make(time: number, kind: number, node: number, src: number): Slots {
  return {
    time,
    seq: 0,
    kind,
    node,
    cause: 0,
    src,
    tickGen: 0,
    inc: 0,
    writeSeq: 0,
    msg: null,
    client: -1,
    request: null,
    reply: null,
    attempt: 0,
    action: null,
    line: 0,
    recur: 0,
    depth: 0,
    settleGen: 0,
  };
}

export function tickEvent(time: number, node: number, tickGen: number): TickEvent {
  const e = make(time, EventKind.Tick, node, 0);
  e.tickGen = tickGen;
  return e as TickEvent;
}

export function deliverEvent(time: number, node: number, msg: Message): DeliverEvent {
  const e = make(time, EventKind.Deliver, node, 0);
  e.msg = msg;
  return e as DeliverEvent;
}

export function syncEvent(time: number, node: number, inc: number, writeSeq: number): SyncEvent {
  const e = make(time, EventKind.Sync, node, 0);
  e.inc = inc;
  e.writeSeq = writeSeq;
  return e as SyncEvent;
}

export function clientRequestEvent(time: number, node: number, client: number, request: ClientRequest): ClientRequestEvent {
  const e = make(time, EventKind.ClientRequest, node, 0);
  e.client = client;
  e.request = request;
  return e as ClientRequestEvent;
}

export function clientReplyEvent(time: number, node: number, client: number, reply: ClientReply): ClientReplyEvent {
  const e = make(time, EventKind.ClientReply, node, 0);
  e.client = client;
  e.reply = reply;
  return e as ClientReplyEvent;
}

export function clientStartEvent(time: number, client: number): ClientStartEvent {
  const e = make(time, EventKind.ClientStart, -1, 0);
  e.client = client;
  return e as ClientStartEvent;
}

export function clientTimeoutEvent(time: number, client: number, attempt: number): ClientTimeoutEvent {
  const e = make(time, EventKind.ClientTimeout, -1, 0);
  e.client = client;
  e.attempt = attempt;
  return e as ClientTimeoutEvent;
}

export function faultEvent(time: number, action: FaultAction, line = 0, src = 0): FaultEvent {
  const e = make(time, EventKind.Fault, -1, src);
  e.action = action;
  e.line = line;
  return e as FaultEvent;
}

export function recurEvent(time: number, recur: number, src: number): RecurEvent {
  const e = make(time, EventKind.Recur, -1, src);
  e.recur = recur;
  return e as RecurEvent;
}

export function livenessEvent(time: number): LivenessEvent {
  return make(time, EventKind.Liveness, -1, 0) as LivenessEvent;
}

export function deadlineEvent(time: number): DeadlineEvent {
  return make(time, EventKind.Deadline, -1, 0) as DeadlineEvent;
}

export function pctEvent(time: number, depth: number, src: number): PctEvent {
  const e = make(time, EventKind.Pct, -1, src);
  e.depth = depth;
  return e as PctEvent;
}

export function settledEvent(time: number, settleGen: number): SettledEvent {
  const e = make(time, EventKind.Settled, -1, 0);
  e.settleGen = settleGen;
  return e as SettledEvent;
}
