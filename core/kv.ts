// The key/value state machine inside the core, with client sessions (thesis §6.3) so that a
// retried request is applied at most once. Deterministic: Maps iterate in insertion order.
import type { ClientId, KvOp, KvResult, KvWriteOp, LogIndex, Snapshot, Term } from './types';

export interface Session {
  /** Invariant: the highest seq applied for this client. */
  readonly lastSeq: number;
  /** The result of that request, answered again to a retry. */
  readonly lastResult: KvResult;
}

export interface KvState {
  readonly data: Map<string, string>;
  /** Invariant: size ≤ sessionsMax; insertion order = least recently used first. */
  readonly sessions: Map<ClientId, Session>;
  readonly sessionsMax: number;
}

export type ApplyOutcome =
  | { readonly effect: 'applied'; readonly result: KvResult }
  /** A retry of the client's latest request: not applied again; the first result is returned. */
  | { readonly effect: 'duplicate'; readonly result: KvResult }
  /** An older seq than the client's latest: the client moved on; nothing is applied. */
  | { readonly effect: 'stale' };

/**
 * Client sessions kept by the state machine. It decides what a retry does (apply or answer from the
 * session), so every replica must use the same value: it is part of the state machine's definition,
 * not a per-node setting (a per-node limit would let replicas of one log diverge).
 */
export const MAX_SESSIONS = 4096;

/**
 * The longest value the state machine keeps (UTF-16 code units, so every replica decides alike): a
 * put or an append that would make a value longer is refused (ok = false, nothing changes). Without
 * it, appends grow one value without bound until it no longer fits a message or a record.
 */
export const MAX_VALUE_LENGTH = 1024 * 1024;

export function newKv(sessionsMax = MAX_SESSIONS): KvState {
  return { data: new Map(), sessions: new Map(), sessionsMax };
}

export function cloneKv(kv: KvState): KvState {
  return { data: new Map(kv.data), sessions: new Map(kv.sessions), sessionsMax: kv.sessionsMax };
}

/** The state machine as a snapshot at `index` (plain lists, insertion order kept: the LRU order of sessions). */
export function snapshotOf(kv: KvState, index: LogIndex, term: Term): Snapshot {
  return {
    index,
    term,
    data: [...kv.data],
    sessions: [...kv.sessions].map(([c, s]) => [c, s.lastSeq, s.lastResult] as const),
  };
}

export function kvFromSnapshot(s: Snapshot, sessionsMax = MAX_SESSIONS): KvState {
  return {
    data: new Map(s.data),
    sessions: new Map(s.sessions.map(([c, lastSeq, lastResult]) => [c, { lastSeq, lastResult }] as const)),
    sessionsMax,
  };
}

/** Applies one committed write of `client` with sequence number `seq`, deduplicated by session. */
export function applyWrite(kv: KvState, client: ClientId, seq: number, op: KvWriteOp, dedup = true): ApplyOutcome {
  const session = kv.sessions.get(client);
  if (dedup && session !== undefined && seq <= session.lastSeq) {
    return seq === session.lastSeq ? { effect: 'duplicate', result: session.lastResult } : { effect: 'stale' };
  }
  const result = execute(kv.data, op);
  kv.sessions.delete(client); // re-insert: most recently used goes last
  kv.sessions.set(client, { lastSeq: seq, lastResult: result });
  if (kv.sessions.size > kv.sessionsMax) {
    const oldest = kv.sessions.keys().next().value as ClientId;
    kv.sessions.delete(oldest);
  }
  return { effect: 'applied', result };
}

/** Reads are served without the log (ReadIndex, thesis §6.4) and need no session. */
export function read(kv: KvState, key: string): KvResult {
  return { ok: true, value: kv.data.get(key) ?? null };
}

/** The operation semantics, as a pure function of the data map (also used by tests as the model). */
export function execute(data: Map<string, string>, op: KvOp): KvResult {
  const current = data.get(op.key) ?? null;
  switch (op.type) {
    case 'get':
      return { ok: true, value: current };
    case 'put':
      if (op.value.length > MAX_VALUE_LENGTH) return { ok: false, value: current };
      data.set(op.key, op.value);
      return { ok: true, value: op.value };
    case 'delete':
      data.delete(op.key);
      return { ok: current !== null, value: null };
    case 'cas':
      if (current !== op.expected || op.value.length > MAX_VALUE_LENGTH) return { ok: false, value: current };
      data.set(op.key, op.value);
      return { ok: true, value: op.value };
    case 'append': {
      if ((current?.length ?? 0) + op.value.length > MAX_VALUE_LENGTH) return { ok: false, value: current };
      const value = (current ?? '') + op.value;
      data.set(op.key, value);
      return { ok: true, value };
    }
  }
}
