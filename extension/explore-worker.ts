// Exploring seeds off the extension host's thread: a Node worker thread on the desktop, a web
// worker on the web (worker-node.ts / worker-web.ts wire the port). Runs the seeds it is asked for
// and reports each one as it finishes, so the host can show progress and stop early.
import { loadScenario, Simulation } from '../sim';

export interface ExploreRequest {
  readonly text: string;
  readonly file: string;
  readonly bugs: readonly string[];
  readonly from: number;
  readonly to: number;
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
  | { readonly type: 'done' };

export function explore(req: ExploreRequest, reply: (r: ExploreReply) => void): void {
  let scenario;
  try {
    scenario = loadScenario(req.text, req.file);
    if (req.bugs.length > 0) scenario = { ...scenario, bugs: [...new Set([...scenario.bugs, ...req.bugs])] };
  } catch (e) {
    reply({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    return;
  }
  for (let seed = req.from; seed <= req.to; seed++) {
    const r = new Simulation(scenario, seed).run();
    const v = r.violation;
    reply({ type: 'seed', result: { seed, verdict: r.verdict, steps: r.steps, ...(v === undefined ? {} : { violation: { invariant: v.invariant, step: v.step, message: v.message } }) } });
  }
  reply({ type: 'done' });
}
