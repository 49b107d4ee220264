// The debugged run as a .rafttrace: scenario, seed, planted bugs and the forks made by hand, with
// the hashes a replay verifies. Re-executes the run once while recording.
import { recordRun, type TraceFile } from '../sim';
import type { SimRuntime } from './runtime';

export function traceOf(rt: SimRuntime): TraceFile {
  const end = rt.lastStep;
  const stopAt = end !== null && rt.outcome !== null && rt.sim.scenario.maxSteps >= end ? undefined : rt.frontier;
  return recordRun(rt.scenario, rt.seed, stopAt, rt.forks, rt.node ?? undefined).trace;
}
