// Every invariant has a test that builds a violating state and sees it caught (and the healthy
// variant of the same state accepted): the cases are kept by family, in *.cases.ts beside this file.
import assert from 'node:assert/strict';
import { logIndex, term, type Message } from '../../core';
import { loadScenario } from '../tracefile';
import { Simulation } from '../simulation';
import { INVARIANT_NAMES, InvariantChecker } from '.';
import { exchangesCases } from './exchanges.cases';
import { logRulesCases } from './log-rules.cases';
import { membershipCases, snapshotConfigCase } from './membership.cases';
import { progressCases } from './progress.cases';
import { stateMachineCases } from './state-machine.cases';
import { timersCases } from './timers.cases';
import { entry, ids, World } from './world.fixture';

const tests: Record<string, (() => void) | undefined> = {
  ...logRulesCases,
  ...stateMachineCases,
  ...progressCases,
  ...timersCases,
  ...exchangesCases,
  ...membershipCases,
};

describe('invariants', () => {
  for (const name of INVARIANT_NAMES) {
    it(`catches a violation of ${name}`, () => {
      const t = tests[name];
      assert.ok(t !== undefined, `no test of ${name}: add one to the *.cases.ts of its family`);
      t();
    });
  }

  it('catches a snapshot that does not hold the configuration of the committed log at its index (SnapshotInv)', snapshotConfigCase);

  it('reports only the invariants a scenario asked for', () => {
    const w = new World(3);
    const checker = new InvariantChecker(w.nodes, ['LogInv']);
    const bad: Message = { type: 'Heartbeat', from: ids[0]!, to: ids[1]!, term: term(3), commit: logIndex(0), readSeq: 0 };
    assert.equal(checker.onSend(0, bad, term(2)), null);
  });

  it('counts a node whose ack arrives after its disk rotted and it refused to start (seed 6094 of the default scenario)', () => {
    // The history as it happened: n2 syncs entry 3 and acks; n2 crashes, the crash rots a record of
    // its synced disk, so it refuses to start; then the ack reaches the leader n1, which commits 3.
    // n3 never got it. Two disks held entry 3 when they acked — n2's still holds it, one record
    // garbled — and n2 will never vote again, so no quorum without entry 3 can form.
    const w = new World(3);
    const log = [entry(1, 1), entry(2, 1, 'a')];
    for (const i of [0, 1, 2]) w.set(i, { log, term: 1 });
    assert.equal(w.set(0, { commit: 2 }), null);
    const more = [...log, entry(3, 1, 'b')];
    w.set(1, { log: more, term: 1 });
    w.set(0, { log: more, term: 1 });
    const n2 = w.nodes[1]!;
    n2.disk.crash({ intIn: () => 0, chance: () => false } as never, 0);
    assert.match(n2.disk.corrupt({ int: () => 2 } as never), /entry 3/);
    assert.equal(n2.disk.recover().ok, false, 'n2 refuses to start');
    n2.status = 'dead';
    assert.equal(w.checker.afterDeath(1), null);
    assert.equal(w.set(0, { commit: 3 }), null, 'n1 and n2 held entry 3 synced when they acked');
  });

  it('ignores a node that refused to start after disk corruption', () => {
    const w = new World(3);
    const a = [entry(1, 1), entry(2, 1, 'a')];
    w.set(0, { log: a, term: 1 });
    w.set(1, { log: a, term: 1 });
    assert.equal(w.set(0, { commit: 2 }), null);
    w.nodes[1]!.status = 'dead';
    assert.equal(w.checker.afterDeath(1), null, 'n1 and n3 are the only possible quorum, and n1 has everything');
  });
});

describe("the simulator's oracles beyond the invariants", () => {
  it('a malformed message or client answer from the core fails the run, as a peer would refuse it', () => {
    const s = loadScenario('nodes 3\nworkload clients=1 keys=1\nsafety 1s\nliveness 2s', 'shape.raftsim');
    // (Through the simulation's private outputs part: what it does with a step's messages and replies.)
    type Releases = { outputs: { release(n: unknown, messages: readonly unknown[], replies: readonly unknown[]): void } };
    const sim = new Simulation(s, 1);
    while (sim.steps < 50) sim.step();
    (sim as unknown as Releases).outputs.release(sim.nodes[0], [{ type: 'AppendEntriesResp', from: 'n1', to: 'n2', term: 1, success: true }], []);
    assert.equal(sim.outcome?.verdict, 'crash');
    assert.equal(sim.outcome?.violation?.invariant, 'malformed-output');
    assert.match(sim.outcome?.violation?.message ?? '', /n1 sent a malformed message \(AppendEntriesResp with a bad "matchIndex"\)/);
    const other = new Simulation(s, 1);
    while (other.steps < 50) other.step();
    (other as unknown as Releases).outputs.release(other.nodes[1], [], [{ client: 'c1', seq: 1, outcome: { status: 'ok', result: {} } }]);
    assert.match(other.outcome?.violation?.message ?? '', /n2 answered a client with a malformed reply/);
  });

  it('after converging, the cluster must stay converged for one election timeout on the quiet network', () => {
    const text = 'nodes 3\nworkload clients=1 keys=1\nswarm off\nsafety 1s\nliveness 2s';
    const clean = new Simulation(loadScenario(text, 'quiet.raftsim'), 3, { record: true });
    const r = clean.run();
    assert.equal(r.verdict, 'ok', r.violation?.message);
    const last = clean.trace.steps!.at(-1)!;
    assert.equal(last.kind, 'settled');
    assert.match(last.text, /settle window over: the cluster stayed converged since/);
    assert.ok(clean.settled !== null && last.time - clean.settled.sinceUs >= 200_000, 'a window of at least one election timeout (20 ticks of 10ms)');
    // A leader that never counts its followers' answers steps down at its next check-quorum round:
    // the settle window sees it (with the CheckQuorum invariant off, which sees it first).
    const others = INVARIANT_NAMES.filter((n) => n !== 'CheckQuorum').join(' ');
    const bug = new Simulation(loadScenario(`${text}\nbugs check-quorum-ignores-acks\ncheck ${others}`, 'quiet.raftsim'), 3).run();
    assert.equal(bug.verdict, 'liveness');
    assert.match(bug.violation?.message ?? '', /converged at .* with leader n\d in term \d+, then .* later on a quiet network: the leader n\d stepped down/);
    const caught = new Simulation(loadScenario(`${text}\nbugs check-quorum-ignores-acks`, 'quiet.raftsim'), 3).run();
    assert.equal(caught.verdict, 'liveness');
    assert.equal(caught.violation?.invariant, 'CheckQuorum');
    assert.match(
      caught.violation?.message ?? '',
      /n\d stepped down as leader of term \d+ by check-quorum, but 3 of its cluster \(itself included; a quorum is 2\) answered it within the last 10 ticks/,
    );
  });
});

describe('the settle window and faults in the liveness phase', () => {
  it('a fault forked in after convergence (the debugger) restarts the wait: converge again, then settle', () => {
    const s = loadScenario('nodes 3\nworkload clients=1 keys=1\nswarm off\nsafety 1s\nliveness 3s', 'quiet.raftsim');
    const sim = new Simulation(s, 3, { record: true });
    while (sim.settled === null) assert.ok(sim.step());
    const first = sim.settled.sinceUs;
    const follower = sim.nodes.findIndex((n) => n.status === 'up' && n.state.role !== 'leader');
    assert.ok(sim.fork({ kind: 'crash', node: follower }));
    while (sim.nodes[follower]!.status === 'up') assert.ok(sim.step());
    for (let k = 0; k < 5; k++) sim.step();
    assert.ok(sim.fork({ kind: 'restart', node: follower }));
    const r = sim.run();
    assert.equal(r.verdict, 'ok', r.violation?.message);
    assert.ok(sim.settled!.sinceUs > first, 'converged again after the restart');
    assert.equal(sim.trace.steps!.filter((x) => x.kind === 'settled').length, 1, 'the first window was cancelled');
  });
});
