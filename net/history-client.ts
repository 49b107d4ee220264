// A client of the real cluster's HTTP API that records what it saw as a history for the
// linearizability checker (sim/linearizability): the process tests and `bench kv` use it.
// It behaves as a careful client: one request at a time, its own session (LifeRaft-Client/Seq) so a
// write retried on another node after a timeout or a dead connection is applied at most once, and
// honest bookkeeping — a write whose fate it cannot know is recorded as never returned.
import type { KvOp } from '../core';
import type { Operation } from '../sim';

export interface CallOutcome {
  /** 'ok': answered; 'failed': definitely not applied (omitted from the history); 'unknown': may be applied. */
  readonly kind: 'ok' | 'failed' | 'unknown';
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly micros: number;
}

/** Microseconds on a monotonic clock shared by every client of one process. */
export const nowMicros = (): number => Math.round(performance.now() * 1000);

export class HistoryClient {
  private seq = 0;
  private next = 0;
  readonly history: Operation[] = [];

  constructor(
    readonly name: string,
    private readonly urls: () => readonly string[],
    private readonly o: { readonly timeoutMs: number; readonly record?: boolean } = { timeoutMs: 5000 },
  ) {
    this.next = Math.abs(hashOf(name));
  }

  async run(c: KvOp): Promise<CallOutcome> {
    const write = c.type !== 'get';
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (write) {
      headers['liferaft-client'] = this.name;
      headers['liferaft-seq'] = String(++this.seq);
    }
    const path = `/kv/${encodeURIComponent(c.key)}`;
    const [method, body] = request(c);
    const call = nowMicros();
    const deadline = Date.now() + this.o.timeoutMs;
    let maybeApplied = false;
    let last: { status: number; body: Record<string, unknown> } = { status: 0, body: { error: 'not sent' } };
    while (Date.now() < deadline) {
      const urls = this.urls();
      const url = urls[this.next++ % urls.length]!;
      const left = deadline - Date.now();
      try {
        const res = await fetch(`${url}${path}?timeout=${Math.max(1, Math.min(left, 2000))}`, {
          method,
          headers,
          ...(body === undefined ? {} : { body }),
          // (A node that does not answer — paused, cut off — costs one try, not the whole budget.)
          signal: AbortSignal.timeout(Math.min(left, 2000) + 500),
        });
        const parsed = (await res.json()) as Record<string, unknown>;
        last = { status: res.status, body: parsed };
        if (res.status === 504) maybeApplied = true;
        else if (res.status !== 503) break;
      } catch (e) {
        // Refused before sending: not applied. Anything else (reset, timeout): it may have arrived.
        const code = (e as { cause?: { code?: string } }).cause?.code;
        if (code !== 'ECONNREFUSED') maybeApplied = true;
        last = { status: 0, body: { error: code ?? (e as Error).message } };
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const ret = nowMicros();
    // Answers: 200; 404 (get: absent; delete: was absent); 409 with the current value (cas mismatch).
    const answered = last.status === 200 || last.status === 404 || (last.status === 409 && 'value' in last.body);
    // Definitely not applied: refused as bad input (400/405/413), or unavailable (503) on every try.
    // Anything else that is not an answer (500, a dead connection, …) leaves a write's fate unknown.
    const refused = last.status === 400 || last.status === 405 || last.status === 413;
    const kind = answered ? 'ok' : write && (maybeApplied || (!refused && last.status !== 503)) ? 'unknown' : 'failed';
    if (this.o.record !== false && kind !== 'failed') this.history.push(toOperation(this.name, c, call, kind === 'ok' ? ret : null, last));
    return { kind, status: last.status, body: last.body, micros: ret - call };
  }
}

function request(c: KvOp): [method: string, body: string | undefined] {
  switch (c.type) {
    case 'get':
      return ['GET', undefined];
    case 'delete':
      return ['DELETE', undefined];
    case 'put':
      return ['PUT', JSON.stringify({ value: c.value })];
    case 'cas':
      return ['POST', JSON.stringify({ op: 'cas', expected: c.expected, value: c.value })];
    case 'append':
      return ['POST', JSON.stringify({ op: 'append', value: c.value })];
  }
}

function toOperation(client: string, c: KvOp, call: number, ret: number | null, r: { status: number; body: Record<string, unknown> }): Operation {
  const base = { client, key: c.key, call, return: ret };
  const returned = ret !== null;
  switch (c.type) {
    case 'get':
      return { ...base, op: 'get', ...(returned ? { output: r.status === 404 ? null : (r.body['value'] as string) } : {}) };
    case 'put':
      return { ...base, op: 'put', value: c.value };
    case 'delete':
      return { ...base, op: 'delete', ...(returned ? { output: r.status === 200 } : {}) };
    case 'cas':
      return { ...base, op: 'cas', value: c.value, expected: c.expected, ...(returned ? { output: r.status === 200 } : {}) };
    case 'append':
      return { ...base, op: 'append', value: c.value, ...(returned ? { output: r.body['value'] as string } : {}) };
  }
}

function hashOf(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return h;
}
