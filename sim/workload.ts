// Key/value clients: each runs one operation at a time with a timeout, retries it (with the same
// sequence number, so the leader's session applies a write at most once) and follows not-leader
// hints. Every operation's invocation and return go into the history checked for linearizability.
import { clientId, type ClientId, type ClientOutcome, type ClientRequest, type KvOp, type KvResult } from '../core';
import type { Rng } from './rng';
import type { OpKind, Workload } from './scenario';

/** One operation of the history (format documented in sim/HISTORY.md). */
export interface HistoryOp {
  readonly client: string;
  readonly op: OpKind;
  readonly key: string;
  readonly value?: string;
  readonly expected?: string | null;
  /** The KV result, when the operation returned. */
  output?: KvResult;
  /** Virtual µs when the client first sent it. */
  readonly call: number;
  /** Virtual µs when the client got its answer; null if it never did (its effect is unknown). */
  return: number | null;
  /**
   * Set when the cluster answered this operation "stale-sequence" — an impossible answer: a client
   * sends only its latest request, so no later one of its requests can have been applied. The
   * checker reports it (malformedReply); the effect stays unknown.
   */
  staleAnswer?: true;
}

export interface PendingOp {
  readonly request: ClientRequest;
  readonly history: HistoryOp;
  /** Where `history` is in the run's history (an outcome replaces the record there). */
  readonly at: number;
  attempts: number;
  /** Identifies the current attempt (for its timeout). */
  attemptId: number;
  target: number;
}

/** What the simulation should do for a client after an event. */
export type ClientAction =
  | { readonly kind: 'send'; readonly node: number; readonly request: ClientRequest; readonly attemptId: number; readonly delayUs: number }
  | { readonly kind: 'think'; readonly delayUs: number }
  | { readonly kind: 'idle' };

const OPS: readonly OpKind[] = ['get', 'put', 'append', 'cas', 'delete'];

export class Client {
  readonly id: ClientId;
  private seq = 0;
  private nextAttemptId = 1;
  current: PendingOp | null = null;
  private leaderGuess: number | null = null;
  private readonly seen = new Map<string, string | null>();

  constructor(
    readonly index: number,
    private readonly w: Workload,
    private readonly nodes: number,
    private readonly rng: Rng,
    private readonly history: HistoryOp[],
  ) {
    this.id = clientId(`c${index + 1}`);
  }

  /** Starts the next operation (the caller checks the phase allows it). */
  start(now: number): ClientAction {
    const op = this.nextOp();
    const seq = ++this.seq;
    const h: HistoryOp = {
      client: this.id,
      op: op.type,
      key: op.key,
      ...(op.type === 'put' || op.type === 'append' ? { value: op.value } : {}),
      ...(op.type === 'cas' ? { expected: op.expected, value: op.value } : {}),
      call: now,
      return: null,
    };
    this.history.push(h);
    const target = this.leaderGuess ?? this.rng.int(this.nodes);
    this.current = { request: { client: this.id, seq, op }, history: h, at: this.history.length - 1, attempts: 0, attemptId: 0, target };
    return this.send(target, 0);
  }

  /** An answer arrived from `node`. Late answers to an earlier attempt of the same request count too. */
  onReply(now: number, node: number, seq: number, outcome: ClientOutcome, unlimited: boolean): ClientAction | null {
    const cur = this.current;
    if (cur === null || cur.request.seq !== seq) return null;
    switch (outcome.status) {
      case 'ok':
        this.settle(cur, { output: outcome.result, return: now });
        this.learn(cur.request.op, outcome.result);
        this.leaderGuess = node;
        this.current = null;
        return this.think();
      case 'not-leader': {
        const hint = outcome.leaderHint === null ? null : Number(outcome.leaderHint.slice(1)) - 1;
        this.leaderGuess = hint;
        return this.retry(hint ?? this.otherNode(node), hint === null ? this.backoff() : 0, unlimited);
      }
      case 'leadership-lost':
      case 'overloaded':
        this.leaderGuess = null;
        return this.retry(this.otherNode(node), this.backoff(), unlimited);
      case 'stale-sequence':
        // "A later request of ours was already applied": never true here (one request at a time,
        // always the latest), so the answer itself is a fault; kept for the checker to report.
        this.settle(cur, { staleAnswer: true });
        this.current = null;
        return this.think();
    }
  }

  onTimeout(attemptId: number, unlimited: boolean): ClientAction | null {
    const cur = this.current;
    if (cur === null || cur.attemptId !== attemptId) return null;
    this.leaderGuess = null;
    return this.retry(this.otherNode(cur.target), 0, unlimited);
  }

  /**
   * What became of the current operation: a new record takes the old one's place in the history.
   * Records never change once made, so the debugger's snapshots share them.
   */
  private settle(cur: PendingOp, outcome: Pick<HistoryOp, 'output' | 'return'> | { readonly staleAnswer: true }): void {
    this.history[cur.at] = { ...cur.history, ...outcome };
  }

  get busy(): boolean {
    return this.current !== null;
  }

  private retry(node: number, delayUs: number, unlimited: boolean): ClientAction {
    const cur = this.current!;
    if (!unlimited && cur.attempts >= this.w.attempts) {
      // Give up: the operation may or may not have taken effect (return stays null).
      this.current = null;
      return this.think();
    }
    return this.send(node, delayUs);
  }

  private send(node: number, delayUs: number): ClientAction {
    const cur = this.current!;
    cur.attempts++;
    cur.attemptId = this.nextAttemptId++;
    cur.target = node;
    return { kind: 'send', node, request: cur.request, attemptId: cur.attemptId, delayUs };
  }

  private think(): ClientAction {
    return { kind: 'think', delayUs: this.rng.intIn(this.w.thinkUs.min, this.w.thinkUs.max) };
  }

  private backoff(): number {
    return this.rng.intIn(1, Math.max(1, Math.floor(this.w.timeoutUs / 4)));
  }

  private otherNode(than: number): number {
    if (this.nodes === 1) return 0;
    const r = this.rng.int(this.nodes - 1);
    return r >= than ? r + 1 : r;
  }

  private learn(op: KvOp, result: KvResult): void {
    if (op.type === 'get' || op.type === 'put' || op.type === 'append' || (op.type === 'cas' && result.ok)) this.seen.set(op.key, result.value);
    if (op.type === 'delete') this.seen.set(op.key, null);
  }

  private nextOp(): KvOp {
    const mix = this.w.mix;
    let total = 0;
    for (const k of OPS) total += mix[k];
    let r = this.rng.int(total);
    let type: OpKind = 'get';
    for (const k of OPS) {
      if (r < mix[k]) {
        type = k;
        break;
      }
      r -= mix[k];
    }
    const key = `k${this.rng.int(this.w.keys)}`;
    const value = `${this.id}.${this.seq + 1}`;
    switch (type) {
      case 'get':
      case 'delete':
        return { type, key };
      case 'put':
      case 'append':
        return { type, key, value: type === 'append' ? `${value};` : value };
      case 'cas':
        return { type, key, expected: this.seen.get(key) ?? null, value };
    }
  }
}
