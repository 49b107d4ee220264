// Membership changes under the simulator: spares that join, `at TIME add|remove nX`, random churn,
// and the invariants judged by the configuration in force (thesis chapter 4).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeMembers } from '../core';
import { loadScenario } from './tracefile';
import { Simulation } from './simulation';

const quiet = (extra: string): string =>
  `nodes 3\nspares 2\ntick 10ms\nelection 10..20\nheartbeat 1\nprevote on\ncheckquorum on\nworkload clients=2 keys=2\nswarm off\nsafety 3s\nliveness 3s\n${extra}`;

function run(text: string, seed = 1): Simulation {
  const sim = new Simulation(loadScenario(text, 'membership.raftsim'), seed, { record: true });
  const r = sim.run();
  assert.equal(r.verdict, 'ok', r.violation?.message);
  return sim;
}

const leaderOf = (sim: Simulation): Simulation['nodes'][number] => sim.nodes.find((n) => n.status === 'up' && n.state.role === 'leader')!;

describe('membership changes in the simulator', () => {
  it('at TIME add nX: a spare joins as a learner, catches up, is promoted, and holds the whole log', () => {
    const sim = run(quiet('at 500ms add n4\nat 1500ms add n5'));
    const steps = sim.trace.steps!;
    const asked = steps.filter((s) => /^add n\d:/.test(s.text));
    assert.equal(asked.length, 2);
    assert.match(asked[0]!.text, /^add n4: n\d, the leader, is asked to add n4$/);
    assert.ok(asked[0]!.reasons.includes('config.start'));
    assert.equal(steps.filter((s) => s.reasons.includes('config.promote')).length, 2, 'both learners were promoted');
    const leader = leaderOf(sim);
    assert.equal(describeMembers(leader.state.members), 'voters=n1,n2,n3,n4,n5');
    for (const n of sim.nodes) assert.equal(n.state.commit, leader.state.commit, `${n.id} holds the committed log`);
    assert.equal(sim.stats.configChanges, 2);
  });

  it('at TIME remove the leader: it leads without counting itself until the removal commits, then steps down and never campaigns', () => {
    const probe = run(quiet(''));
    const first = leaderOf(probe).id;
    const sim = run(quiet(`at 500ms remove ${first}`));
    const steps = sim.trace.steps!;
    const down = steps.find((s) => s.reasons.includes('config.step-down'));
    assert.ok(down !== undefined, 'the removed leader stepped down');
    assert.equal(sim.nodes[down.node]!.id, first);
    const after = steps.filter((s) => s.step > down.step && sim.nodes[s.node]?.id === first);
    assert.ok(!after.some((s) => s.reasons.includes('election.timeout')), 'it never campaigned again');
    assert.ok(after.some((s) => s.reasons.includes('election.skip.not-voter')));
    const leader = leaderOf(sim);
    assert.notEqual(leader.id, first);
    assert.ok(!leader.state.members.voters.includes(first as never));
  });

  it('one change at a time: a second change asked before the first commits is refused', () => {
    const sim = run(quiet('at 500ms add n4\nat 500ms remove n2'));
    const steps = sim.trace.steps!;
    const remove = steps.find((s) => s.text.startsWith('remove n2'));
    assert.ok(remove?.reasons.includes('config.reject.pending'), remove?.reasons.join(' '));
  });

  it('a removed node that never learns it was removed does not disrupt the cluster, with pre-vote and check-quorum off too', () => {
    for (const seed of [1, 2, 3]) {
      const text = quiet('at 400ms isolate n3\nat 600ms remove n3\nat 1500ms heal')
        .replace('prevote on', 'prevote off')
        .replace('checkquorum on', 'checkquorum off');
      const sim = run(text, seed);
      const n3 = sim.nodes[2]!;
      assert.ok(n3.state.members.voters.includes(n3.id), `seed ${seed}: n3 still thinks it is a voter`);
      assert.ok(!leaderOf(sim).state.members.voters.includes(n3.id));
    }
  });

  it('examples/membership.raftsim runs clean, with churn keeping at least three voters', () => {
    const s = loadScenario(readFileSync(join(__dirname, '..', 'examples', 'membership.raftsim'), 'utf8'), 'membership.raftsim');
    let changes = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const sim = new Simulation(s, seed);
      const r = sim.run();
      assert.equal(r.verdict, 'ok', `seed ${seed}: ${r.violation?.message ?? ''}`);
      changes += r.stats.configChanges;
      assert.ok(leaderOf(sim).state.members.voters.length >= 3, `seed ${seed}: ${describeMembers(leaderOf(sim).state.members)}`);
    }
    assert.ok(changes > 10, `${changes} membership changes in 8 seeds`);
  });

  it('the same scenario and seed give the same run', () => {
    const text = quiet('churn every=200ms..1s weight=100%');
    const a = new Simulation(loadScenario(text, 'm.raftsim'), 4).run();
    const b = new Simulation(loadScenario(text, 'm.raftsim'), 4).run();
    assert.equal(a.traceHash, b.traceHash);
    assert.ok(a.stats.configChanges > 0);
  });
});
