// The explorer as the only test, for mutation testing (npm run bench:mutants): a fixed budget of
// seeds (LIFERAFT_MUTANT_SEEDS, default 200) of the default scenario — or of every example scenario
// with LIFERAFT_MUTANT_SCENARIOS=examples — every invariant after every step, linearizability at
// the end. A mutant of core/ is killed when any seed fails (safety, liveness, or a crash of the core).
// Not part of npm test (the file name does not end in .test.ts).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SCENARIO, DEFAULT_SCENARIO_FILE, loadScenario, Simulation } from '../../sim';

const SEEDS = Number(process.env.LIFERAFT_MUTANT_SEEDS ?? 200);
const examples = join(__dirname, '..', '..', 'examples');
const scenarios =
  process.env.LIFERAFT_MUTANT_SCENARIOS === 'examples'
    ? readdirSync(examples)
        .filter((f) => f.endsWith('.raftsim'))
        .sort()
        .map((f) => loadScenario(readFileSync(join(examples, f), 'utf8'), f))
    : [loadScenario(DEFAULT_SCENARIO, DEFAULT_SCENARIO_FILE)];

describe('explorer', () => {
  for (const s of scenarios) {
    it(`${SEEDS} seeds of ${s.file} pass`, () => {
      for (let seed = 1; seed <= SEEDS; seed++) {
        const r = new Simulation(s, seed).run();
        assert.equal(r.verdict, 'ok', `seed ${seed}: ${r.verdict} ${r.violation?.invariant ?? ''} ${r.violation?.message ?? ''}`);
      }
    });
  }
});
