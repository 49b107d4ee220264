// The key/value state machine's definition, as the checker's own model: written from the contract
// (KvResult and ClientRequest in core/types.ts, sessions of thesis §6.3), not from core/kv.ts, so a
// fault in the core's state machine cannot hide behind the same fault in its judge. The invariant
// checker feeds it the committed log G and compares every replica's applied results, and every
// snapshot and converged state machine, with it.
import { MAX_SESSIONS, MAX_VALUE_LENGTH } from '../core';
import type { ClientId, KvResult, KvWriteOp } from '../core';

/** What applying one committed command does, by the definition. */
export interface ReferenceOutcome {
  readonly effect: 'applied' | 'duplicate' | 'stale';
  /** The answer; a duplicate repeats the first one, a stale request (older than the client's latest) has none. */
  readonly result: KvResult | null;
}

export class ReferenceKv {
  readonly data = new Map<string, string>();
  /** Per client: its latest applied seq and that request's answer; oldest use first. */
  readonly sessions = new Map<ClientId, { readonly seq: number; readonly result: KvResult }>();

  constructor(private readonly sessionsMax = MAX_SESSIONS) {}

  apply(client: ClientId, seq: number, op: KvWriteOp): ReferenceOutcome {
    const s = this.sessions.get(client);
    if (s !== undefined && seq < s.seq) return { effect: 'stale', result: null };
    if (s !== undefined && seq === s.seq) return { effect: 'duplicate', result: s.result };
    const result = this.execute(op);
    this.sessions.delete(client);
    this.sessions.set(client, { seq, result });
    if (this.sessions.size > this.sessionsMax) this.sessions.delete(this.sessions.keys().next().value!);
    return { effect: 'applied', result };
  }

  private execute(op: KvWriteOp): KvResult {
    const current = this.data.get(op.key) ?? null;
    const refuse = { ok: false, value: current };
    switch (op.type) {
      case 'put':
        if (op.value.length > MAX_VALUE_LENGTH) return refuse;
        this.data.set(op.key, op.value);
        return { ok: true, value: op.value };
      case 'delete':
        this.data.delete(op.key);
        return { ok: current !== null, value: null };
      case 'cas':
        if (current !== op.expected || op.value.length > MAX_VALUE_LENGTH) return refuse;
        this.data.set(op.key, op.value);
        return { ok: true, value: op.value };
      case 'append': {
        const next = (current ?? '') + op.value;
        if (next.length > MAX_VALUE_LENGTH) return refuse;
        this.data.set(op.key, next);
        return { ok: true, value: next };
      }
    }
  }
}

/** Whether two answers are the same (null: no answer). */
export function sameResult(a: KvResult | null, b: KvResult | null): boolean {
  return a === null || b === null ? a === b : a.ok === b.ok && a.value === b.value;
}
