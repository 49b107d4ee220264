// Client traffic inside the simulation: the workload's clients (workload.ts) start operations, send
// requests over the client network (with its own latency stream), time out and retry, and take the
// nodes' answers — every invocation and answer going into the history checked for linearizability.
import { describeOp, describeReply, type ClientReply } from '../core';
import {
  clientReplyEvent,
  clientRequestEvent,
  clientStartEvent,
  clientTimeoutEvent,
  type ClientReplyEvent,
  type ClientStartEvent,
  type ClientTimeoutEvent,
} from './events';
import { Rng } from './rng';
import { nodeName } from './scenario';
import type { SimNode } from './sim-node';
import type { SimHost } from './host';
import { Client, type ClientAction, type HistoryOp } from './workload';

export class Traffic {
  readonly clients: Client[];
  private readonly clientIndex = new Map<string, number>();
  private readonly clientNetRng: Rng;

  constructor(
    private readonly sim: SimHost,
    seed: number,
    history: HistoryOp[],
  ) {
    const s = sim.scenario;
    this.clientNetRng = Rng.stream(seed, 'client-network');
    this.clients = Array.from({ length: s.workload.clients }, (_, c) => new Client(c, s.workload, sim.nodes.length, Rng.stream(seed, `client/${c}`), history));
    this.clients.forEach((c) => this.clientIndex.set(c.id, c.index));
  }

  /** Every client's first operation, before the run. */
  schedule(): void {
    for (const c of this.clients) this.sim.push(clientStartEvent(c.index, c.index));
  }

  /** A client starts its next operation (not a step in the liveness phase, or while it is busy). */
  onStart(e: ClientStartEvent): boolean {
    const { sim } = this;
    const c = this.clients[e.client]!;
    if (sim.phase !== 'safety' || c.busy) return false;
    sim.beginStep(e);
    sim.stats.opsStarted++;
    const a = c.start(sim.time);
    if (sim.trace.steps !== null) sim.record(e, -1, `${c.id} starts ${describeOp(c.current!.request.op)}`, null, 0);
    else sim.record(e, -1, '', null, 0);
    this.act(c, a);
    return true;
  }

  /** A client's attempt times out (not a step if the client has moved on). */
  onTimeout(e: ClientTimeoutEvent): boolean {
    const { sim } = this;
    const c = this.clients[e.client]!;
    const cur = c.current;
    if (cur === null || cur.attemptId !== e.attempt) return false;
    sim.beginStep(e);
    sim.record(e, -1, sim.trace.steps === null ? '' : `${c.id} times out on ${cur.request.client}#${cur.request.seq} (attempt ${cur.attempts})`, null, 0);
    const a = c.onTimeout(e.attempt, sim.phase === 'liveness');
    if (a !== null) this.act(c, a);
    return true;
  }

  /** A node's answer reaches its client. */
  onReply(e: ClientReplyEvent): boolean {
    const { sim } = this;
    const c = this.clients[e.client]!;
    const r = e.reply;
    sim.beginStep(e);
    sim.record(e, -1, sim.trace.steps === null ? '' : `${c.id} ⇐ ${nodeName(e.node)} ${describeReply(r)}`, null, 0);
    const write = c.current !== null && c.current.request.seq === r.seq && c.current.request.op.type !== 'get';
    const a = c.onReply(sim.time, e.node, r.seq, r.outcome, sim.phase === 'liveness');
    if (a === null) return true;
    if (r.outcome.status === 'ok') {
      sim.stats.opsCompleted++;
      if (write && sim.violation(sim.checker.onWriteAcknowledged(r.client, r.seq, nodeName(e.node)))) return true;
    }
    this.act(c, a);
    sim.checkConverged();
    return true;
  }

  /** A node's answer leaves for its client over the client network. */
  send(n: SimNode, r: ClientReply): void {
    const c = this.clientIndex.get(r.client)!;
    this.sim.push(clientReplyEvent(this.sim.time + this.latency(), n.index, c, r));
  }

  /** Operations that never got an answer (counted when the run ends). */
  abandoned(): number {
    return this.sim.history.filter((h) => h.return === null).length;
  }

  private act(c: Client, a: ClientAction): void {
    const { sim } = this;
    switch (a.kind) {
      case 'send': {
        const at = sim.time + a.delayUs + this.latency();
        sim.push(clientRequestEvent(at, a.node, c.index, a.request));
        sim.push(clientTimeoutEvent(sim.time + a.delayUs + sim.scenario.workload.timeoutUs, c.index, a.attemptId));
        break;
      }
      case 'think':
        sim.push(clientStartEvent(sim.time + a.delayUs, c.index));
        break;
      case 'idle':
        break;
    }
  }

  private latency(): number {
    const l = this.sim.scenario.latency;
    return l.kind === 'uniform' ? this.clientNetRng.intIn(l.minUs, l.maxUs) : Math.min(this.clientNetRng.expInt(l.meanUs), l.capUs);
  }
}
