// Cases of invariants.test.ts: the state machine rules (state-machine.ts).
import assert from 'node:assert/strict';
import { clientId, logIndex, term, type Snapshot } from '../../core';
import { entry, expectViolation, World, type InvariantCases } from './world.fixture';

export const stateMachineCases: InvariantCases = {
  StateMachineSafety: () => {
    const w = new World(3);
    assert.equal(w.set(0, { log: [entry(1, 1, 'a')], term: 1, applied: [entry(1, 1, 'a')] }), null);
    expectViolation(
      w.set(1, { log: [entry(1, 2, 'b')], term: 2, applied: [entry(1, 2, 'b')] }),
      'StateMachineSafety',
      /n2 applied 1@t2 put k=b .* at index 1, where another node applied a different entry/,
    );
    // The same entry applied with another answer than the state machine's definition gives.
    const r = new World(3);
    const log = [entry(1, 1), entry(2, 1, 'a'), entry(3, 1, 'b')];
    for (const i of [0, 1]) r.set(i, { log, term: 1 });
    assert.equal(r.set(0, { commit: 3, applied: log }), null, 'noop, then two puts answered with their values');
    expectViolation(
      r.set(1, { commit: 2, applied: [entry(2, 1, 'a')], appliedAs: { effect: 'applied', result: { ok: false, value: null } } }),
      'StateMachineSafety',
      /n2 applied 2@t1 put k=a .* at index 2 as applied \{"ok":false,"value":null\}; the state machine's definition, after the 1 entries committed before it, gives applied \{"ok":true,"value":"a"\}/,
    );
    expectViolation(
      r.set(2, { log, term: 1, commit: 3, applied: [entry(2, 1, 'a')], appliedAs: { effect: 'duplicate', result: { ok: true, value: 'a' } } }),
      'StateMachineSafety',
      /as duplicate .* gives applied/,
    );
    // Every entry applied is reported once, in order: an entry left out (here the no-op) is a gap.
    const g = new World(3);
    for (const i of [0, 1]) g.set(i, { log, term: 1 });
    assert.equal(g.set(0, { commit: 3, applied: log }), null);
    expectViolation(
      g.set(1, { commit: 3, applied: [entry(2, 1, 'a'), entry(3, 1, 'b')] }),
      'StateMachineSafety',
      /n2 moved applied from 0 to 3 but its step reported applying index 2 where 1 was next \(it must report 1\.\.3 once, in order\)/,
    );
  },
  CompactionCadence: () => {
    const w = new World(3, null, 2);
    const log = [entry(1, 1), entry(2, 1, 'a'), entry(3, 1, 'b')];
    for (const i of [0, 1]) w.set(i, { log, term: 1 });
    assert.equal(w.set(0, { commit: 1, applied: [entry(1, 1)] }), null, 'one applied entry past no snapshot: under 2');
    expectViolation(
      w.set(0, { commit: 2, applied: [entry(2, 1, 'a')] }),
      'CompactionCadence',
      /n1 has applied 2 entries past its snapshot at 0 \(applied 2\) without compacting; it snapshots every 2/,
    );
    const ok = new World(3, null, 2);
    for (const i of [0, 1]) ok.set(i, { log, term: 1 });
    assert.equal(ok.set(0, { commit: 2 }), null);
    assert.equal(
      ok.set(0, { snapshot: { index: logIndex(2), term: term(1), data: [['k', 'a']], sessions: [[clientId('c'), 2, { ok: true, value: 'a' }]] } }),
      null,
      'compacted at 2: nothing applied past it',
    );
  },
  CompactionInv: () => {
    const w = new World(3, null, 2);
    const log = [entry(1, 1), entry(2, 1, 'a'), entry(3, 1, 'b')];
    w.set(1, { log, term: 1 });
    assert.equal(w.set(0, { log, term: 1, commit: 2 }), null);
    const snap = (index: number, data: [string, string][]): Snapshot => ({
      index: logIndex(index),
      term: term(1),
      data,
      sessions: index >= 2 ? [[clientId('c'), index, { ok: true, value: data[0]?.[1] ?? null }]] : [],
    });
    expectViolation(w.set(1, { snapshot: snap(3, [['k', 'b']]) }), 'CompactionInv', /n2 has a snapshot at 3 .* but only 2 entries are committed/);
  },
  SnapshotInv: () => {
    const w = new World(3, null, 2);
    const log = [entry(1, 1), entry(2, 1, 'a'), entry(3, 1, 'b')];
    w.set(1, { log, term: 1 });
    assert.equal(w.set(0, { log, term: 1, commit: 3 }), null);
    const session = (seq: number, value: string): Snapshot['sessions'][number] => [clientId('c'), seq, { ok: true, value }];
    assert.equal(
      w.set(0, { snapshot: { index: logIndex(2), term: term(1), data: [['k', 'a']], sessions: [session(2, 'a')] } }),
      null,
      'the state machine after entry 2',
    );
    expectViolation(
      w.set(1, { snapshot: { index: logIndex(3), term: term(1), data: [['k', 'a']], sessions: [session(3, 'b')] } }),
      'SnapshotInv',
      /n2's snapshot at 3 holds k=a, not the state machine after the committed log up to 3/,
    );
    expectViolation(
      w.set(2, { snapshot: { index: logIndex(3), term: term(2), data: [['k', 'b']], sessions: [session(3, 'b')] } }),
      'SnapshotInv',
      /n3's snapshot at 3 says term 2; the committed entry there is 3@t1/,
    );
  },
};
