// The part of `explore` that runs seeds: used by worker threads and, with --workers 0, inline.
import { loadScenario, Simulation, type Scenario } from '../sim';

export interface WorkerRequest {
  readonly file: string;
  readonly text: string;
  readonly seeds: readonly number[];
  /** Run each seed twice and compare (--check-determinism). */
  readonly twice: boolean;
}

export interface SeedSummary {
  readonly seed: number;
  readonly verdict: string;
  readonly steps: number;
  readonly simulatedMs: number;
  readonly traceHash: string;
  readonly violation?: { readonly invariant: string; readonly step: number; readonly message: string; readonly nodes: readonly string[] };
  /** With --check-determinism: the second run's hash, when it differs. */
  readonly secondHash?: string;
}

const cache = new Map<string, Scenario>();

export function runSeeds(req: WorkerRequest): SeedSummary[] {
  const key = `${req.file}\n${req.text}`;
  let scenario = cache.get(key);
  if (scenario === undefined) {
    scenario = loadScenario(req.text, req.file);
    cache.clear();
    cache.set(key, scenario);
  }
  return req.seeds.map((seed) => {
    const r = new Simulation(scenario, seed).run();
    const base: SeedSummary = {
      seed, verdict: r.verdict, steps: r.steps, simulatedMs: r.simulatedMs, traceHash: r.traceHash,
      ...(r.violation === undefined ? {} : { violation: { invariant: r.violation.invariant, step: r.violation.step, message: r.violation.message, nodes: r.violation.nodes } }),
    };
    if (!req.twice) return base;
    const again = new Simulation(scenario, seed).run();
    return again.traceHash === r.traceHash ? base : { ...base, secondHash: again.traceHash };
  });
}
