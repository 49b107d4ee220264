import assert from 'node:assert/strict';
import { Network } from './network';
import { Rng } from './rng';

const uniform = { kind: 'uniform', minUs: 1000, maxUs: 2000 } as const;

describe('network model', () => {
  it('delivers within the latency range, reordering messages', () => {
    const net = new Network(3, uniform, { drop: 0, duplicate: 0 }, new Rng('net'));
    const out = new Float64Array(2);
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      assert.equal(net.deliveries(0, 1, 10_000 + i, out), 1);
      assert.ok(out[0]! >= 11_000 + i && out[0]! <= 12_000 + i);
      times.push(out[0]!);
    }
    assert.ok(
      times.some((t, i) => i > 0 && t < times[i - 1]!),
      'later messages sometimes arrive first',
    );
  });

  it('drops and duplicates at the given rates', () => {
    const net = new Network(2, uniform, { drop: 0.2, duplicate: 0.1 }, new Rng('rates'));
    const out = new Float64Array(2);
    let lost = 0;
    let dup = 0;
    for (let i = 0; i < 10_000; i++) {
      const copies = net.deliveries(0, 1, 0, out);
      if (copies === 0) lost++;
      if (copies === 2) dup++;
    }
    assert.ok(lost > 1800 && lost < 2200, `lost ${lost}`);
    assert.ok(dup > 650 && dup < 950, `duplicated ${dup}`);
  });

  it('partitions symmetric, one-way and isolating; heal restores', () => {
    const net = new Network(3, uniform, { drop: 0, duplicate: 0 }, new Rng('p'));
    const out = new Float64Array(2);
    const reach = (a: number, b: number): boolean => net.deliveries(a, b, 0, out) > 0;
    net.partition([[0], [1, 2]]);
    assert.deepEqual([reach(0, 1), reach(1, 0), reach(1, 2)], [false, false, true]);
    net.heal();
    net.cutLink(0, 1);
    assert.deepEqual([reach(0, 1), reach(1, 0)], [false, true]);
    net.isolate(2);
    assert.deepEqual([reach(0, 1), reach(2, 0), reach(1, 2)], [true, false, false]);
    assert.deepEqual(net.cutLinks(), ['n1→n3', 'n2→n3', 'n3→n1', 'n3→n2']);
    net.heal();
    assert.equal(reach(2, 0), true);
    assert.equal(reach(0, 0), true, 'a node reaches itself (self-acknowledgements)');
  });

  it('a clogged link holds messages until the clog clears', () => {
    const net = new Network(2, uniform, { drop: 0, duplicate: 0 }, new Rng('c'));
    const out = new Float64Array(2);
    net.clog(0, 1, 50_000);
    net.deliveries(1, 0, 0, out);
    assert.equal(out[0], 50_000);
    net.unclog();
    net.deliveries(1, 0, 0, out);
    assert.ok(out[0]! <= 2000);
  });
});
