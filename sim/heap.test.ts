import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EventHeap } from './heap';
import { firstDivergence } from './trace';

describe('event heap', () => {
  it('pops in (time, insertion) order, like a stable sort', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 300 }), (times) => {
        const h = new EventHeap<{ time: number; seq: number; id: number }>();
        times.forEach((time, id) => h.push({ time, seq: 0, id }));
        const popped: number[] = [];
        for (let e = h.pop(); e !== undefined; e = h.pop()) popped.push(e.id);
        const expected = times
          .map((time, id) => ({ time, id }))
          .sort((a, b) => a.time - b.time || a.id - b.id)
          .map((e) => e.id);
        assert.deepEqual(popped, expected);
      }),
    );
  });

  it('interleaves pushes and pops correctly', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 50 }), fc.constant(-1)), { maxLength: 400 }), (ops) => {
        const h = new EventHeap<{ time: number; seq: number }>();
        const model: { time: number; seq: number }[] = [];
        let seq = 0;
        for (const op of ops) {
          if (op >= 0) {
            h.push({ time: op, seq: 0 });
            model.push({ time: op, seq: seq++ });
          } else {
            model.sort((a, b) => a.time - b.time || a.seq - b.seq);
            const want = model.shift();
            const got = h.pop();
            assert.deepEqual(got && { time: got.time, seq: got.seq }, want);
          }
        }
        assert.equal(h.size, model.length);
      }),
    );
  });
});

describe('trace divergence', () => {
  it('finds the first step whose byte differs', () => {
    assert.equal(firstDivergence(new Uint8Array([0, 1, 2, 3]), new Uint8Array([0, 1, 2, 3])), null);
    assert.equal(firstDivergence(new Uint8Array([0, 1, 2, 3]), new Uint8Array([0, 1, 9, 3])), 2);
    assert.equal(firstDivergence(new Uint8Array([0, 1, 2]), new Uint8Array([0, 1, 2, 3])), 3);
  });
});
