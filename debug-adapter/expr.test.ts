import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_SCENARIO, EventKind, loadScenario, Simulation } from '../sim';
import { complete, equal, Expr, ExprError, fingerprint, show, type Env, type Value } from './expr';
import { dataValue, rec, seq, simEnv } from './views';

const env: Env = {
  lookup: (name) => {
    const vars: Record<string, Value> = {
      a: 3,
      b: 4,
      s: 'x',
      t: true,
      nil: null,
      list: [1, 2, 3],
      node: rec({ id: () => 'n2', term: () => 7, log: () => seq(5, (i) => i * 10) }, 'n2'),
    };
    return Object.hasOwn(vars, name) ? vars[name] : undefined;
  },
  names: () => ['a', 'b', 's', 't', 'nil', 'list', 'node'],
};

const ev = (src: string): Value => Expr.parse(src).evaluate(env);

describe('expression language', () => {
  it("a data breakpoint on plain data (a user's node's state) sees a change at any depth", () => {
    const log = (t: number) => dataValue({ log: [{ term: 1 }, { term: t }], votes: new Map([['n1', true]]) });
    assert.notEqual(fingerprint(log(2)), fingerprint(log(3)), 'an entry replaced at the same length');
    assert.equal(fingerprint(log(2)), fingerprint(log(2)));
    assert.notEqual(
      fingerprint(
        dataValue(
          new Map([
            ['a', 1],
            ['b', 2],
          ]),
        ),
      ),
      fingerprint(
        dataValue(
          new Map([
            ['b', 2],
            ['a', 1],
          ]),
        ),
      ),
      "a Map's order",
    );
    const cyclic: Record<string, unknown> = { n: 1 };
    cyclic.self = cyclic;
    assert.match(fingerprint(dataValue(cyclic)), /↺/);
    // As shown, the same two values are alike past depth 1: the reason for the whole form.
    assert.equal(show(log(2), 1), show(log(3), 1));
  });

  it('evaluates arithmetic, comparison and logic with the usual precedence', () => {
    assert.equal(ev('a + b * 2'), 11);
    assert.equal(ev('(a + b) * 2'), 14);
    assert.equal(ev('a < b && b <= 4 || false'), true);
    assert.equal(ev('!(a == 3)'), false);
    assert.equal(ev('-a + 10 % 4'), -1);
    assert.equal(ev('s + a'), 'x3');
    assert.equal(ev('"abc" < "abd"'), true);
  });

  it('reads records, lists and lazy sequences; a node equals its name', () => {
    assert.equal(ev('node.term'), 7);
    assert.equal(ev('node == "n2"'), true);
    assert.equal(ev('node != "n3"'), true);
    assert.equal(ev('len(node.log)'), 5);
    assert.equal(ev('node.log[4]'), 40);
    assert.equal(ev('list[1] + len(list)'), 5);
    assert.equal(ev('has(list, 3) && !has(list, 9)'), true);
    assert.equal(ev('max(a, b, 1) - min(a, b)'), 1);
    assert.equal(ev('node["term"]'), 7);
    assert.equal(ev('nil == null'), true);
    assert.equal(
      equal(
        [1, 2],
        seq(2, (i) => i + 1),
      ),
      true,
    );
  });

  it('explains errors with the column, and never reaches JavaScript objects', () => {
    const err = (src: string): ExprError => {
      try {
        ev(src);
      } catch (e) {
        assert.ok(e instanceof ExprError, `${src}: ${String(e)}`);
        return e;
      }
      assert.fail(`${src} should fail`);
    };
    assert.equal(err('a +').message, 'expression ends too soon');
    assert.equal(err('a + zz').column, 4);
    assert.match(err('node.nope').message, /no field 'nope' \(fields: id, term, log\)/);
    assert.match(err('a < b < 3').message, /unexpected '<'/);
    assert.match(err('len(a)').message, /len\(\) of a number/);
    assert.match(err('a / 0').message, /division by zero/);
    assert.match(err('a && t').message, /expected true or false/);
    assert.match(err('eval(1)').message, /unknown function eval/);
    for (const src of ['constructor', '__proto__', 'node.constructor', 'node.__proto__', 'node["constructor"]', 'node.toString', 'list.length', 's.length'])
      err(src);
    assert.throws(() => Expr.parse('x'.repeat(3000)), ExprError);
    for (const src of ['constructor(1)', 'toString()', '__proto__(1)', 'valueOf()']) assert.match(err(src).message, /unknown function/);
    assert.match(err(`${'('.repeat(900)}1${')'.repeat(900)}`).message, /nested deeper/);
    assert.match(err(`${'-'.repeat(900)}1`).message, /nested deeper/);
  });

  it('any input either evaluates or fails with an ExprError (never another exception, never hangs)', () => {
    const tokens = [
      'a',
      'b',
      'node',
      '.',
      'term',
      'log',
      '[',
      ']',
      '(',
      ')',
      '1',
      '0',
      '"s"',
      '+',
      '-',
      '*',
      '/',
      '%',
      '==',
      '<',
      '&&',
      '||',
      '!',
      'len',
      'has',
      ',',
      'null',
      'true',
      '__proto__',
    ];
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(fc.constantFrom(...tokens), { maxLength: 12 }).map((t) => t.join(' ')),
        ),
        (src) => {
          try {
            Expr.parse(src).evaluate(env);
          } catch (e) {
            if (!(e instanceof ExprError)) throw e;
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('completes names and the fields of a record', () => {
    assert.deepEqual(
      complete('no', env).map((c) => c.label),
      ['node'],
    );
    assert.deepEqual(
      complete('a + node.t', env).map((c) => [c.label, c.start]),
      [['term', 9]],
    );
    assert.ok(complete('', env).some((c) => c.label === 'len'));
    // Linear in the text: a long line completes at once.
    const long = `${'a + '.repeat(10_000)}node.t`;
    const t0 = Date.now();
    assert.deepEqual(
      complete(long, env).map((c) => c.label),
      ['term'],
    );
    assert.ok(Date.now() - t0 < 2000);
  });

  it('works over a simulation: nodes, leader, the event, the network', () => {
    const sim = new Simulation(loadScenario(DEFAULT_SCENARIO, 'default.raftsim'), 2);
    while (sim.steps < 1500 && sim.step());
    const e = simEnv(sim);
    const v = (src: string): Value => Expr.parse(src).evaluate(e);
    assert.equal(v('step'), 1500);
    assert.equal(v('len(nodes)'), sim.nodes.length);
    assert.equal(v('n1.term'), sim.nodes[0]!.state.term);
    const leader = sim.nodes.find((n) => n.status === 'up' && n.state.role === 'leader');
    assert.equal(v('leader'), leader?.id ?? null);
    assert.equal(v('len(network.inFlight)'), sim.queued.filter((x) => x.kind === EventKind.Deliver).length);
    assert.equal(typeof show(v('n1')), 'string');
  });
});
