// Test helpers for the invariant checker: a cluster of fake nodes whose state a test sets directly,
// each change reported to the checker as a step would be.
import assert from 'node:assert/strict';
import {
  clientId,
  logIndex,
  makeConfig,
  newNode,
  nodeId,
  term,
  type AppliedEntry,
  type Entry,
  type Membership,
  type NodeState,
  type Progress,
  type Role,
  type Snapshot,
  type StepOutputs,
} from '../../core';
import { Disk } from '../disk';
import { InvariantChecker, type CheckedNode, type InvariantName, type NodeStatus, type StepBefore, type Violation } from '.';

/** A test of one invariant: builds a violating state and sees it caught (and the healthy variant accepted). */
export type InvariantCases = Partial<Record<InvariantName, () => void>>;

export const ids = ['n1', 'n2', 'n3', 'n4', 'n5'].map(nodeId);

export function entry(index: number, t: number, tag = ''): Entry {
  return tag === ''
    ? { index: logIndex(index), term: term(t), data: { type: 'noop' } }
    : { index: logIndex(index), term: term(t), data: { type: 'command', client: clientId('c'), seq: index, op: { type: 'put', key: 'k', value: tag } } };
}

/** A configuration entry: voters and learners by node number (1 → n1). */
export function configEntry(index: number, t: number, voters: number[], learners: number[] = []): Entry {
  return {
    index: logIndex(index),
    term: term(t),
    data: { type: 'config', voters: voters.map((k) => ids[k - 1]!), learners: learners.map((k) => ids[k - 1]!) },
  };
}

export class Fake implements CheckedNode {
  readonly state: NodeState;
  readonly disk = new Disk();
  status: NodeStatus = 'up';
  constructor(
    readonly id: ReturnType<typeof nodeId>,
    size: number,
    snapshotEntries = 0,
  ) {
    this.state = newNode(makeConfig({ id, peers: ids.slice(0, size), snapshotEntries }));
  }
}

/** A cluster of fakes; `set` changes one node and tells the checker, as a step would. */
export class World {
  readonly nodes: Fake[];
  readonly checker: InvariantChecker;
  /** `spares` more nodes start outside the cluster, with no configuration. */
  constructor(size: number, only: InvariantName[] | null = null, snapshotEntries = 0, spares = 0) {
    this.nodes = ids.slice(0, size + spares).map((id, i) => new Fake(id, i < size ? size : 0, snapshotEntries));
    this.checker = new InvariantChecker(this.nodes, only);
  }

  set(
    i: number,
    p: {
      log?: Entry[];
      term?: number;
      role?: Role;
      commit?: number;
      durable?: boolean;
      applied?: Entry[];
      appliedAs?: Pick<AppliedEntry, 'result' | 'effect'>;
      snapshot?: Snapshot;
      tick?: boolean;
      /** The configuration the node puts in force in this step, and the index of its entry. */
      members?: Membership;
      configIndex?: number;
    },
  ): Violation | null {
    const n = this.nodes[i]!;
    const s = n.state;
    const before: StepBefore = {
      role: s.role,
      term: s.term,
      commit: s.commit,
      applied: s.applied,
      lastIndex: s.log.length,
      members: s.members,
      tick: p.tick === true,
    };
    let from: number | null = null;
    if (p.log !== undefined) {
      let k = 0;
      while (k < s.log.length && k < p.log.length && JSON.stringify(s.log[k]) === JSON.stringify(p.log[k])) k++;
      from = k + 1;
      s.log = [...p.log];
      if (p.durable !== false) {
        n.disk.write({ hardState: null, log: { from: logIndex(from), entries: p.log.slice(k) } });
        n.disk.sync(Number.MAX_SAFE_INTEGER);
      }
    }
    if (p.term !== undefined) s.term = term(p.term);
    if (p.role !== undefined) s.role = p.role;
    if (p.members !== undefined) s.members = p.members;
    if (p.configIndex !== undefined) s.configIndex = logIndex(p.configIndex);
    if (p.commit !== undefined) s.commit = logIndex(p.commit);
    if (p.snapshot !== undefined) {
      // Compaction as the core does it: the snapshot, and the log after it.
      s.snapshot = p.snapshot;
      s.log = s.log.slice(p.snapshot.index - s.logStart.index);
      s.logStart = { index: p.snapshot.index, term: p.snapshot.term };
      s.applied = p.snapshot.index;
    }
    // Applying moves the node's applied index to the last entry listed, as the core's step does.
    if (p.applied !== undefined && p.applied.length > 0) s.applied = p.applied[p.applied.length - 1]!.index;
    const out: StepOutputs = {
      persist:
        p.snapshot !== undefined
          ? { hardState: null, log: null, compact: { snapshot: p.snapshot, logStart: s.logStart } }
          : from === null
            ? null
            : { hardState: null, log: { from: logIndex(from), entries: s.log.slice(from - 1) } },
      messages: [],
      // A put's own answer, unless the test says otherwise.
      applied: (p.applied ?? []).map((e) => ({
        index: e.index,
        term: e.term,
        data: e.data,
        ...(p.appliedAs ??
          (e.data.type === 'command' && e.data.op.type === 'put'
            ? { result: { ok: true, value: e.data.op.value }, effect: 'applied' as const }
            : { result: null, effect: 'noop' as const })),
      })),
      replies: [],
      reasons: ['tick'],
    };
    return this.checker.afterStep(i, out, before);
  }
}

export function expectViolation(v: Violation | null, invariant: InvariantName, pattern?: RegExp): void {
  assert.ok(v !== null, `expected ${invariant}, got no violation`);
  assert.equal(v.invariant, invariant, v.message);
  if (pattern !== undefined) assert.match(v.message, pattern);
}

/** A leader's fresh record of a follower: probing from `next`, nothing in flight. */
export function probing(next: number): Progress {
  return {
    match: logIndex(0),
    next: logIndex(next),
    mode: 'probe',
    probeSent: false,
    inflight: [],
    recentActive: false,
    prevActive: false,
    readAck: 0,
    snapshotWait: 0,
  };
}
