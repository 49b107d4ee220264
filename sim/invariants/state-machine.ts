// Rules about the state machine: every replica applies the committed entries, once each and in
// order, with the results the state machine's definition (reference-kv.ts) gives when fed the
// committed log G (StateMachineSafety); snapshots hold only committed entries and exactly their
// state machine (CompactionInv, SnapshotInv); a node snapshots on its cadence (CompactionCadence).
import {
  describeEntry,
  type ClientId,
  type Entry,
  type KvResult,
  type KvState,
  type LogIndex,
  type LogView,
  type Snapshot,
  type StepOutputs,
} from '../../core';
import { entryHash } from '../hash';
import { ReferenceKv, sameResult, type ReferenceOutcome } from '../reference-kv';
import type { Violation } from './catalog';
import type { Judge } from './judge';

/** An order-independent fingerprint of a state machine (data and sessions). */
function kvFingerprint(data: Iterable<readonly [string, string]>, sessions: Iterable<readonly [ClientId, number, KvResult]>): string {
  const d = [...data].map(([k, v]) => JSON.stringify([k, v])).sort();
  const ss = [...sessions].map(([c, seq, r]) => JSON.stringify([c, seq, r.ok, r.value])).sort();
  return `${d.join(',')}|${ss.join(',')}`;
}

function referenceFingerprint(kv: ReferenceKv): string {
  return kvFingerprint(
    kv.data,
    [...kv.sessions].map(([c, x]) => [c, x.seq, x.result] as const),
  );
}

function snapshotFingerprint(s: Snapshot): string {
  return kvFingerprint(s.data, s.sessions);
}

export class StateMachineRules {
  /** By index: the hash of the entry the first node to apply it applied. */
  private readonly appliedAt: { a: number; b: number }[] = [];
  /** The state machine's definition (reference-kv.ts) fed with G: what applying each committed index gives. */
  private readonly refKv: ReferenceKv;
  private readonly refOutcomes: (ReferenceOutcome | null)[] = [];
  /** With compaction: the reference state machine's fingerprint after each committed index. */
  private readonly refAt: string[] | null;

  /**
   * `committed` is G, the checker's committed log (it calls feed() with each entry it adds);
   * `views` is the log each node is judged by. Both are the checker's, read here.
   */
  constructor(
    private readonly judge: Judge,
    private readonly committed: readonly Entry[],
    private readonly views: readonly LogView[],
  ) {
    const nodes = judge.nodes;
    this.refKv = new ReferenceKv(nodes[0]?.state.kv.sessionsMax);
    this.refAt = nodes.some((n) => n.state.config.snapshotEntries > 0) ? [] : null;
  }

  /**
   * The state machine after the first `index` committed entries, as a fingerprint (data and client
   * sessions), computed from the committed log G alone: what every replica must hold once it has
   * applied that far, whatever snapshots it took or installed on the way.
   */
  referenceStateAt(index: number, sessionsMax: number): string | null {
    if (index > this.committed.length) return null;
    const kv = new ReferenceKv(sessionsMax);
    for (let k = 0; k < index; k++) {
      const e = this.committed[k]!;
      if (e.data.type === 'command') kv.apply(e.data.client, e.data.seq, e.data.op);
    }
    return referenceFingerprint(kv);
  }

  /** A running node's state machine, as the same kind of fingerprint. */
  static stateOf(kv: KvState): string {
    return kvFingerprint(
      kv.data,
      [...kv.sessions].map(([c, x]) => [c, x.lastSeq, x.lastResult] as const),
    );
  }

  /** The reference state machine applies the next committed entry. */
  feed(e: Entry): void {
    this.refOutcomes.push(e.data.type === 'command' ? this.refKv.apply(e.data.client, e.data.seq, e.data.op) : null);
    this.refAt?.push(referenceFingerprint(this.refKv));
  }

  checkApplied(i: number, out: StepOutputs): Violation | null {
    const v = this.views[i]!;
    const off = v.logStart.index;
    for (const a of out.applied) {
      // The log's own entry object (its hash is cached), unless the step compacted it away.
      const held = a.index > off ? v.log[a.index - off - 1] : undefined;
      const e: Entry = held !== undefined && held.term === a.term ? held : { index: a.index, term: a.term, data: a.data };
      const h = entryHash(e);
      const seen = this.appliedAt[a.index - 1];
      if (seen === undefined) {
        this.appliedAt[a.index - 1] = { a: h.a, b: h.b };
      } else if (seen.a !== h.a || seen.b !== h.b) {
        return this.judge.fail(
          'StateMachineSafety',
          [i],
          `${this.judge.name(i)} applied ${describeEntry(e)} at index ${a.index}, where another node applied a different entry`,
        );
      }
      // The answer, by the state machine's definition applied to the committed log up to here.
      const want = this.refOutcomes[a.index - 1];
      if (want === undefined) continue; // (not committed as far as the checker knows: LogInv's case)
      const effect = want === null ? 'noop' : want.effect;
      if (a.effect !== effect || !sameResult(a.result, want === null ? null : want.result)) {
        return this.judge.fail(
          'StateMachineSafety',
          [i],
          `${this.judge.name(i)} applied ${describeEntry(e)} at index ${a.index} as ${a.effect} ${JSON.stringify(a.result)}; the state machine's definition, after the ${a.index - 1} entries committed before it, gives ${effect} ${JSON.stringify(want?.result ?? null)}`,
        );
      }
    }
    return null;
  }

  /**
   * The step's applied list names every entry the node applied in it, once, in log order: from the
   * one after what it had applied to what it has applied now. (An installed snapshot moves applied
   * to its index with no list: the state machine came whole.) A host feeds its state machine, and
   * the checker its model, from this list, so an entry left out is one a replica never applied.
   */
  checkAppliedInOrder(i: number, out: StepOutputs, before: LogIndex, snapshotAt: LogIndex | null): Violation | null {
    const now = this.judge.nodes[i]!.state.applied;
    const list = out.applied;
    if (list.length === 0 && snapshotAt === now && now > before) return null;
    const want = `${before + 1}..${now}`;
    let expect = before + 1;
    for (const a of list) {
      if (a.index !== expect)
        return this.judge.fail(
          'StateMachineSafety',
          [i],
          `${this.judge.name(i)} moved applied from ${before} to ${now} but its step reported applying index ${a.index} where ${expect} was next (it must report ${want} once, in order)`,
        );
      expect++;
    }
    if (expect - 1 !== now)
      return this.judge.fail(
        'StateMachineSafety',
        [i],
        `${this.judge.name(i)} moved applied from ${before} to ${now} but its step reported applying ${list.length === 0 ? 'nothing' : `${before + 1}..${expect - 1}`} (it must report ${want} once, in order)`,
      );
    return null;
  }

  /** With `snapshot N`, every step ends with fewer than N applied entries past the snapshot. */
  checkCadence(i: number): Violation | null {
    const n = this.judge.nodes[i]!.state;
    const every = n.config.snapshotEntries;
    const since = n.applied - (n.snapshot?.index ?? 0);
    if (since < every) return null;
    return this.judge.fail(
      'CompactionCadence',
      [i],
      `${this.judge.name(i)} has applied ${since} entries past its snapshot at ${n.snapshot?.index ?? 0} (applied ${n.applied}) without compacting; it snapshots every ${every}`,
    );
  }

  /** Node i took or installed a snapshot: of committed entries only, and exactly their state machine. */
  checkCompaction(i: number, snap: Snapshot): Violation | null {
    const v = this.views[i]!;
    const g = this.committed.length;
    if (snap.index > g || v.logStart.index > snap.index) {
      return this.judge.fail(
        'CompactionInv',
        [i],
        `${this.judge.name(i)} has a snapshot at ${snap.index} and its log starts after ${v.logStart.index}, but only ${g} entries are committed`,
      );
    }
    if (snap.index === 0) return null;
    const e = this.committed[snap.index - 1]!;
    if (e.term !== snap.term)
      return this.judge.fail(
        'SnapshotInv',
        [i],
        `${this.judge.name(i)}'s snapshot at ${snap.index} says term ${snap.term}; the committed entry there is ${describeEntry(e)}`,
      );
    const want = this.refAt?.[snap.index - 1];
    if (want !== undefined && want !== snapshotFingerprint(snap)) {
      return this.judge.fail(
        'SnapshotInv',
        [i],
        `${this.judge.name(i)}'s snapshot at ${snap.index} holds ${snap.data.map(([k, x]) => `${k}=${x}`).join(' ') || 'nothing'}, not the state machine after the committed log up to ${snap.index}`,
      );
    }
    return null;
  }
}
