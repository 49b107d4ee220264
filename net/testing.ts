// Test helpers for hosted nodes (used by net/*.test.ts): waiting on real-time events, and a client
// call that retries at whichever node leads until it gets an ok answer.
import type { ClientReply, ClientRequest } from '../core';
import type { NodeHost } from './host';

/** Polls `f` every 10 ms until it returns a value, or fails after `ms`. */
export async function until<T>(what: string, f: () => T | undefined, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface CallOptions {
  readonly attempts: number;
  readonly pauseMs: number;
  /** How long to wait for a leader or an answer, each time. */
  readonly waitMs: number;
}

/** Sends `req` to the current leader (retrying with the same seq) until it is answered ok. */
export async function callLeader(hosts: readonly NodeHost[], replies: readonly ClientReply[], req: ClientRequest, o: CallOptions): Promise<ClientReply> {
  for (let attempt = 0; attempt < o.attempts; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, o.pauseMs));
    const leader = await until('a leader', () => hosts.find((h) => h.state.role === 'leader'), o.waitMs);
    const n = replies.length;
    leader.request(req);
    const r = await until('an answer', () => replies.slice(n).find((x) => x.client === req.client && x.seq === req.seq), o.waitMs);
    if (r.outcome.status === 'ok') return r;
  }
  throw new Error(`no ok answer to ${req.client}#${req.seq} after ${o.attempts} attempts`);
}
