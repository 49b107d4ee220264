import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  applyPersist,
  durableFrom,
  emptyStored,
  makeConfig,
  newNode,
  nodeId,
  step,
  type Entry,
  type LogIndex,
  type NodeId,
  type Persist,
  type Snapshot,
  type Term,
} from '../core';
import { NodeHost } from './host';
import { Wal, WalCorruptError } from './wal';

const entry = (index: number, term: number, key = 'k'): Entry => ({
  index: index as LogIndex,
  term: term as Term,
  data: { type: 'command', client: 'c1' as never, seq: index, op: { type: 'put', key, value: `v${index}` } },
});
const hard = (term: number, vote: string | null): Persist => ({ hardState: { term: term as Term, vote: vote as NodeId | null }, log: null });
const log = (from: number, entries: Entry[]): Persist => ({ hardState: null, log: { from: from as LogIndex, entries } });

describe('write-ahead log', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'liferaft-wal-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('recovers what was synced: term, vote and the log (truncations included)', () => {
    const { wal } = Wal.open(dir);
    wal.append(hard(2, 'n1'));
    wal.append(log(1, [entry(1, 1), entry(2, 1), entry(3, 2)]));
    wal.append(log(3, [entry(3, 2, 'x'), entry(4, 2)]));
    wal.append(hard(3, null));
    wal.close();
    const { recovery } = Wal.open(dir);
    assert.equal(recovery.records, 4);
    assert.equal(recovery.truncatedBytes, 0);
    assert.equal(recovery.durable.term, 3);
    assert.equal(recovery.durable.vote, null);
    assert.deepEqual(
      recovery.durable.log.map((e) => [e.index, e.term]),
      [
        [1, 1],
        [2, 1],
        [3, 2],
        [4, 2],
      ],
    );
    assert.equal((recovery.durable.log[2]!.data as { op: { key: string } }).op.key, 'x');
  });

  it('cuts a torn tail (a crash before fsync) and keeps appending after it', () => {
    const { wal } = Wal.open(dir);
    wal.append(hard(1, 'n2'));
    wal.append(log(1, [entry(1, 1)]));
    wal.close();
    const file = join(dir, 'wal');
    const good = statSync(file).size;
    // Half of a third record, then garbage: what a crash mid-write leaves.
    const { wal: w2 } = Wal.open(dir);
    w2.append(log(2, [entry(2, 1)]));
    w2.close();
    const whole = readFileSync(file);
    writeFileSync(file, Buffer.concat([whole.subarray(0, good + 11), Buffer.from([7, 7, 7])]));
    const { wal: w3, recovery } = Wal.open(dir);
    assert.equal(recovery.records, 2);
    assert.equal(recovery.truncatedBytes, 14);
    assert.equal(statSync(file).size, good);
    w3.append(log(2, [entry(2, 1)]));
    w3.close();
    assert.deepEqual(
      Wal.open(dir).recovery.durable.log.map((e) => e.index),
      [1, 2],
    );
  });

  it('refuses to start on a corrupt record in the middle, says where, and overwrites nothing', () => {
    const { wal } = Wal.open(dir);
    wal.append(hard(1, 'n1'));
    wal.append(log(1, [entry(1, 1)]));
    wal.append(log(2, [entry(2, 1)]));
    wal.close();
    const file = join(dir, 'wal');
    const bytes = readFileSync(file);
    const second = 8 + bytes.readUInt32LE(0);
    const bad = Buffer.from(bytes);
    bad[second + 12] = bad[second + 12]! ^ 0xff; // a bit flip inside the second record's payload
    writeFileSync(file, bad);
    assert.throws(
      () => Wal.open(dir),
      (e: unknown) => e instanceof WalCorruptError && e.offset === second && /checksum mismatch.*refusing to start/.test(e.message),
    );
    assert.deepEqual(readFileSync(file), bad, 'the file is left as it was');
  });

  it('rewrite: the snapshot file plus a WAL of one base record; appends continue after it; recovery gives them back', () => {
    const { wal } = Wal.open(dir);
    for (let i = 1; i <= 6; i++) wal.append(log(i, [entry(i, 1)]));
    const big = wal.bytes;
    const snapshot: Snapshot = { index: 4 as LogIndex, term: 1 as Term, data: [['k', 'v4']], sessions: [['c1' as never, 4, { ok: true, value: 'v4' }]] };
    wal.rewrite({ term: 2 as Term, vote: 'n1' as NodeId, log: [entry(5, 1), entry(6, 1)], snapshot, logStart: { index: 4 as LogIndex, term: 1 as Term } });
    assert.ok(wal.bytes < big, `${wal.bytes} < ${big}`);
    wal.append(log(7, [entry(7, 2)]));
    wal.close();
    const { recovery, wal: again } = Wal.open(dir);
    again.close();
    assert.equal(recovery.snapshotIndex, 4);
    assert.equal(recovery.records, 2);
    assert.deepEqual(recovery.durable.logStart, { index: 4, term: 1 });
    assert.deepEqual(
      recovery.durable.log.map((e) => e.index),
      [5, 6, 7],
    );
    // The core restarts from it: the state machine from the snapshot, commit at its index.
    const n = newNode(makeConfig({ id: nodeId('n1'), peers: [nodeId('n1'), nodeId('n2'), nodeId('n3')] }));
    step(n, { type: 'restart', durable: recovery.durable });
    assert.deepEqual([n.commit, n.applied, n.kv.data.get('k'), n.kv.sessions.get('c1' as never)?.lastSeq], [4, 4, 'v4', 4]);
  });

  it('a rewrite of a long log is written as several records, none growing with the log', () => {
    const { wal } = Wal.open(dir);
    const entries = Array.from({ length: 2500 }, (_, i) => entry(101 + i, 3));
    wal.rewrite({
      term: 3 as Term,
      vote: null,
      log: entries,
      snapshot: { index: 100 as LogIndex, term: 2 as Term, data: [], sessions: [] },
      logStart: { index: 100 as LogIndex, term: 2 as Term },
    });
    wal.close();
    const { recovery, wal: again } = Wal.open(dir);
    again.close();
    assert.equal(recovery.records, 3, 'a base record and two more');
    assert.deepEqual(
      recovery.durable.log.map((e) => e.index),
      entries.map((e) => e.index),
    );
    assert.deepEqual(recovery.durable.logStart, { index: 100, term: 2 });
  });

  it('a snapshot newer than the log (a crash between the two renames) is reconciled; a damaged snapshot file is refused', () => {
    const { wal } = Wal.open(dir);
    wal.append(hard(1, 'n1'));
    wal.append(log(1, [entry(1, 1), entry(2, 1)]));
    const snapshot: Snapshot = { index: 5 as LogIndex, term: 1 as Term, data: [['k', 'x']], sessions: [] };
    // Only the snapshot file is replaced: take the WAL's bytes, rewrite, then put the old WAL back.
    const file = join(dir, 'wal');
    wal.close();
    const old = readFileSync(file);
    const { wal: w2 } = Wal.open(dir);
    w2.rewrite({ term: 1 as Term, vote: 'n1' as NodeId, log: [], snapshot, logStart: { index: 5 as LogIndex, term: 1 as Term } });
    w2.close();
    writeFileSync(file, old);
    const { recovery, wal: w3 } = Wal.open(dir);
    w3.close();
    const n = newNode(makeConfig({ id: nodeId('n1'), peers: [nodeId('n1'), nodeId('n2'), nodeId('n3')] }));
    step(n, { type: 'restart', durable: recovery.durable });
    assert.deepEqual([n.logStart.index, n.log.length, n.commit, n.kv.data.get('k')], [5, 0, 5, 'x'], 'the log begins at the snapshot');
    // ... and the storage must follow, or entries accepted after it vanish at the next restart.
    const h = new NodeHost({ id: 'n1', peers: ['n1', 'n2', 'n3'], dataDir: dir, transport: { send: () => undefined } });
    assert.deepEqual([h.state.logStart.index, h.state.log.length], [5, 0]);
    const appended = (h as unknown as { wal: Wal }).wal;
    appended.append(log(6, [entry(6, 1)]));
    h.stop();
    const { recovery: again, wal: w4 } = Wal.open(dir);
    w4.close();
    assert.deepEqual([again.durable.logStart?.index, again.durable.log.map((e) => e.index)], [5, [6]], 'a second restart sees the snapshot, then entry 6');
    const snap = join(dir, 'snapshot');
    const bytes = readFileSync(snap);
    bytes[bytes.length - 2] = bytes[bytes.length - 2]! ^ 0xff;
    writeFileSync(snap, bytes);
    assert.throws(
      () => Wal.open(dir),
      (e: unknown) => e instanceof WalCorruptError && /snapshot: corrupt record at byte 0 \(checksum mismatch\)/.test(e.message),
    );
  });

  it('after a crash at any byte, recovers exactly the records written whole before it', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.tuple(fc.constant('hard' as const), fc.nat(5), fc.constantFrom(null, 'n1', 'n2')),
            fc.tuple(fc.constant('log' as const), fc.nat(6), fc.nat(3)),
          ),
          { minLength: 1, maxLength: 12 },
        ),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (ops, cut) => {
          rmSync(dir, { recursive: true, force: true });
          const { wal } = Wal.open(dir);
          const persisted: Persist[] = [];
          const ends: number[] = [];
          let term = 0;
          let length = 0;
          for (const op of ops) {
            let p: Persist;
            if (op[0] === 'hard') p = hard((term += op[1]), op[2]);
            else {
              const from = 1 + Math.min(op[1], length);
              length = from + op[2];
              p = log(
                from,
                Array.from({ length: op[2] + 1 }, (_, i) => entry(from + i, term)),
              );
            }
            wal.append(p);
            persisted.push(p);
            ends.push(wal.bytes);
          }
          wal.close();
          const file = join(dir, 'wal');
          const all = readFileSync(file);
          const at = Math.floor(cut * all.length);
          writeFileSync(file, all.subarray(0, at));
          const whole = ends.filter((e) => e <= at).length;
          const stored = emptyStored();
          for (const p of persisted.slice(0, whole)) applyPersist(stored, p);
          const expected = durableFrom(stored);
          const { recovery, wal: again } = Wal.open(dir);
          again.close();
          assert.equal(recovery.records, whole);
          assert.deepEqual(recovery.durable, expected);
        },
      ),
      { numRuns: 200 },
    );
  });
});
