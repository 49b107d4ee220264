// A node inside the simulation: the core's state plus what the simulator keeps around it — its
// disk, the outputs waiting for their writes to be durable (outbox), the events a pause holds back,
// and the counters that make stale events (ticks, syncs of an earlier incarnation) recognisable.
import { describeMessage, describeOp, type ClientReply, type Message, type NodeId, type NodeState } from '../core';
import type { Disk } from './disk';
import { Hash64 } from './hash';
import { EventKind, KIND_NAMES, type ClientRequestEvent, type DeliverEvent, type SimEvent } from './events';
import { foreignOf, isForeign, type ForeignDriver } from './foreign-node';
import type { CheckedNode, NodeStatus } from './invariants';

/** A step's messages and replies, held until every write up to `seq` is durable. */
export interface Outbox {
  readonly seq: number;
  readonly messages: readonly Message[];
  readonly replies: readonly ClientReply[];
}

export class SimNode implements CheckedNode {
  status: NodeStatus = 'up';
  /** Incarnation: grows at each crash (a sync of an earlier one is stale). */
  inc = 0;
  /** Grows whenever the node's clock stops or restarts (a tick of an earlier generation is stale). */
  tickGen = 0;
  lastWriteSeq = 0;
  syncedSeq = 0;
  syncBusyUntil = 0;
  outbox: Outbox[] = [];
  /** Arrivals while paused, delivered on resume. */
  held: (DeliverEvent | ClientRequestEvent)[] = [];
  deadReason: string | null = null;
  corrupted = false;
  /** Steps that sent entries as leader in term sentTerm (crash-after-append strikes only in the first few). */
  appendSteps = 0;
  sentTerm = 0;
  readonly tickText: string;
  /** A user's node (node-api.ts) behind `state`, which is then its view; null: the core. */
  driver: ForeignDriver | null = null;
  constructor(
    readonly index: number,
    readonly id: NodeId,
    readonly state: NodeState,
    readonly disk: Disk,
    readonly tickUs: number,
  ) {
    this.tickText = `${id} tick`;
  }
}

/** A hash of every node's state: status, term, vote, role, commit, applied, log (and `extra`). */
export function nodesHash(nodes: readonly SimNode[], extra: number): string {
  const h = new Hash64();
  for (const n of nodes) {
    const s = n.state;
    h.addString(n.status)
      .add(s.term)
      .addString(s.vote ?? '')
      .addString(s.role)
      .add(s.commit)
      .add(s.applied)
      .add(s.log.length);
    const last = s.log[s.log.length - 1];
    if (last !== undefined) h.add(last.term);
  }
  h.add(extra);
  return h.hex();
}

/** A step's event in words, for the trace (when the step gives no text of its own). */
export function describeEvent(e: SimEvent, nodes: readonly SimNode[]): string {
  switch (e.kind) {
    case EventKind.Tick:
      return nodes[e.node]!.tickText;
    case EventKind.Deliver:
      return `${nodes[e.node]!.id} ← ${e.msg.from} ${isForeign(e.msg) ? foreignOf(e.msg).text : describeMessage(e.msg)}`;
    case EventKind.ClientRequest:
      return `${nodes[e.node]!.id} ⇐ ${e.request.client}#${e.request.seq} ${describeOp(e.request.op)}`;
    default:
      return KIND_NAMES[e.kind]!;
  }
}
