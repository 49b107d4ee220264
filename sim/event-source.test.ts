// Each event knows the scenario statement that made it happen (`src`), for the debugger's line
// breakpoints and frames: scheduled faults, each occurrence of a recurring fault, the crashes of the
// targeted nemeses, the scheduler's change points. Nothing else has one.
import assert from 'node:assert/strict';
import { DEFAULT_SCENARIO, EventKind, loadScenario, Simulation, type Scenario } from './index';

/** The statement lines of the default scenario, by what they say. */
function lineOf(s: Scenario, statement: string): number {
  const i = s.text.split('\n').findIndex((l) => l.startsWith(`${statement} `));
  assert.ok(i >= 0, `the scenario has a "${statement}" line`);
  return i + 1;
}

describe('event sources (scenario lines of the steps)', function () {
  this.timeout(60_000);

  it('attributes recurring faults, targeted crashes and scheduler changes to their statements, and nothing else', () => {
    const s = loadScenario(`${DEFAULT_SCENARIO}at 2s crash n1\n`, 'default.raftsim');
    const recurring = ['crash', 'partition', 'pause', 'clog', 'isolate-leader', 'crash-leader'].map((x) => lineOf(s, x));
    const targeted = [lineOf(s, 'crash-after-append'), lineOf(s, 'crash-after-vote')];
    const at = s.schedule[0]!.line;
    const seen = new Set<number>();
    for (let seed = 1; seed <= 6; seed++) {
      const sim = new Simulation(s, seed);
      while (sim.step()) {
        const e = sim.lastEvent!;
        let want = 0;
        if (e.kind === EventKind.Recur) want = recurring[e.recur]!;
        else if (e.kind === EventKind.Pct) want = lineOf(s, 'scheduler');
        else if (e.kind === EventKind.Fault && e.line > 0) want = e.line;
        else if (e.kind === EventKind.Fault && e.action.kind === 'crash') {
          assert.ok(
            targeted.includes(e.src),
            `step ${sim.steps} of seed ${seed}: a random crash comes from crash-after-append or crash-after-vote, not line ${e.src}`,
          );
          want = e.src;
        }
        assert.equal(e.src, want, `step ${sim.steps} of seed ${seed} (kind ${e.kind})`);
        if (want > 0) seen.add(want);
      }
    }
    for (const line of [at, recurring[0]!, lineOf(s, 'scheduler'), targeted[0]!]) assert.ok(seen.has(line), `some step comes from line ${line}`);
  });
});
