import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SCENARIO } from './default-scenario';
import { DEFAULTS, parseScenario, ScenarioError } from './scenario';
import { drawSwarm } from './swarm';

const known = { invariants: ['LogInv', 'QuorumLogInv'], bugs: ['stale-vote-response'] };

describe('scenario parser', () => {
  it('parses the default scenario', () => {
    const s = parseScenario(readFileSync(join(__dirname, '../examples/default.raftsim'), 'utf8'), 'default.raftsim');
    assert.equal(s.nodes, 5);
    assert.deepEqual(s.electionTicks, { min: 10, max: 20 });
    assert.deepEqual(s.latency, { kind: 'uniform', minUs: 1000, maxUs: 15000 });
    assert.deepEqual(s.drop, { min: 0, max: 0.03 });
    assert.deepEqual(s.crash?.everyUs, { min: 1_000_000, max: 6_000_000 });
    assert.equal(s.workload.clients, 3);
    assert.equal(s.workload.mix.append, 20);
    assert.equal(s.check, null);
  });

  it('an empty file is the defaults', () => {
    const s = parseScenario('# nothing\n\n', 'empty.raftsim');
    assert.equal(s.nodes, DEFAULTS.nodes);
    assert.equal(s.maxSteps, DEFAULTS.maxSteps);
    assert.equal(s.crash, null);
  });

  it('parses scheduled faults of every kind, in time order', () => {
    const s = parseScenario(
      [
        'nodes 5',
        'safety 10s',
        'at 3s heal',
        'at 1.2s partition n1 n2 | n3 n4 n5',
        'at 2s crash n1',
        'at 2500ms restart n1',
        'at 4s cut n2 -> n3',
        'at 5s isolate n4',
        'at 6s pause n5',
        'at 7s resume n5',
        'at 8s clog n1 n2 for 300ms',
        'at 9s corrupt n3',
      ].join('\n'),
      's.raftsim',
    );
    assert.deepEqual(
      s.schedule.map((f) => [f.atUs, f.action.kind, f.line]),
      [
        [1_200_000, 'partition', 4],
        [2_000_000, 'crash', 5],
        [2_500_000, 'restart', 6],
        [3_000_000, 'heal', 3],
        [4_000_000, 'cut', 7],
        [5_000_000, 'isolate', 8],
        [6_000_000, 'pause', 9],
        [7_000_000, 'resume', 10],
        [8_000_000, 'clog', 11],
        [9_000_000, 'corrupt', 12],
      ],
    );
    assert.deepEqual(s.schedule[0]!.action, {
      kind: 'partition',
      groups: [
        [0, 1],
        [2, 3, 4],
      ],
    });
  });

  const errors: [string, string][] = [
    ['nodes 12', 'f.raftsim:1:7: a node count must be from 1 to 9, got 12'],
    ['nodez 3', 'f.raftsim:1:1: unknown statement "nodez"'],
    ['nodes 3\nnodes 4', 'f.raftsim:2:1: "nodes" already set on line 1'],
    ['tick 10', 'f.raftsim:1:6: expected a tick length with a unit (us, ms, s, m), got "10"'],
    ['latency uniform 10ms..1ms', 'f.raftsim:1:17: range 10ms..1ms has MIN greater than MAX'],
    ['latency exp 5ms cap 1ms', 'f.raftsim:1:21: the cap must be at least the mean'],
    ['drop 120%', 'f.raftsim:1:6: 120% is above 100%'],
    ['election 10..10', 'f.raftsim:1:1: the election range needs MAX > MIN'],
    ['heartbeat 12', 'f.raftsim:1:1: heartbeat (12 ticks) must be shorter than the election timeout (10..20 ticks)'],
    ['workload clients=3 keyz=4', 'f.raftsim:1:20: expected one of clients=…, keys=…, think=…, timeout=…, attempts=…, got "keyz=4"'],
    ['crash every=1s', 'f.raftsim:1:1: needs every=MIN..MAX and for=MIN..MAX'],
    ['at 1s partition n1 n2', 'f.raftsim:1:7: a partition needs at least two non-empty groups separated by |'],
    ['nodes 3\nat 1s crash n4', 'f.raftsim:2:1: node n4 does not exist (the cluster has 3 nodes)'],
    ['at 1s crash n4\nnodes 3', 'f.raftsim:1:1: node n4 does not exist'],
    ['safety 5s\nat 6s heal', 'f.raftsim:2:4: at 6000ms is not inside the safety phase'],
    ['at 1s explode n1', 'f.raftsim:1:7: expected "partition" or "cut"'],
    ['prevote maybe', 'f.raftsim:1:9: expected "on", "off" or a chance per seed (e.g. 50%), got "maybe"'],
    ['checkquorum 120%', 'f.raftsim:1:13: 120% is above 100%'],
    ['check LogInv Bogus', 'f.raftsim:1:14: unknown invariant "Bogus"'],
    ['bugs stale-vote-response no-such-bug', 'f.raftsim:1:26: unknown bug "no-such-bug"'],
    ['nodes 3 4', 'f.raftsim:1:9: unexpected "4"'],
    ['nodes', 'f.raftsim:1:7: expected a node count'],
    ['mix get=0', 'f.raftsim:1:1: mix needs at least one operation with a weight above 0'],
  ];
  for (const [text, message] of errors) {
    it(`refuses ${JSON.stringify(text)} with file:line:col`, () => {
      assert.throws(
        () => parseScenario(text, 'f.raftsim', known),
        (e: unknown) => {
          assert.ok(e instanceof ScenarioError);
          assert.ok(e.message.startsWith(message), `got: ${e.message}`);
          return true;
        },
      );
    });
  }

  const twice: [string, string, number, string][] = [
    ['nodes 3\nnodes x', 'nodes', 7, 'expected a node count (an integer), got "x"'],
    ['drop 1%\ndrop 120%', 'drop', 6, '120% is above 100%'],
    ['tick 1ms\ntick', 'tick', 6, 'expected a tick length (e.g. 10ms)'],
    ['nodes 3\nnodes 3 4', 'nodes', 9, 'unexpected "4"'],
    ['crash every=1s for=1s\ncrash every=1s', 'crash', 1, 'needs every=MIN..MAX and for=MIN..MAX'],
  ];
  for (const [text, stmt, col, detail] of twice) {
    it(`refuses ${JSON.stringify(text)} for its value and for setting "${stmt}" twice, each where it is`, () => {
      assert.throws(
        () => parseScenario(text, 'f.raftsim', known),
        (e: unknown) => {
          assert.ok(e instanceof ScenarioError);
          assert.deepEqual([e.line, e.col, e.detail], [2, col, detail]);
          assert.deepEqual(
            e.also.map((a) => [a.line, a.col, a.length, a.detail]),
            [[2, 1, stmt.length, `"${stmt}" already set on line 1`]],
          );
          assert.equal(e.message, `f.raftsim:2:${col}: ${detail}\nf.raftsim:2:1: "${stmt}" already set on line 1`);
          return true;
        },
      );
    });
  }

  it('prevote and checkquorum take on, off or a chance per seed, which the swarm draws', () => {
    const s = parseScenario('prevote 50%\ncheckquorum off', 'f.raftsim');
    assert.deepEqual([s.preVote, s.checkQuorum], [0.5, 0]);
    const draws = Array.from({ length: 400 }, (_, i) => drawSwarm(s, i + 1));
    const on = draws.filter((w) => w.preVote).length;
    assert.ok(on > 150 && on < 250, `${on} of 400 seeds with pre-vote`);
    assert.ok(draws.every((w) => !w.checkQuorum));
    assert.ok(Array.from({ length: 50 }, (_, i) => drawSwarm(parseScenario('', 'f'), i)).every((w) => w.preVote && w.checkQuorum));
  });

  it('reports the token length for editors', () => {
    try {
      parseScenario('drop 250%', 'f.raftsim');
      assert.fail('expected an error');
    } catch (e) {
      assert.ok(e instanceof ScenarioError);
      assert.deepEqual([e.line, e.col, e.length], [1, 6, 4]);
    }
  });
});

describe('built-in default scenario', () => {
  it('is the text of examples/default.raftsim', () => {
    assert.equal(DEFAULT_SCENARIO, readFileSync(join(__dirname, '../examples/default.raftsim'), 'utf8'));
  });
});
