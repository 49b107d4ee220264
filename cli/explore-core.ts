// The part of `explore` that runs seeds: used by worker threads and, with --workers 0, inline.
import { Simulation, type Scenario } from '../sim';

export interface WorkerRequest {
  /**
   * The scenario itself (plain data, cloned to the worker) — not its text: callers may have changed
   * it after parsing (planted bugs from the command line, the benchmark's uniform variant).
   */
  readonly scenario: Scenario;
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
  /** Coverage signals hit (sim/coverage.ts). */
  readonly coverage: readonly number[];
}

export function runSeeds(req: WorkerRequest): SeedSummary[] {
  const scenario = req.scenario;
  return req.seeds.map((seed) => {
    const r = new Simulation(scenario, seed).run();
    const base: SeedSummary = {
      seed,
      verdict: r.verdict,
      steps: r.steps,
      simulatedMs: r.simulatedMs,
      traceHash: r.traceHash,
      coverage: r.coverage,
      ...(r.violation === undefined
        ? {}
        : { violation: { invariant: r.violation.invariant, step: r.violation.step, message: r.violation.message, nodes: r.violation.nodes } }),
    };
    if (!req.twice) return base;
    const again = new Simulation(scenario, seed).run();
    return again.traceHash === r.traceHash ? base : { ...base, secondHash: again.traceHash };
  });
}
