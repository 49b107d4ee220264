import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_VALUE_LENGTH } from '../../core/kv';
import type { HistoryOp } from '../workload';
import { checkHistory, HistoryError, malformedReply, modelStep, parseHistory, validateOperation, type Operation, type State } from './index';

type Op = Operation;
const op = (client: string, o: Partial<Op> & Pick<Op, 'op' | 'call' | 'return'>): Op => ({ client, key: 'x', ...o }) as Op;
const put = (c: string, value: string, call: number, ret: number | null): Op => op(c, { op: 'put', value, call, return: ret });
const get = (c: string, output: string | null, call: number, ret: number): Op => op(c, { op: 'get', output, call, return: ret });
const cas = (c: string, expected: string | null, value: string, output: boolean | undefined, call: number, ret: number | null): Op =>
  op(c, { op: 'cas', expected, value, ...(output === undefined ? {} : { output }), call, return: ret });
const append = (c: string, value: string, output: string | undefined, call: number, ret: number | null): Op =>
  op(c, { op: 'append', value, ...(output === undefined ? {} : { output }), call, return: ret });

const verdict = (h: Op[]): string => checkHistory(h).result;

describe('linearizability: classic cases', () => {
  it('sequential writes and reads', () => {
    assert.equal(verdict([put('a', '1', 0, 10), get('b', '1', 20, 30)]), 'ok');
    assert.equal(verdict([put('a', '1', 0, 10), get('b', null, 20, 30)]), 'illegal', 'a read after a completed write must see it');
    assert.equal(verdict([get('b', null, 0, 5), put('a', '1', 10, 20)]), 'ok');
  });

  it('a read concurrent with a write may see either value', () => {
    assert.equal(verdict([put('a', '1', 0, 10), get('b', '1', 5, 15)]), 'ok');
    assert.equal(verdict([put('a', '1', 0, 10), get('b', null, 5, 15)]), 'ok');
  });

  it('once a read saw the new value, a later read cannot see the old one', () => {
    const h = [put('a', '1', 0, 100), get('b', '1', 10, 20), get('c', null, 30, 40)];
    assert.equal(verdict(h), 'illegal');
    const r = checkHistory(h);
    assert.equal(r.result, 'illegal');
    if (r.result === 'illegal') {
      assert.equal(r.key, 'x');
      assert.deepEqual(r.operations, [0, 1, 2]);
    }
  });

  it('two writes and readers that disagree on their order', () => {
    // w1 and w2 overlap; r1 sees 1 then 2, r2 sees 2 then 1: no single order explains both.
    const h = [put('a', '1', 0, 50), put('b', '2', 0, 50), get('c', '1', 10, 20), get('c', '2', 30, 40), get('d', '2', 10, 20), get('d', '1', 30, 40)];
    assert.equal(verdict(h), 'illegal');
    assert.equal(verdict(h.slice(0, 4)), 'ok', 'c alone is explained by the order 1, 2');
    assert.equal(verdict([...h.slice(0, 2), get('c', '1', 60, 61), get('c', '2', 62, 63)]), 'illegal', 'after both writes returned the value cannot change');
  });

  it('a write that never returned may take effect at any time after its call, or never', () => {
    assert.equal(verdict([put('a', '1', 0, null), get('b', null, 10, 20)]), 'ok', 'not yet, or never');
    assert.equal(verdict([put('a', '1', 0, null), get('b', '1', 10, 20)]), 'ok', 'took effect');
    assert.equal(verdict([put('a', '1', 0, null), get('b', '1', 10, 20), get('b', null, 30, 40)]), 'illegal', 'it cannot be undone');
    assert.equal(verdict([get('b', '1', 0, 5), put('a', '1', 10, null)]), 'illegal', 'not before its call');
  });

  it('cas succeeds only on the expected value', () => {
    assert.equal(verdict([put('a', '1', 0, 10), cas('b', '1', '2', true, 20, 30), get('c', '2', 40, 50)]), 'ok');
    assert.equal(verdict([put('a', '1', 0, 10), cas('b', '0', '2', true, 20, 30)]), 'illegal');
    assert.equal(verdict([put('a', '1', 0, 10), cas('b', '1', '2', false, 20, 30)]), 'illegal', 'it must have swapped');
    assert.equal(verdict([cas('b', null, '1', true, 0, 10), get('c', '1', 20, 30)]), 'ok', 'null expects an absent key');
    // Two concurrent cas from the same value: only one may win.
    assert.equal(verdict([put('a', '0', 0, 1), cas('b', '0', '1', true, 10, 20), cas('c', '0', '2', true, 10, 20)]), 'illegal');
    assert.equal(verdict([put('a', '0', 0, 1), cas('b', '0', '1', true, 10, 20), cas('c', '0', '2', false, 10, 20)]), 'ok');
  });

  it('a pending cas may or may not have swapped', () => {
    assert.equal(verdict([put('a', '0', 0, 1), cas('b', '0', '1', undefined, 10, null), get('c', '1', 20, 30)]), 'ok');
    assert.equal(verdict([put('a', '0', 0, 1), cas('b', '0', '1', undefined, 10, null), get('c', '0', 20, 30)]), 'ok');
    assert.equal(
      verdict([put('a', '5', 0, 1), cas('b', '0', '1', undefined, 10, null), get('c', '1', 20, 30)]),
      'illegal',
      'the expected value was never there',
    );
  });

  it('appends accumulate in one order', () => {
    assert.equal(verdict([append('a', 'x', 'x', 0, 10), append('b', 'y', 'xy', 5, 15)]), 'ok');
    assert.equal(verdict([append('a', 'x', 'yx', 0, 10), append('b', 'y', 'y', 5, 15)]), 'ok');
    assert.equal(verdict([append('a', 'x', 'x', 0, 10), append('b', 'y', 'y', 5, 15)]), 'illegal', 'both cannot be first');
    assert.equal(verdict([append('a', 'x', undefined, 0, null), get('b', 'x', 20, 30), get('b', 'x', 40, 50)]), 'ok');
  });

  it('delete reports whether the key existed', () => {
    assert.equal(verdict([put('a', '1', 0, 10), op('b', { op: 'delete', output: true, call: 20, return: 30 }), get('c', null, 40, 50)]), 'ok');
    assert.equal(verdict([op('b', { op: 'delete', output: true, call: 20, return: 30 })]), 'illegal');
  });

  it('a put reports whether it was applied: only an over-long value may be refused', () => {
    const refused = (c: string, value: string, call: number, ret: number): Op => op(c, { op: 'put', value, output: false, call, return: ret });
    assert.equal(verdict([put('a', '1', 0, 10), refused('b', '2', 20, 30), get('c', '1', 40, 50)]), 'illegal', 'the store refuses only values over its limit');
    assert.equal(verdict([put('a', '1', 0, 10), op('b', { op: 'put', value: '2', output: true, call: 20, return: 30 }), get('c', '2', 40, 50)]), 'ok');
    const huge = 'v'.repeat(MAX_VALUE_LENGTH + 1);
    assert.equal(verdict([put('a', '1', 0, 10), refused('b', huge, 20, 30), get('c', '1', 40, 50)]), 'ok', 'a refused put changes nothing');
    assert.equal(
      verdict([put('a', '1', 0, 10), op('b', { op: 'put', value: huge, output: true, call: 20, return: 30 })]),
      'illegal',
      'an over-long value is never applied',
    );
  });

  it('keys are independent (P-compositionality) and the failing key is named', () => {
    const h = [put('a', '1', 0, 10), { ...get('b', null, 20, 30), key: 'y' }, { ...put('a', '2', 0, 10), key: 'z' }, { ...get('b', '3', 20, 30), key: 'z' }];
    const r = checkHistory(h);
    assert.equal(r.result, 'illegal');
    if (r.result === 'illegal') {
      assert.equal(r.key, 'z');
      assert.deepEqual(r.operations, [3]);
      assert.ok(r.partial.length >= 1);
    }
  });

  it('reduces an illegal key to a small failing core', () => {
    const h: Op[] = [];
    for (let i = 0; i < 40; i++) h.push(put(`c${i % 4}`, String(i), i * 100, i * 100 + 50));
    h.push(get('z', '3', 4000, 4010)); // long after the last write ("39")
    const r = checkHistory(h);
    assert.equal(r.result, 'illegal');
    if (r.result === 'illegal') {
      assert.ok(r.operations.length <= 3, `minimal set ${r.operations}`);
      assert.ok(r.operations.includes(40));
      assert.equal(checkHistory(r.operations.map((i) => h[i]!)).result, 'illegal', 'the reported operations alone are illegal');
    }
  });

  it('blames the stale read, not a cas that only its own new value could explain (etcd_001 of Porcupine)', () => {
    // A cas from "0" to "0" writes "0" itself, but it cannot be the writer its own expectation
    // needs: without the put of "0" the cas alone fails, and was the answer, though it is fine in
    // context. The stale read is what breaks: put 4, then put 1 completes, then a read of 4.
    const h = [put('a', '0', 1, 2), cas('b', '0', '0', true, 3, 4), put('c', '4', 5, 6), put('a', '1', 7, 8), get('d', '4', 9, 10)];
    const r = checkHistory(h);
    assert.equal(r.result, 'illegal');
    if (r.result === 'illegal') assert.deepEqual(r.operations, [2, 3, 4]);
  });

  it('answers a set where no one operation is superfluous, even once another went first', () => {
    // The writer of "4" is needed while the cas from "4" is in the set; once the cas is gone, so is it.
    const h = [put('a', '4', 1, 2), cas('b', '4', '9', true, 3, 4), put('c', '3', 5, 6), put('d', '4', 7, 8), get('e', '3', 9, 10), put('a', '7', 11, 12)];
    const r = checkHistory(h);
    assert.equal(r.result, 'illegal');
    if (r.result === 'illegal') {
      assert.deepEqual(r.operations, [2, 3, 4]);
      // (Without the put of "3" the read would have no writer: a set that says nothing.)
      for (const drop of [3, 4])
        assert.equal(checkHistory(r.operations.filter((i) => i !== drop).map((i) => h[i]!)).result, 'ok', `without #${drop} the rest is linearizable`);
    }
  });

  it('gives up with unknown past its search budget', () => {
    const h: Op[] = [];
    for (let i = 0; i < 12; i++) h.push(put(`c${i}`, String(i), 0, 1000));
    h.push(get('z', '99', 2000, 2001));
    const r = checkHistory(h, { searchStepsMax: 50 });
    assert.equal(r.result, 'unknown');
    assert.equal(checkHistory(h).result, 'illegal');
  });
});

describe('linearizability: budgets and hard keys', () => {
  /** Many concurrent writes and a read no order explains: illegal, but only after an exhaustive search. */
  const hard = (key: string, writers: number): Op[] => {
    const h: Op[] = [];
    for (let i = 0; i < writers; i++) h.push({ ...put(`c${i}`, String(i), 0, 1000), key });
    h.push({ ...get('z', '99', 2000, 2001), key });
    return h;
  };

  it('a key that fails quickly is found even when a hard key comes first', () => {
    const h = [...hard('hard', 18), { ...put('a', '1', 0, 10), key: 'easy' }, { ...get('b', '2', 20, 30), key: 'easy' }];
    const r = checkHistory(h, { minimize: false });
    assert.equal(r.result, 'illegal');
    if (r.result === 'illegal') {
      assert.equal(r.key, 'easy');
      assert.ok(r.searchSteps < 20_000, `decided after ${r.searchSteps} steps`);
    }
  });

  it('a search that would exceed the memory budget answers unknown with the reason, not a crash', () => {
    const r = checkHistory(hard('hard', 18), { memoryBytesMax: 256 * 1024 });
    assert.equal(r.result, 'unknown');
    if (r.result === 'unknown') {
      assert.equal(r.key, 'hard');
      assert.match(r.reason, /^memory budget of 0.25 MiB reached \(0.[0-9]+ MiB of search state/);
    }
  });

  it('every key may start from a given value (a store that reads a missing key as "")', () => {
    const h = [get('a', '', 0, 1), append('b', 'x', undefined, 2, 3), get('a', 'x', 4, 5)];
    assert.equal(checkHistory(h).result, 'illegal');
    assert.equal(checkHistory(h, { initial: '' }).result, 'ok');
  });
});

describe('linearizability: properties', () => {
  /** Runs random operations sequentially against the model, then gives them random overlapping intervals that still contain their sequential point. */
  const arbHistory = fc
    .array(
      fc.record({
        kind: fc.constantFrom('get', 'put', 'delete', 'cas', 'append'),
        key: fc.constantFrom('a', 'b', 'c'),
        client: fc.integer({ min: 0, max: 5 }),
        value: fc.constantFrom('1', '2', '3'),
        useLast: fc.boolean(),
        before: fc.integer({ min: 0, max: 30 }),
        after: fc.integer({ min: 0, max: 30 }),
        pending: fc.integer({ min: 0, max: 9 }),
      }),
      { minLength: 1, maxLength: 60 },
    )
    .map((specs) => {
      const state = new Map<string, State>();
      const ops: Op[] = [];
      specs.forEach((s, i) => {
        const t = i * 10 + 5; // the operation's linearization point
        const cur = state.get(s.key) ?? null;
        let o: Omit<Op, 'call' | 'return'>;
        switch (s.kind) {
          case 'get':
            o = { client: `c${s.client}`, op: 'get', key: s.key, output: cur };
            break;
          case 'put':
            o = { client: `c${s.client}`, op: 'put', key: s.key, value: s.value };
            break;
          case 'delete':
            o = { client: `c${s.client}`, op: 'delete', key: s.key, output: cur !== null };
            break;
          case 'cas': {
            const expected = s.useLast ? cur : s.value;
            o = { client: `c${s.client}`, op: 'cas', key: s.key, expected, value: `${s.value}${i}`, output: cur === expected };
            break;
          }
          default:
            o = { client: `c${s.client}`, op: 'append', key: s.key, value: s.value, output: (cur ?? '') + s.value };
        }
        const [ok, next] = modelStep(cur, { ...o, call: 0, return: 0 } as Op);
        assert.ok(ok);
        state.set(s.key, next);
        const pending = s.pending === 0 && o.op !== 'get';
        const { output: _out, ...withoutOutput } = o;
        ops.push(pending ? ({ ...withoutOutput, call: t - s.before, return: null } as Op) : ({ ...o, call: t - s.before, return: t + s.after } as Op));
      });
      return ops;
    });

  it('histories produced by running operations sequentially against the model are always ok', () => {
    fc.assert(
      fc.property(arbHistory, (h) => {
        assert.equal(checkHistory(h).result, 'ok');
      }),
      { numRuns: 300 },
    );
  });

  it('changing one read to a value never written is always illegal', () => {
    fc.assert(
      fc.property(arbHistory, fc.nat(), (h, pick) => {
        const reads = h.map((o, i) => [o, i] as const).filter(([o]) => o.op === 'get' && o.return !== null);
        fc.pre(reads.length > 0);
        const [, i] = reads[pick % reads.length]!;
        const broken = h.map((o, j) => (j === i ? { ...o, output: 'never-written' } : o));
        const r = checkHistory(broken);
        assert.equal(r.result, 'illegal');
        if (r.result === 'illegal') {
          // The reported operations are illegal on their own...
          assert.equal(
            checkHistory(
              r.operations.map((k) => broken[k]!),
              { minimize: false },
            ).result,
            'illegal',
          );
          // ...and where the key has only puts of distinct values and gets (every value read names its
          // one writer),
          // they include the culprit rather than a read whose writer was removed.
          const sameKey = broken.filter((o) => o.key === broken[i]!.key);
          const puts = sameKey.filter((o) => o.op === 'put').map((o) => o.value);
          const exact = sameKey.every((o) => o.op === 'put' || o.op === 'get') && new Set(puts).size === puts.length;
          if (exact) assert.ok(r.operations.includes(i), 'the broken read is in the failing set');
        }
      }),
      { numRuns: 300 },
    );
  });
});

/** Brute force: some order of the returned operations plus any subset of pending ones, respecting real time and the model. */
function bruteForce(h: readonly Op[]): boolean {
  const byKey = new Map<string, number[]>();
  h.forEach((o, i) => byKey.set(o.key, [...(byKey.get(o.key) ?? []), i]));
  return [...byKey.values()].every((idx) => {
    const ops = idx.map((i) => h[i]!);
    const used = new Array<boolean>(ops.length).fill(false);
    const go = (state: State, count: number, lastPoint: number): boolean => {
      if (ops.every((o, i) => used[i] || o.return === null)) return true;
      for (let i = 0; i < ops.length; i++) {
        if (used[i]) continue;
        // Real time: i may go next only if no unused operation returned before i was called.
        if (ops.some((o, j) => !used[j] && j !== i && o.return !== null && o.return < ops[i]!.call)) continue;
        const [ok, ns] = modelStep(state, ops[i]!);
        if (!ok) continue;
        used[i] = true;
        if (go(ns, count + 1, Math.max(lastPoint, ops[i]!.call))) return true;
        used[i] = false;
      }
      return false;
    };
    return go(null, 0, 0);
  });
}

describe('linearizability: against brute force', () => {
  const small = fc
    .array(
      fc.record({
        op: fc.constantFrom('get', 'put', 'delete', 'cas', 'append'),
        key: fc.constantFrom('a', 'b'),
        value: fc.constantFrom('1', '2'),
        expected: fc.constantFrom(null, '1', '2'),
        out: fc.constantFrom(null, '1', '2', '12', '21', true, false, 'none'),
        call: fc.integer({ min: 0, max: 20 }),
        dur: fc.integer({ min: 0, max: 20 }),
        pending: fc.integer({ min: 0, max: 4 }),
      }),
      { minLength: 1, maxLength: 7 },
    )
    .map((specs) =>
      specs.map((s, i): Op => {
        const ret = s.pending === 0 ? null : s.call + s.dur;
        const base = { client: `c${i}`, op: s.op, key: s.key, call: s.call, return: ret } as Op;
        const withArgs = {
          ...base,
          ...(s.op === 'put' || s.op === 'append' || s.op === 'cas' ? { value: s.value } : {}),
          ...(s.op === 'cas' ? { expected: s.expected } : {}),
        } as Op;
        if (ret === null) return withArgs;
        switch (s.op) {
          case 'get':
            return { ...withArgs, output: typeof s.out === 'boolean' || s.out === 'none' ? null : s.out };
          case 'cas':
            return { ...withArgs, output: typeof s.out === 'boolean' ? s.out : true };
          case 'delete':
            return typeof s.out === 'boolean' ? { ...withArgs, output: s.out } : withArgs;
          case 'append':
            return typeof s.out === 'string' && s.out !== 'none' ? { ...withArgs, output: s.out } : withArgs;
          default:
            return withArgs;
        }
      }),
    );

  it('agrees with exhaustive search on small histories, legal or not', () => {
    let illegal = 0;
    fc.assert(
      fc.property(small, (h) => {
        const expected = bruteForce(h);
        const r = checkHistory(h, { minimize: false });
        assert.equal(r.result, expected ? 'ok' : 'illegal');
        if (!expected) illegal++;
      }),
      { numRuns: Number(process.env.LIN_RUNS ?? 2000) },
    );
    assert.ok(illegal > 100, `only ${illegal} illegal histories generated`);
  });
});

describe("linearizability: the simulated clients' answers", () => {
  const h = (op: HistoryOp['op'], output: unknown, value?: string): HistoryOp =>
    ({ client: 'c1', op, key: 'x', ...(value === undefined ? {} : { value }), call: 0, return: 1, output }) as unknown as HistoryOp;
  it('a well-formed answer passes; a garbled field is named', () => {
    assert.equal(malformedReply(h('get', { ok: true, value: null })), null);
    assert.equal(malformedReply(h('put', { ok: true, value: 'v' }, 'v')), null);
    assert.equal(malformedReply(h('put', { ok: false, value: 'old' }, 'v')), null, 'a refusal answers the current value');
    assert.equal(malformedReply(h('append', { ok: true, value: 'ab' }, 'b')), null);
    assert.equal(malformedReply(h('delete', { ok: false, value: null })), null);
    assert.match(malformedReply(h('get', {}))!, /"ok" is undefined/);
    assert.match(malformedReply(h('get', { ok: false, value: 'v' }))!, /a get answered ok=false/);
    assert.match(malformedReply(h('get', { ok: true }))!, /"value" is undefined/);
    assert.match(malformedReply(h('put', { ok: true, value: 'w' }, 'v'))!, /an applied put of "v" answered the value "w"/);
    assert.match(malformedReply(h('append', { ok: true, value: 'a' }, 'b'))!, /an applied append/);
    assert.match(malformedReply(h('delete', { ok: true, value: 'v' }))!, /a delete answered the value "v"/);
  });

  it('an append is refused only when the value would go over the limit', () => {
    assert.match(malformedReply(h('append', { ok: false, value: 'ab' }, 'c'))!, /an append of "c" was refused though the value would stay within/);
    const big = 'x'.repeat(MAX_VALUE_LENGTH);
    assert.equal(malformedReply(h('append', { ok: false, value: big }, 'c')), null);
    // The model: a refused append answers the current value and changes nothing.
    assert.deepEqual(modelStep(big, { client: 'c', op: 'append', key: 'k', value: 'c', output: big, call: 0, return: 1 }), [true, big]);
    assert.deepEqual(modelStep(big, { client: 'c', op: 'append', key: 'k', value: 'c', call: 0, return: null }), [true, big]);
    assert.deepEqual(modelStep(big, { client: 'c', op: 'append', key: 'k', value: 'c', output: `${big}c`, call: 0, return: 1 }), [false, big]);
  });
});

describe('linearizability: history format', () => {
  it('parses an array or { operations }', () => {
    const h = [{ client: 'c1', op: 'put', key: 'x', value: '1', call: 0, return: 5 }];
    assert.deepEqual(parseHistory(JSON.stringify(h), 'h.json'), h);
    assert.deepEqual(parseHistory(JSON.stringify({ operations: h }), 'h.json'), h);
  });

  const bad: [unknown, RegExp][] = [
    [{ op: 'put', key: 'x', value: '1', call: 0, return: 1 }, /"client" must be a non-empty string/],
    [{ client: 'c', op: 'inc', key: 'x', call: 0, return: 1 }, /"op" must be one of get, put, delete, cas, append \(got "inc"\)/],
    [{ client: 'c', op: 'get', key: 'x', output: null, call: 5, return: 1 }, /"return" \(1\) is before "call" \(5\)/],
    [{ client: 'c', op: 'get', key: 'x', call: 0 }, /"return" is missing/],
    [{ client: 'c', op: 'get', key: 'x', call: 0, return: 1 }, /a get that returned needs "output"/],
    [{ client: 'c', op: 'put', key: 'x', call: 0, return: 1 }, /a put needs a string "value"/],
    [{ client: 'c', op: 'cas', key: 'x', value: '1', call: 0, return: 1, output: true }, /a cas needs "expected"/],
    [{ client: 'c', op: 'put', key: 'x', value: '1', call: 0, return: null, output: 'x' }, /never returned has no "output"/],
    [{ client: 'c', op: 'put', key: 'x', value: '1', call: 0.5, return: 1 }, /"call" must be an integer time/],
    [{ client: 'c', op: 'put', key: 'x', value: '1', call: 0, return: 1, output: '1' }, /a put's "output" is whether it was applied \(true\/false\)/],
    [{ client: 'c', op: 'put', key: 'x', value: '1', call: 0, return: 1, extra: 1 }, /unknown field "extra"/],
  ];
  for (const [o, message] of bad) {
    it(`refuses ${JSON.stringify(o)}`, () => {
      assert.throws(
        () => validateOperation(o, 'h.json: operation 0'),
        (e: unknown) => e instanceof HistoryError && message.test(e.message) && e.message.startsWith('h.json: operation 0: '),
      );
    });
  }

  it('refuses non-JSON and non-lists', () => {
    assert.throws(() => parseHistory('{', 'h.json'), /^HistoryError: h.json:1:2: not JSON/);
    assert.throws(() => parseHistory('{"a":1}', 'h.json'), /expected a JSON array of operations/);
  });
});
