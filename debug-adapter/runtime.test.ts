import assert from 'node:assert/strict';
import { DEFAULT_SCENARIO, EventKind, loadScenario, Simulation } from '../sim';
import { parseHitCondition } from './breakpoints';
import { runCommand } from './commands';
import { Expr, show } from './expr';
import { SimRuntime, type Stop } from './runtime';
import { simEnv } from './views';

const scenario = loadScenario(DEFAULT_SCENARIO, 'default.raftsim');
/** The 1-based line of the default scenario that starts with `prefix`. */
const lineOf = (prefix: string): number => DEFAULT_SCENARIO.split('\n').findIndex((l) => l.startsWith(prefix)) + 1;
const buggy = loadScenario(`${DEFAULT_SCENARIO}\nbugs vote-without-log-check\n`, 'buggy.raftsim');

/** The state a debugger shows, as one comparable string. */
function fingerprint(sim: Simulation): string {
  return `${sim.steps}/${sim.time}/${sim.stateHash()}/${JSON.stringify(sim.nodes.map((n) => [n.status, n.state.log.length, n.state.commit, n.state.vote, n.state.electionElapsed]))}/${sim.history.length}`;
}

function finish(rt: SimRuntime): Stop {
  for (;;) {
    const s = rt.resume();
    if (s !== null) return s;
  }
}

function spec(extra: object): never {
  return { id: 1, condition: null, hitCondition: null, logMessage: null, hits: 0, ...extra } as never;
}

describe('SimRuntime (time travel without DAP)', function () {
  this.timeout(60_000);

  it('step back and goto restore exactly the state a forward run had', () => {
    const rt = new SimRuntime({ scenario, seed: 3, checkpointEvery: 100 });
    const seen = new Map<number, string>([[0, fingerprint(rt.sim)]]);
    for (let i = 0; i < 450; i++) {
      rt.next();
      seen.set(rt.position, fingerprint(rt.sim));
    }
    for (let i = 0; i < 120; i++) {
      rt.stepBack();
      assert.equal(fingerprint(rt.sim), seen.get(rt.position), `after stepping back to ${rt.position}`);
    }
    for (const n of [0, 449, 17, 333, 100, 101, 99, 250]) {
      rt.goto(n);
      assert.equal(rt.position, n);
      assert.equal(fingerprint(rt.sim), seen.get(n), `goto ${n}`);
      assert.equal(fingerprint(rt.simAt(Math.max(0, n - 5))), seen.get(Math.max(0, n - 5)), `state at ${n - 5} seen from ${n}`);
    }
    assert.deepEqual(rt.stepBack().reason, 'step');
    rt.goto(0);
    assert.equal(rt.stepBack().reason, 'entry');
  });

  it('continue runs to the end of the run with the same trace hash as a plain run', () => {
    const whole = new Simulation(scenario, 4).run();
    const rt = new SimRuntime({ scenario, seed: 4 });
    rt.startForward();
    const stop = finish(rt);
    assert.equal(stop.reason, 'end');
    assert.equal(rt.position, whole.steps);
    assert.equal(rt.outcome?.traceHash, whole.traceHash);
    assert.equal(rt.next().reason, 'end', 'no step after the end');
    // Memory stays bounded: one checkpoint per interval.
    assert.equal(rt.memory.checkpoints, Math.floor(whole.steps / rt.checkpointEvery) + 1);
    const small = new SimRuntime({ scenario, seed: 4, checkpointEvery: 50, checkpointBudgetMB: 1 });
    small.startForward();
    finish(small);
    assert.ok(small.checkpointEvery > 50, `a tight budget thins the checkpoints (every ${small.checkpointEvery} steps now)`);
    assert.ok(small.memory.checkpointMB <= 1, `within the budget: ${JSON.stringify(small.memory)}`);
    small.goto(1234);
    rt.goto(1234);
    assert.equal(small.sim.stateHash(), rt.sim.stateHash());
  });

  it('stops on a planted bug with the violated invariant, and the stop replays', () => {
    let seed = 0;
    let result;
    do result = new Simulation(buggy, ++seed).run();
    while (result.verdict !== 'safety' && seed < 400);
    assert.equal(result.verdict, 'safety', 'some seed catches vote-without-log-check');
    const rt = new SimRuntime({ scenario: buggy, seed });
    rt.startForward();
    const stop = finish(rt);
    assert.equal(stop.reason, 'exception');
    assert.equal(stop.hit?.exception?.id, result.violation!.invariant);
    assert.equal(rt.position, result.violation!.step);
    assert.match(stop.hit!.exception!.description, /./);
  });

  it('reverse continue stops at the last change of a watched value, and data breakpoints work forwards', () => {
    const rt = new SimRuntime({ scenario, seed: 5, checkpointEvery: 500 });
    rt.breakpoints.replace('data', [spec({ type: 'data', expr: Expr.parse('n1.term'), label: 'n1.term' })]);
    rt.goto(3000);
    const termAt = (s: number): number => rt.simAt(s).nodes[0]!.state.term;
    rt.startBackward();
    const back = finish(rt);
    assert.equal(back.reason, 'data breakpoint');
    const s = rt.position;
    assert.notEqual(termAt(s), termAt(s - 1), `n1.term changed at step ${s}`);
    for (let k = s; k < 3000; k += 37) assert.equal(termAt(k), termAt(s), 'no later change before where we started');
    rt.goto(s - 1);
    rt.startForward();
    assert.equal(finish(rt).reason, 'data breakpoint');
    assert.equal(rt.position, s);
  });

  it('function, conditional and hit-count breakpoints, and logpoints', () => {
    const rt = new SimRuntime({ scenario, seed: 6 });
    rt.breakpoints.replace('function', [spec({ type: 'function', name: 'becomeLeader' })]);
    rt.startForward();
    const first = finish(rt);
    assert.equal(first.reason, 'function breakpoint');
    assert.equal(rt.sim.nodes[rt.sim.lastNode]!.state.role, 'leader');
    rt.breakpoints.replace('function', [
      spec({
        type: 'function',
        name: 'AppendEntries',
        condition: Expr.parse('event.message.entries != null && len(event.message.entries) >= 1 && n1.commit >= 0'),
      }),
    ]);
    rt.startForward();
    assert.equal(finish(rt).reason, 'function breakpoint');
    const ev = rt.sim.lastEvent!;
    assert.ok(ev.kind === EventKind.Deliver);
    const m = ev.msg;
    assert.equal(m.type, 'AppendEntries');
    assert.ok(m.type === 'AppendEntries' && m.entries.length >= 1);
    rt.goto(0);
    rt.breakpoints.replace('function', [spec({ type: 'function', name: 'tick', hitCondition: parseHitCondition('10') })]);
    rt.startForward();
    finish(rt);
    assert.equal(rt.sim.lastEvent!.kind, 0);
    assert.equal(rt.breakpoints.specs[0]!.hits, 10);
    rt.goto(0);
    rt.breakpoints.replace('function', [spec({ type: 'function', name: 'election.start', logMessage: '{event.node} campaigns for term {nodes[0].term}' })]);
    rt.goto(0);
    rt.startForward();
    assert.equal(finish(rt).reason, 'end', 'a logpoint does not stop');
    assert.ok(rt.breakpoints.logs.length > 0);
    assert.match(rt.breakpoints.logs[0]!.text, /^n\d campaigns for term \d+$/);
  });

  it('line breakpoints: on a scheduled fault of the scenario, and on a step of the trace document', () => {
    const sc = loadScenario(
      'nodes 3\ntick 10ms\nelection 10..20\nheartbeat 1\nworkload clients=1\nat 300ms crash n2\nat 900ms restart n2\nsafety 2s\nliveness 2s\n',
      'lines.raftsim',
    );
    const rt = new SimRuntime({ scenario: sc, seed: 1, checkpointEvery: 50 });
    rt.breakpoints.replace('scenario-line', [spec({ type: 'scenario-line', line: 7 })]);
    rt.startForward();
    const stop = finish(rt);
    assert.equal(stop.reason, 'breakpoint');
    assert.equal(rt.sim.lastAction?.kind, 'restart');
    assert.equal(rt.timeline.lineOf(rt.position), 7);
    assert.equal(rt.sim.time, 900_000);
    const restartStep = rt.position;
    rt.breakpoints.replace('scenario-line', [spec({ type: 'scenario-line', line: 6 })]);
    rt.breakpoints.replace('step', [spec({ type: 'step', step: 20 })]);
    rt.startBackward();
    assert.equal(finish(rt).reason, 'breakpoint');
    assert.equal(rt.sim.lastAction?.kind, 'crash', 'backwards, the crash line comes first');
    rt.startBackward();
    finish(rt);
    assert.equal(rt.position, 20, 'then the step breakpoint');
    rt.startBackward();
    assert.equal(finish(rt).reason, 'entry');
    assert.equal(rt.position, 0);
    assert.ok(restartStep > 20);
  });

  it('a line breakpoint on a recurring fault stops on each of its occurrences, forwards and backwards', () => {
    // Seed 3 draws recurring crashes (`crash every=…` of the default scenario).
    const line = lineOf('crash every=');
    const plain = new Simulation(scenario, 3);
    const occurrences: number[] = [];
    while (plain.step()) if (plain.lastEvent!.kind === EventKind.Recur && plain.lastEvent!.recur === 0) occurrences.push(plain.steps);
    assert.ok(occurrences.length >= 2, `seed 3 has recurring crashes: ${occurrences.length}`);
    const rt = new SimRuntime({ scenario, seed: 3, checkpointEvery: 500 });
    rt.breakpoints.replace('scenario-line', [spec({ type: 'scenario-line', line })]);
    const stops: number[] = [];
    for (;;) {
      rt.startForward();
      const stop = finish(rt);
      if (stop.reason === 'end') break;
      assert.equal(stop.reason, 'breakpoint');
      assert.match(stop.description, new RegExp(`^scenario line ${line} \\(crash every=1s\\.\\.6s for=50ms\\.\\.2s\\)(: crash n\\d)?$`));
      assert.equal(rt.timeline.lineOf(rt.position), line);
      stops.push(rt.position);
    }
    assert.deepEqual(stops, occurrences);
    rt.startBackward();
    finish(rt);
    assert.equal(rt.position, occurrences[occurrences.length - 1], 'reverse continue stops on the last one');
  });

  it('reverse continue also stops on a step that is a multiple of the checkpoint spacing', () => {
    const rt = new SimRuntime({ scenario, seed: 3, checkpointEvery: 40 });
    rt.goto(100);
    for (const at of [79, 80, 81, 40, 1]) {
      rt.goto(100);
      rt.breakpoints.replace('step', [spec({ type: 'step', step: at })]);
      rt.startBackward();
      assert.equal(finish(rt).reason, 'breakpoint', `step ${at}`);
      assert.equal(rt.position, at);
    }
  });

  it('copies never keep capturing step texts (descriptions are made on the side)', () => {
    const rt = new SimRuntime({ scenario, seed: 3, checkpointEvery: 300 });
    rt.goto(2000);
    rt.describe(1990);
    rt.stepBack();
    rt.goto(1500);
    rt.stepBack();
    rt.startForward();
    finish(rt);
    assert.equal(rt.sim.trace.steps, null);
  });

  it('function breakpoints see random faults too, and hit counts start again after a move back', () => {
    // Seed 3's first crash comes from `crash-after-append` of the default scenario.
    const rt = new SimRuntime({ scenario, seed: 3 });
    rt.breakpoints.replace('function', [spec({ type: 'function', name: 'crash', condition: Expr.parse('event.kind == "fault"') })]);
    rt.startForward();
    const stop = finish(rt);
    assert.equal(stop.reason, 'function breakpoint');
    assert.equal(rt.sim.lastAction?.kind, 'crash');
    assert.equal(rt.timeline.lineOf(rt.position), lineOf('crash-after-append '), 'a random crash is a step of the statement that caused it');
    const first = rt.position;
    rt.goto(0);
    rt.breakpoints.replace('function', [spec({ type: 'function', name: 'crash', hitCondition: parseHitCondition('1') })]);
    rt.startForward();
    finish(rt);
    assert.equal(rt.position, first);
    rt.goto(first - 1);
    rt.startForward();
    finish(rt);
    assert.equal(rt.position, first, 'the first hit again, after going back');
  });

  it('a fork replaces the future, and the same forks replay it exactly', () => {
    const rt = new SimRuntime({ scenario, seed: 8, checkpointEvery: 300 });
    rt.goto(1000);
    rt.goto(400);
    rt.fork({ kind: 'crash', node: 1 });
    rt.next();
    assert.equal(rt.sim.nodes[1]!.status, 'down');
    rt.goto(700);
    rt.fork({ kind: 'restart', node: 1 });
    assert.equal(rt.lastStep, null);
    rt.startForward();
    finish(rt);
    const again = new SimRuntime({ scenario, seed: 8, forks: rt.forks });
    again.startForward();
    finish(again);
    assert.equal(again.outcome?.traceHash, rt.outcome?.traceHash);
    assert.notEqual(rt.outcome?.traceHash, new Simulation(scenario, 8).run().traceHash);
    assert.throws(() => rt.fork({ kind: 'crash', node: 9 }), /the run is over|no node/);
  });

  it('.transfer n3 in the console forks a timeline where the leader hands over to n3', () => {
    const quiet = loadScenario('nodes 3\nprevote on\ncheckquorum on\nworkload clients=1 keys=1\nswarm off\nsafety 2s\nliveness 3s\n', 'quiet.raftsim');
    const rt = new SimRuntime({ scenario: quiet, seed: 1 });
    rt.goto(400);
    const leader = rt.sim.nodes.find((n) => n.state.role === 'leader')!;
    const target = rt.sim.nodes.find((n) => n.state.role !== 'leader')!;
    const r = runCommand(rt, `.transfer ${target.id}`, null);
    assert.ok(r.stop !== null, r.text);
    assert.match(r.text, new RegExp(`transfer ${target.id}`));
    assert.deepEqual(
      rt.forks.map((f) => f.action),
      [{ kind: 'transfer', node: target.index }],
    );
    rt.next(); // the fork is the next step
    assert.equal(rt.sim.lastNode, leader.index, 'the leader took the step');
    assert.ok(rt.sim.lastReasons.includes('transfer.start'), rt.sim.lastReasons.join(' '));
    assert.match(rt.describe(rt.position), new RegExp(`transfer ${target.id}: ${leader.id}, the leader, is asked to hand over`));
    rt.startForward();
    finish(rt);
    assert.equal(rt.outcome?.verdict, 'ok', rt.outcome?.violation?.message);
    assert.equal(rt.sim.nodes.find((n) => n.state.role === 'leader')?.id, target.id, 'the transferee leads at the end of the run');
    assert.throws(() => runCommand(rt, '.transfer n7', null), /expected a node name n1…n3/);
  });

  it('.add n4 and .remove in the console fork timelines that change the configuration, one server at a time', () => {
    const spare = loadScenario(
      'nodes 3\nspares 1\nprevote on\ncheckquorum on\nworkload clients=1 keys=1\nswarm off\nsafety 2s\nliveness 3s\n',
      'spare.raftsim',
    );
    const rt = new SimRuntime({ scenario: spare, seed: 1 });
    rt.goto(400);
    const leader = rt.sim.nodes.find((n) => n.state.role === 'leader')!;
    const r = runCommand(rt, '.add n4', null);
    assert.ok(r.stop !== null, r.text);
    rt.next();
    assert.equal(rt.sim.lastNode, leader.index, 'the leader took the step');
    assert.ok(rt.sim.lastReasons.includes('config.start'), rt.sim.lastReasons.join(' '));
    assert.match(rt.describe(rt.position), new RegExp(`add n4: ${leader.id}, the leader, is asked to add n4`));
    // The configuration is a variable whose summary changes with it (what a data breakpoint on n1.config compares).
    const config = (): string => show(Expr.parse(`${leader.id}.config`).evaluate(simEnv(rt.sim)), 1);
    assert.match(config(), /voters=n1,n2,n3 learners=n4 \(entry \d+, not committed\)/);
    // A second change waits for the first: refused while it is not committed.
    const r2 = runCommand(rt, `.remove ${leader.id}`, null);
    assert.ok(r2.stop !== null, r2.text);
    // (The fork is queued at this instant, after what already waits there: the leader's self-acknowledgement.)
    for (let k = 0; k < 5 && !/remove/.test(rt.describe(rt.position)); k++) rt.next();
    assert.ok(rt.sim.lastReasons.includes('config.reject.pending'), `${rt.describe(rt.position)}: ${rt.sim.lastReasons.join(' ')}`);
    rt.startForward();
    finish(rt);
    assert.equal(rt.outcome?.verdict, 'ok', rt.outcome?.violation?.message);
    const n4 = rt.sim.nodes[3]!.state;
    assert.deepEqual(n4.members.voters, ['n1', 'n2', 'n3', 'n4'], 'n4 caught up and was promoted');
    assert.equal(n4.commit, rt.sim.nodes.find((n) => n.state.role === 'leader')!.state.commit);
  });

  it('a data breakpoint on n4.config stops where the configuration changes, forwards and backwards; configChange is a function breakpoint', () => {
    const spare = loadScenario(
      'nodes 3\nspares 1\nprevote on\ncheckquorum on\nworkload clients=1 keys=1\nswarm off\nsafety 2s\nliveness 3s\nat 600ms add n4\n',
      'spare.raftsim',
    );
    const rt = new SimRuntime({ scenario: spare, seed: 1, checkpointEvery: 200 });
    rt.breakpoints.replace('data', [spec({ type: 'data', expr: Expr.parse('n4.config'), label: 'n4.config' })]);
    rt.startForward();
    const first = finish(rt);
    assert.equal(first.reason, 'data breakpoint');
    assert.match(first.hit!.description, /n4\.config changed: voters=∅ \(bootstrap\) → voters=n1,n2,n3 learners=n4 \(entry \d+(, not committed)?\)/);
    const joined = rt.position;
    rt.startForward();
    assert.match(finish(rt).hit!.description, /n4\.config changed: .* → voters=n1,n2,n3,n4 \(entry \d+(, not committed)?\)/, 'promoted');
    rt.startBackward();
    assert.equal(finish(rt).reason, 'data breakpoint');
    assert.equal(rt.position, joined, 'back to where n4 learnt it was added');
    rt.breakpoints.replace('data', []);
    rt.breakpoints.replace('function', [spec({ type: 'function', name: 'configChange' })]);
    rt.goto(0);
    rt.startForward();
    assert.equal(finish(rt).reason, 'function breakpoint');
    assert.ok(rt.sim.lastReasons.includes('config.start'), rt.sim.lastReasons.join(' '));
  });

  it('describes steps and their causal chain', () => {
    const rt = new SimRuntime({ scenario, seed: 2 });
    rt.goto(800);
    const chain = rt.timeline.chain(800, 50);
    assert.equal(chain[0], 800);
    for (let k = 1; k < chain.length; k++) assert.ok(chain[k]! < chain[k - 1]!, 'causes come earlier');
    assert.match(rt.describe(800), /^#800 \d+\.\d{3}ms /);
    assert.equal(rt.segment(0).length, 800);
  });
});
