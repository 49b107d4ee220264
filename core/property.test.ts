// Property test: any sequence of ticks, deliveries, drops, duplicates, client requests, crashes,
// restarts and partitions on a 3-node in-memory cluster keeps election safety, log matching and
// state machine safety — and never trips one of the node's own assertions. Run again with log
// compaction every few entries, so snapshots are taken, sent, installed and restarted from; and
// again with a spare node and membership changes asked of any node at any time.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fullLog, type LogView } from './log';
import { MemoryCluster } from './memory-cluster';
import { clientId, type Entry, type KvOp, type NodeId, type Term } from './types';

type Action =
  | { kind: 'tick'; node: number; times: number }
  | { kind: 'deliver'; pick: number }
  | { kind: 'flush' }
  | { kind: 'drop'; pick: number }
  | { kind: 'duplicate'; pick: number }
  | { kind: 'request'; node: number; client: number; op: KvOp }
  | { kind: 'crash'; node: number }
  | { kind: 'restart'; node: number }
  | { kind: 'partition'; node: number }
  | { kind: 'heal' }
  | { kind: 'member'; node: number; add: boolean; target: number };

const key = fc.constantFrom('x', 'y');
const value = fc.constantFrom('1', '2', '3');
const op: fc.Arbitrary<KvOp> = fc.oneof(
  fc.record({ type: fc.constant('get' as const), key }),
  fc.record({ type: fc.constant('put' as const), key, value }),
  fc.record({ type: fc.constant('append' as const), key, value }),
  fc.record({ type: fc.constant('delete' as const), key }),
  fc.record({ type: fc.constant('cas' as const), key, expected: fc.option(value, { nil: null }), value }),
);
const node = fc.integer({ min: 0, max: 2 });
const pick = fc.nat();
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('tick' as const), node, times: fc.integer({ min: 1, max: 8 }) }) },
  { weight: 16, arbitrary: fc.record({ kind: fc.constant('deliver' as const), pick }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('flush' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), pick }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('request' as const), node, client: fc.integer({ min: 0, max: 2 }), op }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('crash' as const), node }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('restart' as const), node }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('partition' as const), node }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('heal' as const) }) },
);

interface Stats {
  leaders: number;
  applied: number;
  runs: number;
  snapshotsTaken: number;
  snapshotsInstalled: number;
  configChanges: number;
}

/** The same schedules with membership changes: a spare n4, and any node asked to add or remove any node. */
const memberAction: fc.Arbitrary<Action> = fc.oneof(
  { weight: 12, arbitrary: action },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('member' as const),
      node: fc.integer({ min: 0, max: 3 }),
      add: fc.boolean(),
      target: fc.integer({ min: 0, max: 3 }),
    }),
  },
);

/** Safety checks over the whole cluster, run after every step. */
class Checker {
  private readonly leaderOfTerm = new Map<Term, NodeId>();
  private readonly appliedAt = new Map<number, string>();
  /** The state machine's data after applying up to an index, as first seen on any node. */
  private readonly kvAt = new Map<number, string>();

  constructor(private readonly c: MemoryCluster) {}

  /**
   * A leader that appended a configuration entry holds no other uncommitted one (thesis §4.1). (Not
   * at every step: a new leader may find two in its log, both committed by its predecessor, before
   * it learns their commit.)
   */
  afterConfigStart(id: NodeId): void {
    const n = this.c.node(id);
    const pending = n.log.filter((e) => e.index > n.commit && e.data.type === 'config').length;
    assert.ok(pending === 1, `${id} started a configuration change with ${pending} uncommitted configuration entries in its log`);
  }

  afterStep(id: NodeId, applied: readonly { index: number; term: number; data: unknown }[]): void {
    // Same applied index ⇒ same state machine (this is what a snapshot must carry over).
    const me = this.c.node(id);
    if (!this.c.crashed.has(id)) {
      const kv = JSON.stringify([...me.kv.data].sort());
      const seenKv = this.kvAt.get(me.applied);
      assert.ok(seenKv === undefined || seenKv === kv, `${id} at applied ${me.applied} has ${kv}, another node had ${seenKv}`);
      this.kvAt.set(me.applied, kv);
      if (me.snapshot !== null) {
        const snapKv = JSON.stringify([...me.snapshot.data].sort());
        const at = this.kvAt.get(me.snapshot.index);
        assert.ok(at === undefined || at === snapKv, `${id}'s snapshot at ${me.snapshot.index} holds ${snapKv}, the state machine there was ${at}`);
      }
    }
    // Election safety (Raft §5.2): at most one leader per term, ever.
    const n = this.c.node(id);
    if (n.role === 'leader') {
      const other = this.leaderOfTerm.get(n.term);
      assert.ok(other === undefined || other === id, `two leaders in term ${n.term}: ${other} and ${id}`);
      this.leaderOfTerm.set(n.term, id);
      // Membership (thesis §4.2.2): a leader is a voter unless its removal is not committed yet.
      assert.ok(n.members.voters.includes(id) || n.configIndex > n.commit, `${id} leads term ${n.term} outside its committed configuration`);
    }
    // State machine safety (Raft §5.4.3): every node applies the same entry at an index.
    for (const a of applied) {
      const entry = JSON.stringify([a.term, a.data]);
      const seen = this.appliedAt.get(a.index);
      assert.ok(seen === undefined || seen === entry, `index ${a.index} applied as ${seen} and as ${entry} (${id})`);
      this.appliedAt.set(a.index, entry);
    }
    // Log matching (Raft §5.3): same index and term ⇒ identical logs up to there.
    for (const other of this.c.ids) if (other !== id) logsMatch(n, this.c.node(other), id, other);
  }

  get leaders(): number {
    return this.leaderOfTerm.size;
  }

  get appliedCount(): number {
    return this.appliedAt.size;
  }
}

/** Log matching over the indexes both logs still hold (compaction drops a prefix). */
function logsMatch(a: LogView, b: LogView, ida: NodeId, idb: NodeId): void {
  const at = (v: LogView, i: number): Entry => v.log[i - v.logStart.index - 1]!;
  const lo = Math.max(a.logStart.index, b.logStart.index) + 1;
  const hi = Math.min(a.logStart.index + a.log.length, b.logStart.index + b.log.length);
  // Find the highest index where the terms agree; everything before it must be identical.
  for (let i = hi; i >= lo; i--) {
    if (at(a, i).term !== at(b, i).term) continue;
    for (let j = lo; j <= i; j++) {
      assert.deepEqual(at(a, j), at(b, j), `logs of ${ida} and ${idb} agree on ${i}@t${at(a, i).term} but differ at ${j}`);
    }
    return;
  }
}

function run(actions: readonly Action[], stats: Stats, snapshotEntries = 0, spares = 0): void {
  const c = new MemoryCluster({
    size: 3,
    spares,
    config: { electionTicksMin: 3, electionTicksMax: 7, entriesPerAppendMax: 2, inflightAppendsMax: 2, snapshotEntries },
  });
  const checker = new Checker(c);
  c.onStep = (id, _input, out) => {
    checker.afterStep(id, out.applied);
    if (out.reasons.includes('config.start')) checker.afterConfigStart(id);
    if (out.reasons.includes('snapshot.take')) stats.snapshotsTaken++;
    if (out.reasons.includes('snapshot.install')) stats.snapshotsInstalled++;
  };
  const seqs = [0, 0, 0];
  for (const a of actions) {
    const at = (p: number): number => p % c.inFlight.length;
    switch (a.kind) {
      case 'tick': {
        const id = c.ids[a.node]!;
        for (let i = 0; i < a.times && !c.crashed.has(id); i++) c.tick(id);
        break;
      }
      case 'deliver':
        if (c.inFlight.length > 0) c.deliverAt(at(a.pick));
        break;
      case 'flush':
        c.deliver();
        break;
      case 'drop':
        if (c.inFlight.length > 0) c.inFlight.splice(at(a.pick), 1);
        break;
      case 'duplicate':
        if (c.inFlight.length > 0) c.duplicateAt(at(a.pick));
        break;
      case 'request': {
        const id = c.ids[a.node]!;
        // Clients retry their last request now and then (same seq), otherwise move on.
        if (!c.crashed.has(id)) {
          const seq = a.op.type === 'get' || seqs[a.client]! === 0 || a.node !== 0 ? ++seqs[a.client]! : seqs[a.client]!;
          c.request(id, { client: clientId(`c${a.client}`), seq, op: a.op });
        }
        break;
      }
      case 'crash':
        if (!c.crashed.has(c.ids[a.node]!)) c.crash(c.ids[a.node]!);
        break;
      case 'restart':
        if (c.crashed.has(c.ids[a.node]!)) c.restart(c.ids[a.node]!);
        break;
      case 'partition': {
        const id = c.ids[a.node]!;
        c.partition([[id], c.ids.filter((x) => x !== id)]);
        break;
      }
      case 'heal':
        c.heal();
        break;
      case 'member': {
        const id = c.ids[a.node]!;
        if (!c.crashed.has(id)) {
          const out = c.stepNode(id, { type: 'changeMembership', action: a.add ? 'add' : 'remove', node: c.ids[a.target]! }, '');
          if (out.reasons.includes('config.start')) stats.configChanges++;
        }
        break;
      }
    }
    c.takeLines();
  }
  stats.leaders += checker.leaders;
  stats.applied += checker.appliedCount;
  stats.runs++;
}

describe('core properties', function () {
  this.timeout(120_000);

  it('election safety, log matching and state machine safety hold under any schedule', () => {
    const stats: Stats = { leaders: 0, applied: 0, runs: 0, snapshotsTaken: 0, snapshotsInstalled: 0, configChanges: 0 };
    fc.assert(
      fc.property(fc.array(action, { minLength: 20, maxLength: 400, size: 'max' }), (actions) => run(actions, stats)),
      { numRuns: 1000 },
    );
    // The schedules must actually exercise the protocol, not just tick idle nodes.
    assert.ok(stats.leaders > stats.runs, `only ${stats.leaders} leaders elected in ${stats.runs} runs`);
    assert.ok(stats.applied > stats.runs, `only ${stats.applied} entries applied in ${stats.runs} runs`);
  });

  it('... and with log compaction every 2 entries: snapshots taken, sent, installed and restarted from', () => {
    const stats: Stats = { leaders: 0, applied: 0, runs: 0, snapshotsTaken: 0, snapshotsInstalled: 0, configChanges: 0 };
    fc.assert(
      fc.property(fc.array(action, { minLength: 20, maxLength: 400, size: 'max' }), (actions) => run(actions, stats, 2)),
      { numRuns: 600 },
    );
    assert.ok(stats.applied > stats.runs, `only ${stats.applied} entries applied in ${stats.runs} runs`);
    assert.ok(stats.snapshotsTaken > stats.runs, `only ${stats.snapshotsTaken} snapshots taken in ${stats.runs} runs`);
    console.log(`      ${stats.runs} runs: ${stats.applied} entries applied, ${stats.snapshotsTaken} snapshots taken, ${stats.snapshotsInstalled} installed`);
    assert.ok(stats.snapshotsInstalled >= 5, `only ${stats.snapshotsInstalled} snapshots installed in ${stats.runs} runs`);
  });

  it('... and with a spare node and membership changes at any time (compaction every 3 entries)', () => {
    const stats: Stats = { leaders: 0, applied: 0, runs: 0, snapshotsTaken: 0, snapshotsInstalled: 0, configChanges: 0 };
    fc.assert(
      fc.property(fc.array(memberAction, { minLength: 20, maxLength: 400, size: 'max' }), (actions) => run(actions, stats, 3, 1)),
      { numRuns: 600 },
    );
    assert.ok(stats.applied > stats.runs, `only ${stats.applied} entries applied in ${stats.runs} runs`);
    console.log(`      ${stats.runs} runs: ${stats.applied} entries applied, ${stats.configChanges} configuration changes started`);
    // (Most requests are refused — asked of a follower, or while a change is pending — as they should be.)
    assert.ok(stats.configChanges > 50, `only ${stats.configChanges} configuration changes in ${stats.runs} runs`);
  });

  it('the checker itself catches a broken log (two different entries at one index and term)', () => {
    const a: Entry[] = [
      { index: 1 as Entry['index'], term: 1 as Term, data: { type: 'noop' } },
      { index: 2 as Entry['index'], term: 2 as Term, data: { type: 'noop' } },
    ];
    const b: Entry[] = [
      { index: 1 as Entry['index'], term: 1 as Term, data: { type: 'command', client: clientId('c'), seq: 1, op: { type: 'put', key: 'x', value: '1' } } },
      a[1]!,
    ];
    assert.throws(() => logsMatch(fullLog(a), fullLog(b), 'n1' as NodeId, 'n2' as NodeId), /agree on 2@t2 but differ at 1/);
  });
});
