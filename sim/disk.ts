// A node's disk: what it persisted, what is only written (not yet synced), and what a crash and
// bit rot do to it. Every record carries a checksum computed when it is written; recovery checks
// them all.
//
// Recovery policy (why): a record that fails its checksum beyond the last sync can only be a torn
// write that was never acknowledged (the node answers only after a sync), so the torn tail is
// truncated and the node starts. A bad record inside the synced region is corruption of data the
// node may have promised to others (a vote, an acknowledged entry): using it or dropping it could
// break safety, so the node REFUSES TO START and stays down for the rest of the run, as a real
// deployment would need an operator to rebuild it.
import { NO_LOG_START, type DurableState, type Entry, type LogIndex, type LogStart, type NodeId, type Persist, type Snapshot, type Term } from '../core';
import { entryHash, mix, mixNumber, mixString } from './hash';
import type { Rng } from './rng';

interface HardState {
  term: Term;
  vote: NodeId | null;
  sum: number;
}

interface PendingWrite {
  readonly seq: number;
  readonly persist: Persist;
}

export type Recovery = { readonly ok: true; readonly durable: DurableState; readonly tornEntries: number } | { readonly ok: false; readonly reason: string };

/** What a crash did to the unsynced writes. */
export interface CrashEffect {
  readonly reached: number;
  readonly torn: boolean;
  readonly lost: number;
}

function hardSum(term: number, vote: string | null): number {
  return mixString(mixNumber(0x1234567, term), vote ?? '');
}

function snapshotSum(s: Snapshot): number {
  return mixString(0x5a5a5a5, JSON.stringify(s));
}

function entrySum(e: Entry): number {
  const h = entryHash(e);
  return mix(mix(mixNumber(0x7654321, e.index), h.a), h.b);
}

export class Disk {
  private hard: HardState = { term: 0 as Term, vote: null, sum: hardSum(0, null) };
  /** With log compaction: the latest snapshot (written atomically, with its checksum) and where the log begins. */
  private snap: { readonly snapshot: Snapshot; sum: number } | null = null;
  private logStart: LogStart = NO_LOG_START;
  /** The entries after logStart. */
  private entries: Entry[] = [];
  private sums: number[] = [];
  /** Records from this 0-based log position on (and the hard state if hardUnsynced) reached the disk without a sync: only after a crash. */
  private unsyncedFrom = Infinity;
  private hardUnsynced = false;
  private pending: PendingWrite[] = [];
  private nextSeq = 1;

  /** Queues a write; it becomes durable when `sync` reaches its sequence number. */
  write(persist: Persist): number {
    const seq = this.nextSeq++;
    this.pending.push({ seq, persist });
    return seq;
  }

  get pendingWrites(): number {
    return this.pending.length;
  }

  /** Makes every write up to `seq` durable. */
  sync(seq: number): void {
    let n = 0;
    while (n < this.pending.length && this.pending[n]!.seq <= seq) this.apply(this.pending[n++]!.persist, false);
    if (n > 0) this.pending.splice(0, n);
  }

  /** Synced state for invariants: the last index on disk, which a leader may commit up to. */
  get syncedLength(): number {
    return this.logStart.index + this.entries.length;
  }

  /** The log as it is on disk (for invariant checks of a node that is down): the entries after `start`. */
  get log(): readonly Entry[] {
    return this.entries;
  }

  /** Where the log on disk begins (log compaction). */
  get start(): LogStart {
    return this.logStart;
  }

  get term(): Term {
    return this.hard.term;
  }

  get vote(): NodeId | null {
    return this.hard.vote;
  }

  /**
   * Power loss: unsynced writes reach the disk in order up to a random point; the first one that
   * does not may be torn (part of its entries written, the last of them garbled); the rest are lost.
   */
  crash(rng: Rng, tornChance: number): CrashEffect {
    const total = this.pending.length;
    const reached = total === 0 ? 0 : rng.intIn(0, total);
    for (let i = 0; i < reached; i++) this.apply(this.pending[i]!.persist, true);
    let torn = false;
    const next = this.pending[reached];
    // A compaction is written atomically (a temporary file renamed): it is never torn.
    if (next !== undefined && next.persist.compact == null && next.persist.log !== null && next.persist.log.entries.length > 0 && rng.chance(tornChance)) {
      const { from, entries } = next.persist.log;
      const keep = rng.intIn(1, entries.length);
      this.apply({ hardState: null, log: { from, entries: entries.slice(0, keep) } }, true);
      const last = this.entries.length - 1;
      // The last record written is garbled: its content no longer matches its checksum.
      this.entries[last] = garble(this.entries[last]!);
      torn = true;
    }
    this.pending = [];
    return { reached, torn, lost: total - reached - (torn ? 1 : 0) };
  }

  /**
   * Bit rot in the synced region: one record (an entry, the hard state or the snapshot) no longer
   * matches its checksum. The rot is in the stored checksum, so the record's content still reads
   * as what was written: the invariants judge what the node promised (its term, the entries it
   * acked), and recovery refuses the node all the same. A later write of that record heals it.
   */
  corrupt(rng: Rng): string {
    const off = this.logStart.index;
    const synced = Math.max(0, Math.min(this.entries.length, this.unsyncedFrom - off));
    const pick = rng.int(synced + (this.snap === null ? 1 : 2));
    if (pick === synced) {
      this.hard = { ...this.hard, sum: this.hard.sum ^ 1 };
      return 'hard state';
    }
    if (pick > synced) {
      this.snap = { snapshot: this.snap!.snapshot, sum: this.snap!.sum ^ 1 };
      return 'snapshot';
    }
    this.sums[pick] = this.sums[pick]! ^ 1;
    return `entry ${off + pick + 1}`;
  }

  /** Reads everything back, verifying every checksum (see the policy at the top of this file). */
  recover(): Recovery {
    if (hardSum(this.hard.term, this.hard.vote) !== this.hard.sum) {
      return { ok: false, reason: `hard state fails its checksum${this.hardUnsynced ? ' (torn)' : ''}: refusing to start` };
    }
    if (this.snap !== null && snapshotSum(this.snap.snapshot) !== this.snap.sum) {
      return { ok: false, reason: `the snapshot at ${this.snap.snapshot.index} fails its checksum: refusing to start` };
    }
    let torn = 0;
    const off = this.logStart.index;
    for (let i = 0; i < this.entries.length; i++) {
      if (entrySum(this.entries[i]!) === this.sums[i]) continue;
      if (off + i < this.unsyncedFrom) {
        return { ok: false, reason: `log entry ${off + i + 1} fails its checksum inside the synced region: refusing to start` };
      }
      torn = this.entries.length - i;
      this.entries.length = i;
      this.sums.length = i;
      break;
    }
    // What survived is now the disk's content (a real node would fsync the truncation).
    this.unsyncedFrom = Infinity;
    this.hardUnsynced = false;
    const durable = { term: this.hard.term, vote: this.hard.vote, log: [...this.entries] };
    return {
      ok: true,
      durable: this.snap === null && off === 0 ? durable : { ...durable, snapshot: this.snap?.snapshot ?? null, logStart: this.logStart },
      tornEntries: torn,
    };
  }

  private apply(p: Persist, unsynced: boolean): void {
    if (p.hardState !== null) {
      const { term, vote } = p.hardState;
      this.hard = { term, vote, sum: hardSum(term, vote) };
      if (unsynced) this.hardUnsynced = true;
    }
    if (p.compact != null) {
      // Persist.compact: the snapshot replaces the older one; the log keeps what follows its new
      // start only when it holds the entry there (else it goes: a follower's non-matching log).
      const s = p.compact.logStart;
      this.snap = { snapshot: p.compact.snapshot, sum: snapshotSum(p.compact.snapshot) };
      const at = s.index - this.logStart.index;
      const keep = at === 0 ? s.term === this.logStart.term || s.index === 0 : at > 0 && at <= this.entries.length && this.entries[at - 1]!.term === s.term;
      if (keep && at > 0) {
        this.entries.splice(0, at);
        this.sums.splice(0, at);
      } else if (!keep) {
        this.entries = [];
        this.sums = [];
      }
      this.logStart = s;
    }
    if (p.log !== null) {
      const from = p.log.from - 1 - this.logStart.index;
      if (from < 0 || from > this.entries.length)
        throw new Error(`disk: write at ${p.log.from} outside the log ${this.logStart.index + 1}..${this.logStart.index + this.entries.length + 1}`);
      if (from < this.entries.length) {
        this.entries.length = from;
        this.sums.length = from;
      }
      for (const e of p.log.entries) {
        this.entries.push(e);
        this.sums.push(entrySum(e));
      }
      if (unsynced && this.logStart.index + from < this.unsyncedFrom) this.unsyncedFrom = this.logStart.index + from;
    }
  }
}

/** The same record with damaged content (a flipped bit in its payload). */
function garble(e: Entry): Entry {
  return { ...e, index: e.index as LogIndex, term: (e.term ^ 0x40) as Term };
}
