// Clients writing to and reading from a real cluster while something goes wrong under it (the
// process tests, `liferaft chaos`): each client runs one operation at a time through a
// HistoryClient, so the whole run is a history for the linearizability checker, and every so often
// it writes a key of its own, once — the "no acknowledged write is lost" check reads them all back.
import type { KvOp } from '../core';
import type { Operation } from '../sim';
import { HistoryClient } from './history-client';

/** A small deterministic generator (the operations are seeded; their timing is real and varies). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export interface WorkloadOptions {
  /** The nodes' client URLs (asked again before every try). */
  readonly urls: () => readonly string[];
  readonly clients: number;
  /** The key of a client's next operation on the shared keys (drawn with its generator). */
  readonly key: (random: () => number) => string;
  /** Per operation, retries on other nodes included (default 4000). */
  readonly timeoutMs?: number;
  /** Every this many operations a client writes a key of its own, once (default 5). */
  readonly uniqueEvery?: number;
  /** Seeds the clients' generators (default 0). */
  readonly seed?: number;
}

export interface UniqueWrite {
  readonly key: string;
  readonly value: string;
  readonly kind: 'ok' | 'failed' | 'unknown';
}

export interface Workload {
  readonly clients: readonly HistoryClient[];
  /** The write-once keys and what became of each write. */
  readonly unique: UniqueWrite[];
  /** Every client's operations so far. */
  history(): Operation[];
  /** Lets each client finish the operation it is in, then stops. */
  stop(): Promise<void>;
}

export function startWorkload(o: WorkloadOptions): Workload {
  const clients: HistoryClient[] = [];
  const unique: UniqueWrite[] = [];
  const every = o.uniqueEvery ?? 5;
  let running = true;
  const loops: Promise<void>[] = [];
  for (let i = 0; i < o.clients; i++) {
    const name = `c${i}`;
    const client = new HistoryClient(name, o.urls, { timeoutMs: o.timeoutMs ?? 4000 });
    clients.push(client);
    const r = lcg((o.seed ?? 0) * 7919 + i + 1);
    loops.push(
      (async () => {
        for (let k = 0; running; k++) {
          if (k % every === every - 1) {
            const u = { key: `u-${name}-${k}`, value: `v${k}` };
            const out = await client.run({ type: 'put', ...u });
            unique.push({ ...u, kind: out.kind });
            continue;
          }
          const key = o.key(r);
          const x = r();
          let call: KvOp;
          if (x < 0.35) call = { type: 'get', key };
          else if (x < 0.65) call = { type: 'put', key, value: `${name}.${k}` };
          else if (x < 0.85) call = { type: 'append', key, value: `${i}` };
          else call = { type: 'cas', key, expected: null, value: `${name}.${k}` };
          await client.run(call);
        }
      })(),
    );
  }
  return {
    clients,
    unique,
    history: () => clients.flatMap((c) => c.history),
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/**
 * The acknowledged writes of `writes` that `url` does not hold (absent, or another value), read
 * `parallel` at a time; `serializable`: from that node's own state machine rather than through the
 * leader.
 */
export async function missingWrites(url: string, writes: readonly UniqueWrite[], o: { serializable: boolean; parallel?: number }): Promise<UniqueWrite[]> {
  const acked = writes.filter((w) => w.kind === 'ok');
  const missing: UniqueWrite[] = [];
  let next = 0;
  const query = o.serializable ? '?consistency=serializable' : '?timeout=5000';
  const worker = async (): Promise<void> => {
    while (next < acked.length) {
      const w = acked[next++]!;
      const res = await fetch(`${url}/kv/${encodeURIComponent(w.key)}${query}`);
      const body = (await res.json()) as { value?: unknown };
      if (res.status !== 200 || body.value !== w.value) missing.push(w);
    }
  };
  await Promise.all(Array.from({ length: o.parallel ?? 8 }, worker));
  return missing;
}
