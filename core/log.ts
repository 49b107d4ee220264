// Read-only helpers over a node's log. With log compaction (Raft §7) the entries up to
// `logStart.index` are gone (their effect lives in the snapshot) and `log` holds the ones after:
// invariant kept by every writer: log[i].index === logStart.index + i + 1. Without compaction
// logStart is (0, 0) and log[i].index === i + 1. The offset lives here and nowhere else.
import { logIndex, term, type Entry, type LogIndex, type LogStart, type Term } from './types';

/** A log with where it starts: a NodeState, or a durable state read back from disk. */
export interface LogView {
  readonly log: readonly Entry[];
  readonly logStart: LogStart;
}

export const NO_LOG_START: LogStart = Object.freeze({ index: logIndex(0), term: term(0) });

/** A log that was never compacted. */
export const fullLog = (log: readonly Entry[]): LogView => ({ log, logStart: NO_LOG_START });

export function lastIndex(v: LogView): LogIndex {
  return logIndex(v.logStart.index + v.log.length);
}

export function lastTerm(v: LogView): Term {
  return v.log.length === 0 ? v.logStart.term : v.log[v.log.length - 1]!.term;
}

/** The index is compacted away: its entry (and term) is only in the snapshot. */
export function isCompacted(v: LogView, index: LogIndex): boolean {
  return index < v.logStart.index;
}

/** The term of the entry at `index`; 0 for index 0; undefined past the end or compacted away. */
export function termAt(v: LogView, index: LogIndex): Term | undefined {
  const off = v.logStart.index;
  if (index === off) return off === 0 ? term(0) : v.logStart.term;
  if (index < off) return undefined;
  return v.log[index - off - 1]?.term;
}

export function entryAt(v: LogView, index: LogIndex): Entry | undefined {
  const off = v.logStart.index;
  return index > off ? v.log[index - off - 1] : undefined;
}

/** Entries with lo ≤ index ≤ hi (clamped to the entries held). */
export function entriesBetween(v: LogView, lo: LogIndex, hi: LogIndex): Entry[] {
  const off = v.logStart.index;
  return v.log.slice(Math.max(lo, off + 1) - off - 1, Math.max(hi - off, 0));
}

/** The entries from index `from` on (from > logStart.index). */
export function entriesFrom(v: LogView, from: LogIndex): Entry[] {
  return v.log.slice(from - v.logStart.index - 1);
}

/**
 * Raft §5.4.1: a log with (lastLogIndex, lastLogTerm) is at least as up to date as ours when its
 * last term is greater, or equal with an index at least as large.
 */
export function isUpToDate(v: LogView, otherLastIndex: LogIndex, otherLastTerm: Term): boolean {
  const t = lastTerm(v);
  return otherLastTerm > t || (otherLastTerm === t && otherLastIndex >= lastIndex(v));
}

/** The first index (among the entries held) of the run of entries having the same term as the entry at `index`. */
export function firstIndexOfTermAt(v: LogView, index: LogIndex): LogIndex {
  const off = v.logStart.index;
  const t = termAt(v, index);
  let i = index as number;
  while (i > off + 1 && v.log[i - off - 2]!.term === t) i--;
  return logIndex(i);
}

/** The largest index ≤ upTo whose entry has term `t`, or 0 when there is none (or it is compacted away). */
export function lastIndexOfTerm(v: LogView, t: Term, upTo: LogIndex): LogIndex {
  const off = v.logStart.index;
  for (let i = Math.min(upTo, off + v.log.length); i > off; i--) {
    const ti = v.log[i - off - 1]!.term;
    if (ti === t) return logIndex(i);
    if (ti < t) return logIndex(0); // terms never decrease along the log
  }
  return off > 0 && upTo >= off && v.logStart.term === t ? logIndex(off) : logIndex(0);
}
