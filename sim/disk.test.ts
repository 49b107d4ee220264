import assert from 'node:assert/strict';
import { logIndex, nodeId, term, type Entry } from '../core';
import { Disk } from './disk';
import { Rng } from './rng';

const e = (i: number, t: number): Entry => ({ index: logIndex(i), term: term(t), data: { type: 'noop' } });
const append = (from: number, entries: Entry[]) => ({ hardState: null, log: { from: logIndex(from), entries } });

describe('disk model', () => {
  it('only synced writes are durable; reads return them', () => {
    const d = new Disk();
    const w1 = d.write({ hardState: { term: term(2), vote: nodeId('n1') }, log: { from: logIndex(1), entries: [e(1, 1), e(2, 2)] } });
    assert.equal(d.syncedLength, 0);
    d.sync(w1);
    assert.equal(d.syncedLength, 2);
    const r = d.recover();
    assert.ok(r.ok);
    assert.deepEqual(r.durable, { term: 2, vote: 'n1', log: [e(1, 1), e(2, 2)] });
  });

  it('a write truncates and appends', () => {
    const d = new Disk();
    d.sync(d.write(append(1, [e(1, 1), e(2, 1), e(3, 1)])));
    d.sync(d.write(append(2, [e(2, 2)])));
    const r = d.recover();
    assert.ok(r.ok);
    assert.deepEqual(
      r.durable.log.map((x) => `${x.index}@${x.term}`),
      ['1@1', '2@2'],
    );
  });

  it('a crash keeps a prefix of the unsynced writes, may tear the next, loses the rest', () => {
    const seen = { kept: 0, torn: 0, lost: 0 };
    for (let seed = 0; seed < 200; seed++) {
      const d = new Disk();
      d.sync(d.write(append(1, [e(1, 1)])));
      d.write(append(2, [e(2, 1), e(3, 1)]));
      d.write(append(4, [e(4, 1)]));
      const effect = d.crash(new Rng(`disk-${seed}`), 0.5);
      const r = d.recover();
      assert.ok(r.ok, 'a torn tail beyond the last sync is truncated, not refused');
      const len = r.durable.log.length;
      assert.ok(len >= 1, 'synced data survives every crash');
      assert.deepEqual(r.durable.log, [e(1, 1), e(2, 1), e(3, 1), e(4, 1)].slice(0, len), 'what survives is a prefix of what was written');
      if (effect.torn) {
        seen.torn++;
        assert.ok(r.tornEntries >= 1);
      }
      if (effect.reached === 2) seen.kept++;
      if (effect.lost > 0) seen.lost++;
    }
    assert.ok(seen.kept > 0 && seen.torn > 0 && seen.lost > 0, JSON.stringify(seen));
  });

  it('corruption of synced data is detected and the node refuses to start', () => {
    let entries = 0;
    let hard = 0;
    for (let seed = 0; seed < 50; seed++) {
      const d = new Disk();
      d.sync(d.write({ hardState: { term: term(1), vote: null }, log: { from: logIndex(1), entries: [e(1, 1), e(2, 1)] } }));
      const what = d.corrupt(new Rng(`rot-${seed}`));
      if (what === 'hard state') hard++;
      else entries++;
      const r = d.recover();
      assert.equal(r.ok, false);
      assert.match(!r.ok ? r.reason : '', /fails its checksum.*refusing to start/);
    }
    assert.ok(entries > 0 && hard > 0);
  });
});
