// Where two runs of a seed part: side by side, the step, the node and the field.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { findDivergence, firstDifference } from './divergence';
import type { RaftNode } from './node-api';
import { loadScenario } from './tracefile';

const root = join(__dirname, '..');
const scenario = loadScenario(readFileSync(join(root, 'examples/default.raftsim'), 'utf8'), 'default.raftsim');
const raft = createRequire(__filename)(join(root, 'examples/your-node/raft.js')) as RaftNode<{ elapsed: number }, unknown>;

describe('where two runs of a seed part', () => {
  it('names the first differing field of two values: lists, Maps, Sets, classes, missing keys', () => {
    class Leader {}
    class Follower {}
    assert.equal(firstDifference({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] }, 'state'), 'state.a[1].b: 2 in one run, 3 in the other');
    assert.equal(firstDifference({ r: new Leader() }, { r: new Follower() }, 'state'), 'state.r: a Leader in one run, a Follower in the other');
    assert.equal(firstDifference(new Map([['n1', 1]]), new Map([['n1', 2]]), 'm'), 'm.n1: 1 in one run, 2 in the other');
    assert.equal(
      firstDifference(
        new Map([
          ['a', 1],
          ['b', 2],
        ]),
        new Map([
          ['b', 2],
          ['a', 1],
        ]),
        'm',
      ),
      'm: key "a" at position 1 in one run, "b" in the other',
      "a Map's order is part of it",
    );
    assert.equal(firstDifference(new Set([1, 2]), new Set([1]), 's'), 's: 2 items in one run, 1 in the other');
    assert.equal(firstDifference({ a: 1 }, { a: 1, b: 2 }, 'x'), 'x.b: absent in one run, set in the other');
    const cyclic: Record<string, unknown> = { n: 1 };
    cyclic.self = cyclic;
    assert.equal(firstDifference(cyclic, { n: 1, self: cyclic }, 'c'), null);
    assert.equal(firstDifference({ f: () => 1 }, { f: () => 2 }, 'x'), null, 'code is not state');
  });

  it("the core, and a deterministic user's node: no divergence", () => {
    assert.equal(findDivergence({ ...scenario, maxSteps: 3000 }, 5), null);
    assert.equal(findDivergence({ ...scenario, maxSteps: 3000 }, 5, { module: raft, label: 'raft.js' }), null);
  });

  it("a user's node that keeps a counter outside its state: the step, the node and the field where it shows", () => {
    let ticks = 0;
    const leaky: RaftNode<{ elapsed: number }, unknown> = {
      ...raft,
      step(state, input) {
        const r = raft.step(state, input);
        if (input.type === 'tick' && ++ticks === 101) r.state.elapsed += 1;
        return r;
      },
    };
    const d = findDivergence(scenario, 5, { module: leaky, label: 'leaky' });
    assert.ok(d !== null);
    assert.ok(d.step > 0 && d.node !== null, JSON.stringify(d));
    assert.equal(d.event, `${d.node} tick`);
    assert.match(d.detail, /^its state\.elapsed: \d+ in one run, \d+ in the other$/);
  });
});
