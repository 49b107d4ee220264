// Exploring seeds off the extension host's thread: a Node worker thread on the desktop, a web
// worker on the web (worker-node.ts / worker-web.ts wire the port). Runs the seeds it is asked for
// and reports each one as it finishes, so the host can show progress and stop early.
import { loadScenario, shrink, Simulation, withBugs } from '../sim';

export interface ExploreRequest {
  readonly text: string;
  readonly file: string;
  readonly bugs: readonly string[];
  readonly from: number;
  readonly to: number;
  /** Instead of exploring: shrink this failing seed into a small regression scenario, within `seconds`. */
  readonly shrink?: { readonly seed: number; readonly seconds: number };
}

export interface SeedResult {
  readonly seed: number;
  readonly verdict: string;
  readonly steps: number;
  readonly violation?: { readonly invariant: string; readonly step: number; readonly message: string };
}

export type ExploreReply =
  | { readonly type: 'seed'; readonly result: SeedResult }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'shrunk'; readonly text: string; readonly seed: number; readonly reproduced: boolean; readonly runs: number; readonly invariant: string }
  | { readonly type: 'done' };

export function explore(req: ExploreRequest, reply: (r: ExploreReply) => void): void {
  let scenario;
  try {
    scenario = loadScenario(req.text, req.file);
    scenario = withBugs(scenario, req.bugs);
  } catch (e) {
    reply({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    return;
  }
  if (req.shrink !== undefined) {
    const deadline = Date.now() + req.shrink.seconds * 1000;
    const r = shrink(scenario, req.shrink.seed, { shouldStop: () => Date.now() > deadline });
    reply({ type: 'shrunk', text: r.text, seed: r.seed, reproduced: r.reproduced, runs: r.runs, invariant: r.result.violation?.invariant ?? r.result.verdict });
    return;
  }
  for (let seed = req.from; seed <= req.to; seed++) {
    const r = new Simulation(scenario, seed).run();
    const v = r.violation;
    reply({
      type: 'seed',
      result: {
        seed,
        verdict: r.verdict,
        steps: r.steps,
        ...(v === undefined ? {} : { violation: { invariant: v.invariant, step: v.step, message: v.message } }),
      },
    });
  }
  reply({ type: 'done' });
}
