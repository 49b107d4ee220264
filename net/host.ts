// One Raft node hosted for real: the same core as the simulator, driven by a real clock, with its
// state in a write-ahead log and its messages on a transport. The core's contract is kept: a step's
// Persist is appended and fsynced before that step's messages and client replies leave.
// Messages a node sends itself (a leader's self-acknowledgement) are delivered on the next turn of
// the event loop, never recursively.
import { makeConfig, newNode, nodeId, step, type ClientReply, type ClientRequest, type Input, type Message, type NodeId, type NodeState } from '../core';
import { Wal, type Recovery } from './wal';

export interface Transport {
  send(to: NodeId, m: Message): void;
}

export interface HostOptions {
  readonly id: string;
  readonly peers: readonly string[];
  readonly dataDir: string;
  readonly transport: Transport;
  /** Answers to client requests this node received. */
  readonly onReply: (r: ClientReply) => void;
  /** Real milliseconds per core tick (election timeouts are counted in ticks). */
  readonly tickMs?: number;
  readonly seed?: number;
}

export class NodeHost {
  readonly id: NodeId;
  readonly state: NodeState;
  readonly recovery: Recovery;
  private readonly wal: Wal;
  private timer: ReturnType<typeof setInterval> | null = null;
  private stopped = false;

  constructor(private readonly o: HostOptions) {
    this.id = nodeId(o.id);
    const config = makeConfig({ id: this.id, peers: o.peers.map((p) => nodeId(p)), seed: o.seed ?? hashSeed(o.id) });
    this.state = newNode(config);
    const { wal, recovery } = Wal.open(o.dataDir);
    this.wal = wal;
    this.recovery = recovery;
    if (recovery.records > 0) step(this.state, { type: 'restart', durable: recovery.durable });
  }

  start(): void {
    this.timer = setInterval(() => this.input({ type: 'tick' }), this.o.tickMs ?? 50);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.wal.close();
  }

  receive(m: Message): void {
    this.input({ type: 'receive', message: m });
  }

  request(r: ClientRequest): void {
    this.input({ type: 'clientRequest', request: r });
  }

  private input(input: Input): void {
    if (this.stopped) return;
    const out = step(this.state, input).outputs;
    if (out.persist !== null) {
      this.wal.append(out.persist);
      this.wal.sync();
    }
    for (const m of out.messages) {
      if (m.to === this.id) setImmediate(() => this.receive(m));
      else this.o.transport.send(m.to, m);
    }
    for (const r of out.replies) this.o.onReply(r);
  }
}

/** A node's seed for its election timeouts, from its name (different nodes draw differently). */
function hashSeed(id: string): number {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return h >>> 0;
}
