// The launch request's attributes (protocol.ts's LaunchArguments): checked, then turned into what
// the runtime starts from — a scenario (with any planted bugs), a seed and the forks of a trace.
import { BUG_NAMES } from '../core';
import { foreignRefusal, loadScenario, parseTrace, traceScenario, withBugs, type NodeRun, type Scenario, type TraceFile } from '../sim';
import type * as protocol from './protocol';

/** Checks launch attributes; throws with what is wrong. */
export function validateLaunch(a: protocol.LaunchArguments): void {
  if (typeof a !== 'object' || a === null || Array.isArray(a))
    throw new Error(
      `invalid launch configuration: the arguments must be an object with "scenario" (a .raftsim path) or "trace" (a .rafttrace path) (got ${JSON.stringify(a)})`,
    );
  const problems: string[] = [];
  const has = (k: keyof protocol.LaunchArguments): boolean => a[k] !== undefined && a[k] !== null;
  if (has('scenario') === has('trace')) problems.push('give exactly one of "scenario" (a .raftsim path) or "trace" (a .rafttrace path)');
  if (has('scenario') && typeof a.scenario !== 'string') problems.push('"scenario" must be a path');
  if (has('trace') && typeof a.trace !== 'string') problems.push('"trace" must be a path');
  if (has('seed') && has('trace')) problems.push('"seed" cannot be given with "trace": the trace fixes its seed');
  if (has('seed') && (!Number.isSafeInteger(a.seed) || a.seed! < 0)) problems.push(`"seed" must be a non-negative integer, not ${JSON.stringify(a.seed)}`);
  if (has('stopOnEntry') && typeof a.stopOnEntry !== 'boolean') problems.push('"stopOnEntry" must be true or false');
  if (has('maxSteps') && (!Number.isSafeInteger(a.maxSteps) || a.maxSteps! < 1))
    problems.push(`"maxSteps" must be a positive integer, not ${JSON.stringify(a.maxSteps)}`);
  if (has('checkpointBudgetMB') && (typeof a.checkpointBudgetMB !== 'number' || !(a.checkpointBudgetMB >= 1)))
    problems.push('"checkpointBudgetMB" must be a number ≥ 1');
  if (has('checkpointEvery') && (!Number.isSafeInteger(a.checkpointEvery) || a.checkpointEvery! < 10))
    problems.push('"checkpointEvery" must be an integer ≥ 10');
  if (has('node') && (typeof a.node !== 'string' || a.node === '')) problems.push('"node" must be the path of a node module');
  if (has('bugs')) {
    if (!Array.isArray(a.bugs)) problems.push('"bugs" must be a list of planted bug names');
    else for (const b of a.bugs) if (!BUG_NAMES.includes(b as never)) problems.push(`unknown bug ${JSON.stringify(b)} (known: ${BUG_NAMES.join(', ')})`);
  }
  if (problems.length > 0) throw new Error(`invalid launch configuration: ${problems.join('; ')}`);
}

/** Where a launch starts: read from a trace (the run it recorded) or a scenario file. */
export interface LaunchPlan {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly forks: TraceFile['forks'];
  readonly trace: TraceFile | null;
  /** The scenario file's path ('' for a trace, whose scenario is embedded). */
  readonly scenarioPath: string;
  /** The last step the debugger runs to: the attribute, or a trace's last step. */
  readonly maxSteps: number | undefined;
  /** A user's node to run instead of the core (the launch's `node`, or the one a trace ran). */
  readonly node: NodeRun | null;
}

/** Loads a user's node (sim/node-api.ts); hosts that cannot (a browser) have none. */
export type NodeLoader = (path: string) => Promise<NodeRun>;

const NO_LOADER = "this debug adapter was started without a loader for a user's node (`liferaft dap` and the VS Code extension have one)";

/**
 * The path a scenario's `node` line names: relative to the scenario's folder; as written when it is
 * absolute, a URI, or the scenario has no folder (an untitled editor: the host resolves it).
 */
export function nodePathOf(line: string, scenarioPath: string): string {
  return isRootedPath(line) || !/[/\\]/.test(scenarioPath) ? line : `${scenarioPath.replace(/[/\\][^/\\]*$/, '')}/${line}`;
}

/** Whether a path stands on its own: absolute (`/…`, `C:…`) or a URI (`scheme:…`). */
export function isRootedPath(path: string): boolean {
  return /^([/\\]|[A-Za-z]:|[a-z][a-z0-9+.-]+:)/i.test(path);
}

/** Reads what a launch names; `read` fails with a message the session reports. */
export async function planLaunch(a: protocol.LaunchArguments, read: (path: string) => Promise<string>, loadNode?: NodeLoader): Promise<LaunchPlan> {
  validateLaunch(a);
  let plan: Omit<LaunchPlan, 'maxSteps' | 'node'>;
  let nodePath = a.node ?? null;
  if (a.trace !== undefined) {
    const t = parseTrace(await read(a.trace), a.trace);
    if (t.node !== undefined && nodePath === null) nodePath = t.node.file;
    plan = { scenario: traceScenario(t), seed: t.seed, forks: t.forks, trace: t, scenarioPath: '' };
  } else {
    const path = a.scenario!;
    const scenario = loadScenario(await read(path), path);
    plan = { scenario, seed: a.seed ?? scenario.seed ?? 1, forks: [], trace: null, scenarioPath: path };
  }
  const line = plan.scenario.node;
  if (nodePath === null && line !== null) nodePath = nodePathOf(line.path, plan.scenarioPath);
  let node: NodeRun | null = null;
  if (nodePath !== null) {
    if (loadNode === undefined) throw new Error(`"node" ${nodePath}: ${NO_LOADER}`);
    node = await loadNode(nodePath);
    const refusal = foreignRefusal(plan.scenario, node.name);
    if (refusal !== null) throw new Error(refusal);
  }
  // A trace replays the run it recorded: up to its last step (a trace saved mid-run ends there).
  return { ...plan, scenario: withBugs(plan.scenario, a.bugs ?? []), maxSteps: a.maxSteps ?? plan.trace?.steps, node };
}
