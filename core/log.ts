// Read-only helpers over a node's log. Invariant kept by every writer: log[i].index === i + 1.
// (When snapshots arrive, the offset of the first kept entry lives here and nowhere else.)
import { logIndex, term, type Entry, type LogIndex, type Term } from './types';

export function lastIndex(log: readonly Entry[]): LogIndex {
  return logIndex(log.length);
}

export function lastTerm(log: readonly Entry[]): Term {
  return log.length === 0 ? term(0) : log[log.length - 1]!.term;
}

/** The term of the entry at `index`; 0 for index 0; undefined past the end. */
export function termAt(log: readonly Entry[], index: LogIndex): Term | undefined {
  if (index === 0) return term(0);
  return log[index - 1]?.term;
}

export function entryAt(log: readonly Entry[], index: LogIndex): Entry | undefined {
  return index >= 1 ? log[index - 1] : undefined;
}

/** Entries with lo ≤ index ≤ hi (clamped to the log). */
export function entriesBetween(log: readonly Entry[], lo: LogIndex, hi: LogIndex): Entry[] {
  return log.slice(Math.max(lo, 1) - 1, Math.max(hi, 0));
}

/**
 * Raft §5.4.1: a log with (lastLogIndex, lastLogTerm) is at least as up to date as ours when its
 * last term is greater, or equal with an index at least as large.
 */
export function isUpToDate(log: readonly Entry[], otherLastIndex: LogIndex, otherLastTerm: Term): boolean {
  const t = lastTerm(log);
  return otherLastTerm > t || (otherLastTerm === t && otherLastIndex >= lastIndex(log));
}

/** The first index of the run of entries having the same term as the entry at `index`. */
export function firstIndexOfTermAt(log: readonly Entry[], index: LogIndex): LogIndex {
  const t = termAt(log, index);
  let i = index as number;
  while (i > 1 && log[i - 2]!.term === t) i--;
  return logIndex(i);
}

/** The largest index ≤ upTo whose entry has term `t`, or 0 when there is none. */
export function lastIndexOfTerm(log: readonly Entry[], t: Term, upTo: LogIndex): LogIndex {
  for (let i = Math.min(upTo, log.length); i >= 1; i--) {
    const ti = log[i - 1]!.term;
    if (ti === t) return logIndex(i);
    if (ti < t) break; // terms never decrease along the log
  }
  return logIndex(0);
}
