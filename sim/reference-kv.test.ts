import assert from 'node:assert/strict';
import fc from 'fast-check';
import { clientId, type KvWriteOp } from '../core';
import { applyWrite, newKv } from '../core/kv';
import { ReferenceKv, sameResult } from './reference-kv';

describe("reference state machine (the checker's model of core/kv.ts)", () => {
  it('answers, deduplicates and refuses stale requests by the contract', () => {
    const kv = new ReferenceKv();
    const c = clientId('c1');
    assert.deepEqual(kv.apply(c, 1, { type: 'put', key: 'x', value: 'a' }), { effect: 'applied', result: { ok: true, value: 'a' } });
    assert.deepEqual(kv.apply(c, 2, { type: 'append', key: 'x', value: 'b' }), { effect: 'applied', result: { ok: true, value: 'ab' } });
    assert.deepEqual(
      kv.apply(c, 2, { type: 'append', key: 'x', value: 'b' }),
      { effect: 'duplicate', result: { ok: true, value: 'ab' } },
      'a retry repeats the first answer',
    );
    assert.deepEqual(kv.apply(c, 1, { type: 'put', key: 'x', value: 'a' }), { effect: 'stale', result: null });
    assert.deepEqual(kv.apply(c, 3, { type: 'cas', key: 'x', expected: 'zz', value: 'c' }), { effect: 'applied', result: { ok: false, value: 'ab' } });
    assert.deepEqual(kv.apply(c, 4, { type: 'delete', key: 'x' }), { effect: 'applied', result: { ok: true, value: null } });
    assert.deepEqual(kv.apply(c, 5, { type: 'delete', key: 'x' }), { effect: 'applied', result: { ok: false, value: null } });
    assert.equal(kv.data.size, 0);
  });

  it('forgets the least recently used session beyond its limit', () => {
    const kv = new ReferenceKv(2);
    const put = (v: string): KvWriteOp => ({ type: 'put', key: 'k', value: v });
    kv.apply(clientId('a'), 1, put('1'));
    kv.apply(clientId('b'), 1, put('2'));
    kv.apply(clientId('a'), 2, put('3'));
    kv.apply(clientId('c'), 1, put('4'));
    assert.deepEqual([...kv.sessions.keys()], ['a', 'c']);
  });

  it("agrees with the core's state machine on any sequence of requests, retries and stale ones (property)", () => {
    const op = fc.oneof(
      fc.record({ type: fc.constant('put' as const), key: fc.constantFrom('x', 'y'), value: fc.string({ maxLength: 3 }) }),
      fc.record({ type: fc.constant('append' as const), key: fc.constantFrom('x', 'y'), value: fc.string({ maxLength: 3 }) }),
      fc.record({ type: fc.constant('delete' as const), key: fc.constantFrom('x', 'y') }),
      fc.record({
        type: fc.constant('cas' as const),
        key: fc.constantFrom('x', 'y'),
        expected: fc.option(fc.constantFrom('', 'a', 'ab'), { nil: null }),
        value: fc.string({ maxLength: 3 }),
      }),
    );
    const request = fc.record({ client: fc.constantFrom('c1', 'c2', 'c3'), seq: fc.integer({ min: 1, max: 6 }), op });
    fc.assert(
      fc.property(fc.array(request, { maxLength: 60 }), fc.integer({ min: 1, max: 3 }), (requests, sessionsMax) => {
        const core = newKv(sessionsMax);
        const ref = new ReferenceKv(sessionsMax);
        for (const r of requests) {
          const got = applyWrite(core, clientId(r.client), r.seq, r.op);
          const want = ref.apply(clientId(r.client), r.seq, r.op);
          assert.equal(got.effect, want.effect);
          assert.ok(sameResult(got.effect === 'stale' ? null : got.result, want.result), JSON.stringify({ got, want }));
        }
        assert.deepEqual([...core.data], [...ref.data]);
        assert.deepEqual(
          [...core.sessions].map(([c, s]) => [c, s.lastSeq, s.lastResult]),
          [...ref.sessions].map(([c, s]) => [c, s.seq, s.result]),
        );
      }),
      { numRuns: 500 },
    );
  });
});
