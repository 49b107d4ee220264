import assert from 'node:assert/strict';
import { applyWrite, execute, kvFromSnapshot, MAX_VALUE_LENGTH, newKv, read, snapshotOf } from './kv';
import { clientId, logIndex, term } from './types';

const c1 = clientId('c1');
const c2 = clientId('c2');

describe('KV state machine', () => {
  it('put, get, append, delete', () => {
    const data = new Map<string, string>();
    assert.deepEqual(execute(data, { type: 'get', key: 'x' }), { ok: true, value: null });
    assert.deepEqual(execute(data, { type: 'put', key: 'x', value: '1' }), { ok: true, value: '1' });
    assert.deepEqual(execute(data, { type: 'append', key: 'x', value: '23' }), { ok: true, value: '123' });
    assert.deepEqual(execute(data, { type: 'append', key: 'y', value: 'a' }), { ok: true, value: 'a' });
    assert.deepEqual(execute(data, { type: 'get', key: 'x' }), { ok: true, value: '123' });
    assert.deepEqual(execute(data, { type: 'delete', key: 'x' }), { ok: true, value: null });
    assert.deepEqual(execute(data, { type: 'delete', key: 'x' }), { ok: false, value: null });
    assert.deepEqual([...data], [['y', 'a']]);
  });

  it('cas succeeds only on the expected value; null expects absence', () => {
    const data = new Map<string, string>();
    assert.deepEqual(execute(data, { type: 'cas', key: 'x', expected: '1', value: '2' }), { ok: false, value: null });
    assert.deepEqual(execute(data, { type: 'cas', key: 'x', expected: null, value: '1' }), { ok: true, value: '1' });
    assert.deepEqual(execute(data, { type: 'cas', key: 'x', expected: null, value: '9' }), { ok: false, value: '1' });
    assert.deepEqual(execute(data, { type: 'cas', key: 'x', expected: '1', value: '2' }), { ok: true, value: '2' });
    assert.equal(data.get('x'), '2');
  });

  it('applies each (client, seq) at most once and answers retries with the first result', () => {
    const kv = newKv(10);
    assert.deepEqual(applyWrite(kv, c1, 1, { type: 'append', key: 'x', value: 'a' }), { effect: 'applied', result: { ok: true, value: 'a' } });
    assert.deepEqual(applyWrite(kv, c1, 1, { type: 'append', key: 'x', value: 'a' }), { effect: 'duplicate', result: { ok: true, value: 'a' } });
    assert.deepEqual(applyWrite(kv, c2, 1, { type: 'append', key: 'x', value: 'b' }), { effect: 'applied', result: { ok: true, value: 'ab' } });
    assert.deepEqual(applyWrite(kv, c1, 2, { type: 'append', key: 'x', value: 'c' }), { effect: 'applied', result: { ok: true, value: 'abc' } });
    assert.deepEqual(applyWrite(kv, c1, 1, { type: 'append', key: 'x', value: 'a' }), { effect: 'stale' });
    assert.deepEqual(read(kv, 'x'), { ok: true, value: 'abc' });
  });

  it('sequence numbers may skip (a client that gave up on a request) but never go back', () => {
    const kv = newKv(10);
    applyWrite(kv, c1, 5, { type: 'put', key: 'x', value: '5' });
    assert.equal(applyWrite(kv, c1, 3, { type: 'put', key: 'x', value: '3' }).effect, 'stale');
    assert.equal(applyWrite(kv, c1, 9, { type: 'put', key: 'x', value: '9' }).effect, 'applied');
    assert.equal(read(kv, 'x').value, '9');
  });

  it('keeps at most sessionsMax sessions, evicting the least recently used deterministically', () => {
    const kv = newKv(2);
    applyWrite(kv, clientId('a'), 1, { type: 'put', key: 'k', value: 'a' });
    applyWrite(kv, clientId('b'), 1, { type: 'put', key: 'k', value: 'b' });
    applyWrite(kv, clientId('a'), 2, { type: 'put', key: 'k', value: 'a2' }); // a is now most recent
    applyWrite(kv, clientId('c'), 1, { type: 'put', key: 'k', value: 'c' }); // evicts b
    assert.deepEqual([...kv.sessions.keys()], ['a', 'c']);
  });

  it('refuses a put, append or cas that would make a value longer than MAX_VALUE_LENGTH, changing nothing', () => {
    const data = new Map<string, string>();
    const big = 'v'.repeat(MAX_VALUE_LENGTH);
    assert.deepEqual(execute(data, { type: 'put', key: 'k', value: big }), { ok: true, value: big });
    assert.deepEqual(execute(data, { type: 'append', key: 'k', value: '!' }), { ok: false, value: big });
    assert.deepEqual(execute(data, { type: 'put', key: 'j', value: `${big}!` }), { ok: false, value: null });
    assert.deepEqual(execute(data, { type: 'cas', key: 'k', expected: big, value: `${big}!` }), { ok: false, value: big });
    assert.equal(data.get('k'), big);
    assert.equal(data.has('j'), false);
  });

  it('a snapshot carries the data and the sessions (with their order) and restores them', () => {
    const kv = newKv();
    applyWrite(kv, clientId('a'), 1, { type: 'put', key: 'x', value: '1' });
    applyWrite(kv, clientId('b'), 4, { type: 'append', key: 'y', value: 'z' });
    const snap = snapshotOf(kv, logIndex(9), term(2));
    assert.deepEqual(JSON.parse(JSON.stringify(snap)), {
      index: 9,
      term: 2,
      data: [
        ['x', '1'],
        ['y', 'z'],
      ],
      sessions: [
        ['a', 1, { ok: true, value: '1' }],
        ['b', 4, { ok: true, value: 'z' }],
      ],
    });
    const back = kvFromSnapshot(snap);
    assert.deepEqual([...back.data], [...kv.data]);
    assert.deepEqual([...back.sessions], [...kv.sessions]);
    assert.equal(
      applyWrite(back, clientId('b'), 4, { type: 'append', key: 'y', value: 'z' }).effect,
      'duplicate',
      'a retry after a restore is still answered from the session',
    );
  });
});
