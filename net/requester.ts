// Client requests submitted to a hosted node on behalf of outside clients (HTTP, Maelstrom), with
// the retries a careful client makes (thesis §6.3): a request keeps its (client, seq) across
// retries, so the state machine's sessions apply it at most once even when a leader dies after
// committing it. Retries happen on "not leader", "leadership lost", "overloaded" and on no answer
// within an attempt (a forwarded request lost with a crashed leader), until the deadline.
//
// Client ids come from a pool of lanes: a lane serves one request at a time and then the next with
// seq + 1, so the sessions the cluster keeps grow with the concurrency, not with the request count.
// A lane's id carries a random boot id, so a restarted node never reuses an old session's seqs.
import { randomBytes } from 'node:crypto';
import { clientId, type ClientId, type ClientOutcome, type ClientReply, type KvOp, type NodeId } from '../core';

export interface Submitter {
  request(r: { client: ClientId; seq: number; op: KvOp }): void;
  /** The leader this node knows of (null: none). */
  leader(): NodeId | null;
  /** This node is outside its configuration (removed, or waiting to be added): it serves no client. */
  outsider?(): boolean;
}

export type CallResult =
  | { readonly kind: 'ok'; readonly outcome: Extract<ClientOutcome, { status: 'ok' }> }
  /** Not executed (reads are always safe to call not executed), e.g. no leader until the deadline. */
  | { readonly kind: 'unavailable'; readonly reason: string; readonly leader: NodeId | null }
  /** A write whose fate is unknown: it may yet be applied. */
  | { readonly kind: 'indeterminate'; readonly reason: string; readonly leader: NodeId | null }
  /** The client's own session had moved past this seq (only with caller-chosen client ids). */
  | { readonly kind: 'stale-sequence' };

export interface CallOptions {
  /** Overall deadline for the request, in ms. */
  readonly timeoutMs: number;
  /** The caller's own session (client id and seq) instead of a lane: retries by the caller stay exactly-once. */
  readonly session?: { readonly client: string; readonly seq: number };
}

interface Pending {
  resolve(r: ClientReply): void;
  /** Gives up on this attempt now (the caller retries with the same client and seq). */
  abandon(): void;
}

export class Requester {
  /** No answer to one attempt within this time: try again (same client, same seq). */
  readonly attemptMs: number;
  private readonly boot = randomBytes(4).toString('hex');
  private readonly free: { client: ClientId; seq: number }[] = [];
  private lanes = 0;
  private readonly pending = new Map<string, Pending>();
  private closed = false;

  constructor(
    private readonly node: Submitter,
    private readonly name: string,
    o: { attemptMs?: number } = {},
  ) {
    this.attemptMs = o.attemptMs ?? 1000;
  }

  /** Routes the node's replies here. */
  onReply(r: ClientReply): void {
    const key = `${r.client}#${r.seq}`;
    const p = this.pending.get(key);
    if (p === undefined) return;
    this.pending.delete(key);
    p.resolve(r);
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * The node's view of the leader changed: an attempt relayed to the old leader may never be
   * answered (it died, or lost leadership with the request in flight), so every pending attempt is
   * retried now instead of after attemptMs — with the same client and seq, so at most once.
   */
  onLeaderChange(): void {
    for (const p of [...this.pending.values()]) p.abandon();
  }

  /** The node is stopping: every call returns now (writes in flight as indeterminate), none starts. */
  close(): void {
    this.closed = true;
    for (const p of [...this.pending.values()]) p.abandon();
  }

  async call(op: KvOp, o: CallOptions): Promise<CallResult> {
    const lane = o.session === undefined ? this.takeLane() : null;
    const client = lane?.client ?? clientId(o.session!.client);
    const seq = lane?.seq ?? o.session!.seq;
    try {
      return await this.attempts(op, client, seq, Date.now() + o.timeoutMs);
    } finally {
      if (lane !== null) {
        this.free.push({ client: lane.client, seq: lane.seq + 1 });
      }
    }
  }

  private takeLane(): { client: ClientId; seq: number } {
    return this.free.pop() ?? { client: clientId(`${this.name}.${this.boot}.${++this.lanes}`), seq: 1 };
  }

  private async attempts(op: KvOp, client: ClientId, seq: number, deadline: number): Promise<CallResult> {
    const isRead = op.type === 'get';
    let maybeApplied = false;
    let last = 'no leader';
    let pause = 10;
    // (At once: its view of the leader may be stale forever, and the client has members to ask.)
    if (this.node.outsider?.() === true)
      return { kind: 'unavailable', reason: 'this node is not a member of the cluster (removed, or waiting to be added): ask a member', leader: null };
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0 || this.closed) {
        if (this.closed) last = 'the node is stopping';
        break;
      }
      const reply = await this.once(op, client, seq, Math.min(left, this.attemptMs));
      if (reply === null) {
        last = 'no answer in time';
        maybeApplied = true;
      } else {
        const out = reply.outcome;
        switch (out.status) {
          case 'ok':
            return { kind: 'ok', outcome: out };
          case 'stale-sequence':
            return { kind: 'stale-sequence' };
          case 'not-leader':
            last = out.leaderHint === null ? 'no leader' : `${out.leaderHint} is not the leader yet`;
            break;
          case 'leadership-lost':
            last = 'the leader lost leadership before answering';
            maybeApplied = true;
            break;
          case 'overloaded':
            last = 'the leader is overloaded';
            break;
        }
      }
      const wait = Math.min(pause, deadline - Date.now());
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      pause = Math.min(200, pause * 2);
    }
    const leader = this.node.leader();
    // A read has no effect, and a write only ever refused (not leader, overloaded) was never
    // proposed; a write that went unanswered or lost its leader may yet commit.
    if (isRead || !maybeApplied) return { kind: 'unavailable', reason: last, leader };
    return { kind: 'indeterminate', reason: last, leader };
  }

  private once(op: KvOp, client: ClientId, seq: number, ms: number): Promise<ClientReply | null> {
    const key = `${client}#${seq}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        if (this.pending.get(key) === entry) this.pending.delete(key);
        resolve(null);
      }, ms);
      const entry: Pending = {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        abandon: () => {
          clearTimeout(timer);
          if (this.pending.get(key) === entry) this.pending.delete(key);
          resolve(null);
        },
      };
      this.pending.set(key, entry);
      this.node.request({ client, seq, op });
    });
  }
}
