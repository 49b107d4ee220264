// The Persist contract as code: how stable storage applies one step's Persist to what it holds.
// Shared by every storage of the core's output (the test harness's disks, the real node's WAL), so
// they cannot disagree on what "durable" means.
import { lastIndex, NO_LOG_START, termAt } from './log';
import type { DurableState, Entry, LogStart, NodeId, Persist, Snapshot, Term } from './types';

export interface StoredState {
  term: Term;
  vote: NodeId | null;
  /** The entries after logStart. */
  log: Entry[];
  logStart: LogStart;
  snapshot: Snapshot | null;
}

export function emptyStored(): StoredState {
  return { term: 0 as Term, vote: null, log: [], logStart: NO_LOG_START, snapshot: null };
}

export class PersistError extends Error {
  override readonly name = 'PersistError';
}

/** Applies one persist: hard state; then compaction (snapshot, drop the log up to its start); then the log write. */
export function applyPersist(d: StoredState, p: Persist): void {
  if (p.hardState !== null) {
    d.term = p.hardState.term;
    d.vote = p.hardState.vote;
  }
  if (p.compact != null) {
    const s = p.compact.logStart;
    d.snapshot = p.compact.snapshot;
    if (termAt(d, s.index) === s.term) d.log = d.log.slice(s.index - d.logStart.index);
    else d.log = [];
    d.logStart = s;
  }
  if (p.log !== null) {
    const keep = p.log.from - 1 - d.logStart.index;
    if (keep < 0 || p.log.from - 1 > lastIndex(d))
      throw new PersistError(`a write from index ${p.log.from} does not fit a stored log of ${d.logStart.index + 1}..${lastIndex(d)}`);
    d.log.length = keep;
    d.log.push(...p.log.entries);
  }
}

/** What a restart gets from storage. */
export function durableFrom(d: StoredState): DurableState {
  const base = { term: d.term, vote: d.vote, log: [...d.log] };
  return d.snapshot === null && d.logStart.index === 0 ? base : { ...base, snapshot: d.snapshot, logStart: d.logStart };
}
