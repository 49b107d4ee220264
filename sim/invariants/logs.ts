// How the checker reads logs: prefix hashes (two 32-bit lanes, so "is this a prefix of that" is one
// comparison), a log's last index and term, the last index of a term, Raft's "at least as up to
// date", and what a disk holds synced.
import { type LogView, type Term } from '../../core';
import { entryHash, mix } from '../hash';
import type { CheckedNode } from './catalog';

/**
 * Whether node n's disk holds, synced, the entry of `term` at `index` (by Log Matching, then the
 * whole committed prefix) — or compacted it into a snapshot. An ack says exactly this, so a quorum
 * of such disks is what "committed" promises (Raft §5.3; with early appends, thesis §10.2.1).
 *
 * A node counts whatever its status: a node that refused to start because bit rot hit its disk
 * (outside Raft's fault model) still holds what it acked — rot breaks a record's checksum, not its
 * content (disk.ts) — and it never votes or acks again, so it can be in no second quorum. Leaving
 * such nodes out raised a false alarm when an ack sent before the crash arrived after the death
 * (sim/README.md, "CommittedOnQuorumInv").
 */
export function holdsSynced(n: CheckedNode, index: number, term: Term): boolean {
  const d = n.disk;
  if (d.syncedLength < index) return false;
  const start = d.start.index;
  if (index <= start) return true;
  return d.log[index - start - 1]?.term === term;
}

const SEED_A = 0x51ed270b;
const SEED_B = 0x2f1b3c5d;

/** Prefix hashes of one log: a[k-1], b[k-1] summarize entries 1..k. */
export class PrefixHashes {
  a: number[] = [];
  b: number[] = [];

  /**
   * Recomputes from index `from` (1-based) to the end of the log. Positions compacted away (up to
   * logStart) take G's prefix hashes: they are judged to be G's entries (CompactionInv makes sure
   * they are committed; a position G does not reach yet gets a hash nothing equals).
   */
  update(v: LogView, from: number, g: PrefixHashes | null = null): void {
    const off = v.logStart.index;
    const total = off + v.log.length;
    const start = Math.max(0, Math.min(from - 1, this.a.length));
    if (start < this.a.length) {
      this.a.length = start;
      this.b.length = start;
    }
    let ha = start === 0 ? SEED_A : this.a[start - 1]!;
    let hb = start === 0 ? SEED_B : this.b[start - 1]!;
    for (let k = start; k < total; k++) {
      if (k < off) {
        ha = g !== null && k < g.a.length ? g.a[k]! : NaN;
        hb = g !== null && k < g.b.length ? g.b[k]! : NaN;
      } else {
        const h = entryHash(v.log[k - off]!);
        ha = mix(ha, h.a);
        hb = mix(hb, h.b);
      }
      this.a.push(ha);
      this.b.push(hb);
    }
  }

  get length(): number {
    return this.a.length;
  }
}

export function samePrefix(x: PrefixHashes, y: PrefixHashes, k: number): boolean {
  if (k === 0) return true;
  if (x.length < k || y.length < k) return false;
  return x.a[k - 1] === y.a[k - 1] && x.b[k - 1] === y.b[k - 1];
}

/** The first index (1-based, at most k) where two logs' prefixes differ; they differ somewhere up to k. */
export function firstDifference(x: PrefixHashes, y: PrefixHashes, k: number): number {
  let lo = 1;
  let hi = k;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (samePrefix(x, y, mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export const lastOf = (v: LogView): number => v.logStart.index + v.log.length;
export const lastTermOf = (v: LogView): number => (v.log.length === 0 ? v.logStart.term : v.log[v.log.length - 1]!.term);

/**
 * The largest index whose entry has term ≤ t (terms never decrease along a log), among the entries
 * held; when every held entry is newer, the log start (its term is ≤ theirs).
 */
export function lastIndexAtOrBelow(v: LogView, t: number): number {
  const log = v.log;
  let lo = 0;
  let hi = log.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (log[mid]!.term <= t) lo = mid + 1;
    else hi = mid;
  }
  return v.logStart.index + lo;
}

/**
 * The last index of an entry of term t (0: none). Over a compacted prefix the answer can only be
 * "at or before the log start", which is what the checks below compare (a leader's entries of its own
 * term are never compacted before they are committed, and then G speaks for them).
 */
export function lastIndexOfTerm(v: LogView, t: number): number {
  const k = lastIndexAtOrBelow(v, t);
  const off = v.logStart.index;
  if (k > off) return v.log[k - off - 1]!.term === t ? k : 0;
  return off > 0 && v.logStart.term === t ? off : 0;
}

export function isUpToDate(a: LogView, b: LogView): boolean {
  const ta = lastTermOf(a);
  const tb = lastTermOf(b);
  return ta > tb || (ta === tb && lastOf(a) >= lastOf(b));
}
