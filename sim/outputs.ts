// What a node's step leaves to do, after the invariants judged it: its writes go to its disk (synced
// now, or after a latency, one write at a time), and its messages and client replies wait in its
// outbox until the writes they depend on are durable (the core's Persist contract; with early
// appends a leader's appends leave at once). Leaving, each message is checked as a peer would check
// it, judged by the checker, and routed through the network (lost, duplicated, delayed); each reply
// goes to its client.
import { mayLeaveBeforePersist, messageProblem, replyProblem, type ClientReply, type Message, type StepOutputs } from '../core';
import { deliverEvent, syncEvent } from './events';
import type { Faults } from './faults';
import { isForeign, type RecordDisk } from './foreign-node';
import type { SimHost } from './host';
import type { SimNode } from './sim-node';
import type { Traffic } from './traffic';

export class Outputs {
  /** Delivery times of the message being sent: original, duplicate, late copy. */
  private readonly routeBuf = new Float64Array(3);
  private readonly syncImmediate: boolean;

  constructor(
    private readonly sim: SimHost,
    private readonly faults: Faults,
    private readonly traffic: Traffic,
  ) {
    this.syncImmediate = sim.scenario.syncUs.max === 0;
  }

  /** A step's writes go to the node's disk, synced now or after a latency (one write at a time). */
  persist(n: SimNode, p: NonNullable<StepOutputs['persist']>, records?: readonly unknown[]): void {
    // (A user's node writes its own records, with the change of its view they stand for.)
    const seq = records === undefined ? n.disk.write(p) : (n.disk as RecordDisk).writeRecords(p, records);
    n.lastWriteSeq = seq;
    if (this.syncImmediate) {
      n.disk.sync(seq);
      n.syncedSeq = seq;
    } else {
      const sim = this.sim;
      const { min, max } = sim.scenario.syncUs;
      const at = Math.max(sim.time, n.syncBusyUntil) + sim.diskRng.intIn(min, max);
      n.syncBusyUntil = at;
      sim.push(syncEvent(at, n.index, n.inc, seq));
    }
  }

  /**
   * The messages and replies of a step: sent now if its writes are durable, else held until they
   * are. True when sending a leader's early appends ended the run.
   */
  send(n: SimNode, out: StepOutputs): boolean {
    let held = out.messages;
    if (this.sim.swarm.earlyAppends && n.lastWriteSeq > n.syncedSeq && n.state.role === 'leader' && held.some(mayLeaveBeforePersist)) {
      // The Persist contract's allowance: a leader's appends leave now; the rest waits for the sync.
      this.release(n, held.filter(mayLeaveBeforePersist), []);
      if (this.sim.done) return true;
      held = held.filter((m) => !mayLeaveBeforePersist(m));
    }
    if (n.lastWriteSeq > n.syncedSeq) n.outbox.push({ seq: n.lastWriteSeq, messages: held, replies: out.replies });
    else this.release(n, held, out.replies);
    return false;
  }

  /** The node's disk synced: what its synced writes held back leaves, in order. */
  releaseOutbox(n: SimNode): void {
    let k = 0;
    while (k < n.outbox.length && n.outbox[k]!.seq <= n.syncedSeq) {
      const o = n.outbox[k++]!;
      this.release(n, o.messages, o.replies);
      if (this.sim.done) return;
    }
    if (k > 0) n.outbox.splice(0, k);
  }

  /** The writes these outputs depend on are durable: send the messages and answer the clients. */
  private release(n: SimNode, messages: readonly Message[], replies: readonly ClientReply[]): void {
    const sim = this.sim;
    // (Indexed loops: `messages` is sometimes the core's shared empty list, and for-of over lists of
    // two shapes allocates an iterator result per element.)
    const buf = this.routeBuf;
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      // A peer would drop a malformed message (net/ checks every frame by the same rules): a core bug.
      const problem = isForeign(m) ? null : messageProblem(m);
      if (problem !== null) return this.malformed(n, `sent a malformed message (${problem})`, m);
      if (sim.violation(sim.checker.onSend(n.index, m, n.state.term))) return;
      const to = sim.nodeIndex(m.to);
      let copies = sim.network.deliveries(n.index, to, sim.time, buf);
      if (m.from !== m.to) {
        sim.stats.messagesSent++;
        if (sim.swarm.delay !== null) copies = this.faults.delay(m, copies, buf);
      }
      for (let k = 0; k < copies; k++) sim.push(deliverEvent(buf[k]!, to, m));
    }
    for (let i = 0; i < replies.length; i++) {
      const r = replies[i]!;
      const problem = replyProblem(r);
      if (problem !== null) return this.malformed(n, `answered a client with a malformed reply (${problem})`, r);
      this.traffic.send(n, r);
    }
  }

  /** The core produced output no receiver would accept: the run fails as a crash of that node's code. */
  private malformed(n: SimNode, what: string, value: unknown): void {
    this.sim.finish('crash', undefined, undefined, {
      invariant: 'malformed-output',
      step: this.sim.steps,
      time: this.sim.time,
      nodes: [n.id],
      message: `${n.id} ${what}: ${JSON.stringify(value)}`,
    });
  }
}
