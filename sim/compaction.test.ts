// Log compaction under simulation: examples/compaction.raftsim runs clean over many seeds, reaches
// every compaction rule of the core, and the checker's snapshot invariants judge what it produced.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SCENARIO } from './default-scenario';
import { loadScenario } from './tracefile';
import { Simulation } from './simulation';

const text = readFileSync(join(__dirname, '..', 'examples', 'compaction.raftsim'), 'utf8');

describe('log compaction under simulation (examples/compaction.raftsim)', function () {
  this.timeout(120_000);

  it('40 seeds run clean; snapshots are taken, sent, installed, and acknowledged as compacted', () => {
    const s = loadScenario(text, 'compaction.raftsim');
    const seen = new Set<string>();
    let snapshotsChecked = 0;
    let early = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const sim = new Simulation(s, seed);
      if (sim.swarm.earlyAppends) early++;
      // Collect the rules that fired (the reasons of every step).
      while (sim.step()) for (const r of sim.lastReasons) seen.add(r);
      const r = sim.run();
      assert.equal(r.verdict, 'ok', `seed ${seed}: ${JSON.stringify(r.violation)}`);
      snapshotsChecked += sim.nodes.filter((n) => n.state.snapshot !== null).length;
    }
    for (const rule of ['snapshot.take', 'snapshot.send', 'snapshot.install', 'append.skip-compacted']) assert.ok(seen.has(rule), `${rule} was reached`);
    assert.ok(snapshotsChecked > 40, `nodes hold snapshots at the end (${snapshotsChecked})`);
    assert.ok(early >= 10 && early <= 30, `about half the seeds sent appends early (${early} of 40)`);
  });

  it('the liveness phase lifts split votes: seeds that livelocked with two nodes dead converge', () => {
    // Found by the soundness campaign (npm run bench:soundness): split votes on, pre-vote off, and
    // corrupt disks left 2 of 5 (or 1 of 3) nodes dead; the survivors' elections collided term after
    // term for the whole liveness phase, because every timeout was still the same 10 ticks.
    const s = loadScenario(text, 'compaction.raftsim');
    for (const seed of [8757, 20821, 23633, 30727, 36512, 45418, 51504]) {
      const sim = new Simulation(s, seed);
      assert.equal(sim.swarm.splitVotes, true);
      const r = sim.run();
      assert.equal(r.verdict, 'ok', `seed ${seed}: ${r.violation?.message ?? ''}`);
      assert.ok(
        sim.nodes.some((n) => n.status === 'dead'),
        `seed ${seed} has a node that refused to start`,
      );
      for (const n of sim.nodes) assert.equal(n.state.config.electionTicksMax, s.electionTicks.max + 1, 'timeouts are drawn from the whole range again');
    }
  });

  it('without a snapshot or early-appends line, a scenario runs exactly as before (both off, same draws)', () => {
    const base = DEFAULT_SCENARIO.replace(/^snapshot .*\n/m, '').replace(/^early-appends .*\n/m, '');
    assert.doesNotMatch(base, /^(snapshot|early-appends) /m);
    const withZero = loadScenario(`${base}\nsnapshot 0\nearly-appends off\n`, 'zero.raftsim');
    const without = loadScenario(base, 'base.raftsim');
    for (const seed of [1, 2, 3]) {
      const a = new Simulation(withZero, seed).run();
      const b = new Simulation(without, seed).run();
      assert.equal(a.traceHash, b.traceHash);
    }
  });

  it("installs over a log that holds the snapshot's entry (kept) and over a conflicting one (dropped) run clean", () => {
    // Deposed leaders with conflicting suffixes (no check-quorum, the leader isolated often) and
    // snapshots every few entries, so a follower often installs a snapshot over a log of its own.
    const diverging = text
      .replace(/^snapshot .*$/m, 'snapshot 2..5')
      .replace(/^checkquorum .*$/m, 'checkquorum 0%')
      .replace(/^isolate-leader .*$/m, 'isolate-leader every=300ms..2s for=300ms..2s weight=100%')
      .replace(/^workload clients=\d+ keys=(\d+) think=\S+/m, 'workload clients=6 keys=$1 think=1ms..20ms');
    const s = loadScenario(diverging, 'diverging.raftsim');
    const seen = new Map<string, number>();
    for (let seed = 1; seed <= 250; seed++) {
      const sim = new Simulation(s, seed);
      while (sim.step()) for (const r of sim.lastReasons) if (r.startsWith('snapshot.')) seen.set(r, (seen.get(r) ?? 0) + 1);
      const r = sim.run();
      assert.equal(r.verdict, 'ok', `seed ${seed}: ${JSON.stringify(r.violation)}`);
    }
    assert.ok(
      (seen.get('snapshot.keep-log') ?? 0) > 0 && (seen.get('snapshot.drop-log') ?? 0) > 0,
      `both install paths were taken: ${JSON.stringify([...seen])}`,
    );
  });
});
