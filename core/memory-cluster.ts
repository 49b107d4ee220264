// An in-memory cluster of core nodes with a hand-driven network: the harness behind the core's
// transcripts, its property test and the CLI demo. Deterministic: nothing happens unless a caller
// asks for it, and messages are delivered in the order they were sent.
//
// It honours the core's contract: a step's Persist is applied to the node's "disk" before its
// messages enter the network. (The full simulator with faults lives in sim/.)
import { makeConfig, type RaftConfigInput } from './config';
import { describeEntry, describeEntryData, describeMembers, describeMessage, describeOp, describeReply, describeResult } from './describe';
import { applyPersist, durableFrom, emptyStored, type StoredState } from './durable';
import { lastIndex, lastTerm } from './log';
import { newNode, type NodeState } from './state';
import { step } from './step';
import { nodeId, type ClientReply, type ClientRequest, type DurableState, type Input, type Message, type NodeId, type StepOutputs } from './types';

export interface ClusterOptions {
  readonly size: number;
  /** Nodes outside the cluster (empty bootstrap configuration), waiting to be added; named after the members. */
  readonly spares?: number;
  /** Node settings; `seed` is the cluster's seed, from which each node's own seed is derived. */
  readonly config?: Omit<RaftConfigInput, 'id' | 'peers'>;
}

type Disk = StoredState;

export interface InFlight {
  readonly seq: number; // send order, for stable printing
  readonly message: Message;
}

export class MemoryCluster {
  readonly ids: readonly NodeId[];
  readonly nodes = new Map<NodeId, NodeState>();
  readonly disks = new Map<NodeId, Disk>();
  readonly crashed = new Set<NodeId>();
  /** Messages sent and not yet delivered or dropped, in send order. */
  inFlight: InFlight[] = [];
  /** Links "a→b" on which messages are dropped when sent. */
  readonly cut = new Set<string>();
  /** Every reply any node gave a client, in order. */
  readonly replies: { node: NodeId; reply: ClientReply }[] = [];
  /** Called after every step (property tests check invariants here). */
  onStep: ((id: NodeId, input: Input, out: StepOutputs) => void) | null = null;
  private sendSeq = 0;
  private quietTicks = 0;
  private lines: string[] = [];

  constructor(opts: ClusterOptions) {
    this.ids = Array.from({ length: opts.size + (opts.spares ?? 0) }, (_, i) => nodeId(`n${i + 1}`));
    const members = this.ids.slice(0, opts.size);
    this.ids.forEach((id, i) => {
      // Each node draws its own timeouts: its seed derives from the cluster seed and its position.
      const seed = (opts.config?.seed ?? 0) * 16 + i + 1;
      const config = makeConfig({ ...opts.config, seed, id, peers: i < opts.size ? members : [] });
      this.nodes.set(id, newNode(config));
      this.disks.set(id, emptyStored());
    });
  }

  node(id: NodeId): NodeState {
    const n = this.nodes.get(id);
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  }

  /** Runs one input on one node and routes its outputs. Returns the outputs. */
  stepNode(id: NodeId, input: Input, header: string): StepOutputs {
    if (this.crashed.has(id)) throw new Error(`${id} is crashed`);
    const { outputs } = step(this.node(id), input);
    this.applyPersist(id, outputs);
    this.onStep?.(id, input, outputs);
    if (isQuiet(outputs)) {
      this.quietTicks++;
      return outputs;
    }
    this.flushQuiet();
    const lines = [header, `  ${outputs.reasons.join(' ')}`];
    const p = outputs.persist;
    if (p?.hardState) lines.push(`  persist term=${p.hardState.term} vote=${p.hardState.vote ?? '∅'}`);
    if (p?.compact)
      lines.push(
        `  persist snapshot at ${p.compact.snapshot.index}/t${p.compact.snapshot.term} (${p.compact.snapshot.data.map(([k, v]) => `${k}=${v}`).join(' ') || 'empty'}), log from ${p.compact.logStart.index + 1}`,
      );
    if (p?.log) lines.push(`  persist log from ${p.log.from}: ${p.log.entries.map(describeEntry).join(', ') || '(truncate)'}`);
    for (const a of outputs.applied) {
      lines.push(
        `  apply ${a.index}@t${a.term} ${describeEntryData(a.data)}${a.effect === 'noop' ? '' : ` = ${a.effect === 'applied' ? '' : `${a.effect} `}${a.result === null ? '' : describeResult(a.result)}`.trimEnd()}`,
      );
    }
    const local: Message[] = [];
    for (const m of outputs.messages) {
      if (m.to === id) local.push(m);
      else lines.push(`  → ${m.to} ${describeMessage(m, { entries: true })}${this.send(m)}`);
    }
    for (const r of outputs.replies) {
      this.replies.push({ node: id, reply: r });
      lines.push(`  reply ${describeReply(r)}`);
    }
    this.lines.push(...lines);
    // A message to itself (the leader's self-ack) is a local delivery, after the persist above:
    // it never goes through the network, so it can be neither lost nor reordered.
    for (const m of local) this.stepNode(id, { type: 'receive', message: m }, `${id} ← ${id} ${describeMessage(m)} (local)`);
    return outputs;
  }

  tick(id: NodeId): StepOutputs {
    return this.stepNode(id, { type: 'tick' }, `${id} tick`);
  }

  request(id: NodeId, request: ClientRequest): StepOutputs {
    return this.stepNode(id, { type: 'clientRequest', request }, `${id} ⇐ ${request.client}#${request.seq} ${describeOp(request.op)}`);
  }

  /** Delivers one in-flight message (by position); a message to a crashed node is lost. */
  deliverAt(pos: number): void {
    const [f] = this.inFlight.splice(pos, 1);
    if (f === undefined) throw new Error(`no in-flight message at ${pos}`);
    const m = f.message;
    if (this.crashed.has(m.to)) {
      this.lines.push(`${m.to} ← ${m.from} ${describeMessage(m)} (lost: ${m.to} is down)`);
      return;
    }
    this.stepNode(m.to, { type: 'receive', message: m }, `${m.to} ← ${m.from} ${describeMessage(m, { entries: true })}`);
  }

  /** The network delivers a copy of an in-flight message (the original stays in flight). */
  duplicateAt(pos: number): void {
    const f = this.inFlight[pos];
    if (f === undefined) throw new Error(`no in-flight message at ${pos}`);
    this.inFlight.push({ seq: this.sendSeq++, message: f.message });
  }

  /** Delivers the messages now in flight to the given nodes (all nodes when empty), in send order. */
  deliver(to: readonly NodeId[] = []): number {
    const batch = this.inFlight.filter((f) => to.length === 0 || to.includes(f.message.to)).map((f) => f.seq);
    for (const seq of batch) {
      const pos = this.inFlight.findIndex((f) => f.seq === seq);
      if (pos >= 0) this.deliverAt(pos);
    }
    return batch.length;
  }

  /** Delivers messages until none are left in flight (bounded, so a message storm fails loudly). */
  stabilize(to: readonly NodeId[] = [], maxRounds = 1000): void {
    for (let round = 0; round < maxRounds; round++) {
      if (this.deliver(to) === 0) return;
    }
    throw new Error(`stabilize: messages still in flight after ${maxRounds} rounds`);
  }

  /** Drops in-flight messages matching from/to (either may be null for "any"); returns them. */
  drop(from: NodeId | null, to: NodeId | null): InFlight[] {
    const dropped = this.inFlight.filter((f) => (from === null || f.message.from === from) && (to === null || f.message.to === to));
    this.inFlight = this.inFlight.filter((f) => !dropped.includes(f));
    for (const f of dropped) this.lines.push(`dropped ${f.message.from}→${f.message.to} ${describeMessage(f.message)}`);
    return dropped;
  }

  /** Cuts every link between the groups (a node in no group keeps its links). */
  partition(groups: readonly (readonly NodeId[])[]): void {
    this.cut.clear();
    for (const a of groups)
      for (const b of groups) {
        if (a === b) continue;
        for (const x of a) for (const y of b) this.cut.add(`${x}→${y}`);
      }
  }

  heal(): void {
    this.cut.clear();
  }

  crash(id: NodeId): void {
    this.crashed.add(id);
    this.lines.push(`${id} crashed (disk: term ${this.disks.get(id)!.term}, ${this.disks.get(id)!.log.length} entries)`);
  }

  restart(id: NodeId): StepOutputs {
    this.crashed.delete(id);
    const disk = this.disks.get(id)!;
    const durable: DurableState = durableFrom(disk);
    const snap = disk.snapshot === null ? '' : `, snapshot at ${disk.snapshot.index}`;
    return this.stepNode(id, { type: 'restart', durable }, `${id} restart (term ${disk.term}, vote ${disk.vote ?? '∅'}, ${disk.log.length} entries${snap})`);
  }

  /** Lines printed since the last call (the transcript of what happened). */
  takeLines(): string[] {
    this.flushQuiet();
    const l = this.lines;
    this.lines = [];
    return l;
  }

  leaders(): NodeId[] {
    return this.ids.filter((id) => !this.crashed.has(id) && this.node(id).role === 'leader');
  }

  statusLine(id: NodeId): string {
    const n = this.node(id);
    const role = this.crashed.has(id) ? 'down' : n.role;
    return `${id}: ${role} term=${n.term} vote=${n.vote ?? '∅'} leader=${n.leader ?? '∅'} commit=${n.commit} applied=${n.applied} last=${lastIndex(n)}/t${lastTerm(n)}${n.logStart.index > 0 ? ` start=${n.logStart.index}` : ''}${
      n.configIndex > 0 || n.config.peers.length === 0 ? ` config=${describeMembers(n.members)}@${n.configIndex}` : ''
    }`;
  }

  private flushQuiet(): void {
    if (this.quietTicks > 0) this.lines.push(`(${this.quietTicks} quiet ${this.quietTicks === 1 ? 'tick' : 'ticks'})`);
    this.quietTicks = 0;
  }

  private applyPersist(id: NodeId, out: StepOutputs): void {
    const p = out.persist;
    if (p === null) return;
    applyPersist(this.disks.get(id)!, p);
  }

  private send(m: Message): string {
    if (this.cut.has(`${m.from}→${m.to}`)) return ' (dropped: partition)';
    if (this.crashed.has(m.to)) return ` (dropped: ${m.to} is down)`;
    this.inFlight.push({ seq: this.sendSeq++, message: m });
    return '';
  }
}

/** A tick that fired no rule and produced nothing (printed as a count, not step by step). */
function isQuiet(out: StepOutputs): boolean {
  return out.reasons.length === 1 && out.reasons[0] === 'tick' && out.messages.length === 0 && out.persist === null;
}
