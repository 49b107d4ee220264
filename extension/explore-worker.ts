// Exploring seeds off the extension host's thread: a Node worker thread on the desktop, a web
// worker on the web (worker-node.ts / worker-web.ts wire the port). The same explorer as the CLI's
// (sim/explorer.ts): a range of seeds in order, or for a time budget, coverage-guided. Each seed is
// reported as it finishes, so the host can show progress and stop early; then the coverage.
import { Exploration, loadScenario, nodeRules, runSeeds, shrink, withBugs, type ExplorationSummary, type LoadedNodeModule, type Scenario } from '../sim';
import { evaluateNode, type NodeSource, type RequireFor } from './node-eval';

export interface ExploreRequest {
  readonly text: string;
  readonly file: string;
  readonly bugs: readonly string[];
  /** Seeds from..to, in order; with `seconds`, open-ended from `from` instead. */
  readonly from: number;
  readonly to: number;
  /** Explore for this long, choosing seeds by coverage (as `liferaft explore --time`). */
  readonly seconds?: number;
  /** Instead of exploring: shrink this failing seed into a small regression scenario, within `seconds`. */
  readonly shrink?: { readonly seed: number; readonly seconds: number };
  /** A user's node to run instead of the core (the scenario's `node` line, as the host read it). */
  readonly node?: NodeSource;
}

export interface SeedResult {
  readonly seed: number;
  readonly verdict: string;
  readonly steps: number;
  readonly simulatedMs: number;
  /** The run's trace hash: `liferaft run` of the seed prints the same. */
  readonly traceHash: string;
  readonly violation?: { readonly invariant: string; readonly step: number; readonly message: string };
}

export type ExploreReply =
  | { readonly type: 'seed'; readonly result: SeedResult }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'shrunk'; readonly text: string; readonly seed: number; readonly reproduced: boolean; readonly runs: number; readonly invariant: string }
  | { readonly type: 'done'; readonly coverage: ExplorationSummary['coverage'] };

/** Explores (or shrinks) as asked; `requireFor` is the platform's, for a user's node. */
export function explore(req: ExploreRequest, reply: (r: ExploreReply) => void, requireFor: RequireFor): void {
  let scenario;
  let node: LoadedNodeModule | undefined;
  try {
    scenario = loadScenario(req.text, req.file);
    scenario = withBugs(scenario, req.bugs);
    if (req.node !== undefined) {
      const n = evaluateNode(req.node, requireFor);
      node = { module: n.module, label: n.name };
    }
  } catch (e) {
    reply({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    return;
  }
  try {
    run(req, scenario, node, reply);
  } catch (e) {
    // (A scenario a user's node cannot run, say: a message, never a dead worker.)
    reply({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
}

function run(req: ExploreRequest, scenario: Scenario, node: LoadedNodeModule | undefined, reply: (r: ExploreReply) => void): void {
  if (req.shrink !== undefined) {
    const deadline = Date.now() + req.shrink.seconds * 1000;
    const r = shrink(scenario, req.shrink.seed, { shouldStop: () => Date.now() > deadline, ...(node === undefined ? {} : { node }) });
    reply({ type: 'shrunk', text: r.text, seed: r.seed, reproduced: r.reproduced, runs: r.runs, invariant: r.result.violation?.invariant ?? r.result.verdict });
    return;
  }
  const open = req.seconds !== undefined;
  const deadline = open ? Date.now() + req.seconds! * 1000 : Infinity;
  const exploration = new Exploration({
    scenario,
    seeds: open ? null : { from: req.from, to: req.to },
    from: req.from,
    shard: null,
    bias: true,
    checkDeterminism: false,
    untilFailure: false,
    ...(node === undefined ? {} : { nodeRules: nodeRules(node.module) }),
  });
  // One seed at a time: progress after each, and the budget checked between them.
  for (let b = exploration.nextBatch(1, () => Date.now() >= deadline); b.seeds.length > 0; b = exploration.nextBatch(1, () => Date.now() >= deadline)) {
    const rs = runSeeds(b, node);
    exploration.report(rs);
    for (const r of rs) {
      const v = r.violation;
      reply({
        type: 'seed',
        result: {
          seed: r.seed,
          verdict: r.verdict,
          steps: r.steps,
          simulatedMs: r.simulatedMs,
          traceHash: r.traceHash,
          ...(v === undefined ? {} : { violation: { invariant: v.invariant, step: v.step, message: v.message } }),
        },
      });
    }
  }
  reply({ type: 'done', coverage: exploration.summarize().coverage });
}

/** What to explore: a number of seeds, or a time ("30s", "2m") to choose seeds by coverage in. */
export function budgetOf(text: string): { readonly seeds: number; readonly text: string } | { readonly seconds: number; readonly text: string } | null {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t) > 0 ? { seeds: Number(t), text: t } : null;
  const m = /^(\d+)\s*(s|m)$/.exec(t);
  if (m === null || Number(m[1]) === 0) return null;
  return { seconds: Number(m[1]) * (m[2] === 'm' ? 60 : 1), text: `${m[1]}${m[2]}` };
}
