// .rafttrace files: a self-contained reproduction of one run — the scenario text, the seed, the
// number of steps, and hashes to verify a replay against (the trace hash, a state hash every
// CHECKPOINT_EVERY steps and one byte per step, which pinpoints the first divergent step).
import { BUG_NAMES } from '../core';
import type { RaftNode } from './node-api';
import { INVARIANT_NAMES } from './invariants';
import { NODE_ACTIONS, parseScenario, type Scenario } from './scenario';
import { Simulation, type ForkAction, type RunResult } from './simulation';
import { drawSwarm } from './swarm';
import { firstDivergence } from './trace';

export const TRACE_FORMAT = 'liferaft-trace';
export const TRACE_VERSION = 1;

export interface TraceFile {
  readonly format: typeof TRACE_FORMAT;
  readonly version: typeof TRACE_VERSION;
  readonly scenario: { readonly file: string; readonly text: string };
  /** Planted bugs that were on (from the scenario's `bugs` line and the command line). */
  readonly bugs?: readonly string[];
  readonly seed: number;
  /** Changes made by hand in the debugger, each applied after its step (0: before the first); empty for plain runs. */
  readonly forks: readonly TraceFork[];
  readonly steps: number;
  readonly traceHash: string;
  readonly verdict: RunResult['verdict'];
  readonly violation?: RunResult['violation'];
  readonly checkpoints: readonly { readonly step: number; readonly hash: string }[];
  /** base64 of one byte per step (byte 0 unused). */
  readonly stepBytes: string;
  /** The user's node the run ran instead of the core (sim/node-api.ts): its file as given, name and SHA-256. */
  readonly node?: TraceNode;
}

export interface TraceNode {
  readonly file: string;
  readonly name: string;
  readonly sha256: string;
}

/** A user's node to run: the loaded module, and what a trace records of it. */
export interface NodeRun extends TraceNode {
  readonly module: RaftNode;
}

export interface TraceFork {
  readonly step: number;
  readonly action: ForkAction;
}

/** Checks a fork's action read from a file or typed by a user; returns a message, or null if valid. */
export function forkActionProblem(a: unknown, nodes = 9): string | null {
  const x = a as Record<string, unknown>;
  if (typeof x !== 'object' || x === null) return 'an action must be an object';
  const node = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) < nodes;
  if ((NODE_ACTIONS as readonly unknown[]).includes(x['kind'])) return node(x['node']) ? null : `"${String(x['kind'])}" needs a node index 0..${nodes - 1}`;
  switch (x['kind']) {
    case 'heal':
      return null;
    case 'cut':
      return node(x['from']) && node(x['to']) ? null : '"cut" needs node indexes from and to';
    case 'clog':
      return node(x['a']) && node(x['b']) && Number.isSafeInteger(x['forUs']) && (x['forUs'] as number) > 0
        ? null
        : '"clog" needs node indexes a, b and forUs > 0';
    case 'partition': {
      const g = x['groups'];
      return Array.isArray(g) && g.length >= 2 && g.every((h: unknown) => Array.isArray(h) && h.every(node))
        ? null
        : '"partition" needs at least two groups of node indexes';
    }
    case 'drop':
      return Number.isSafeInteger(x['seq']) && (x['seq'] as number) >= 0 ? null : '"drop" needs the seq of a message in flight';
    default:
      return `unknown action kind ${JSON.stringify(x['kind'])}`;
  }
}

export class TraceError extends Error {
  override readonly name = 'TraceError';
}

export const KNOWN = { invariants: INVARIANT_NAMES, bugs: BUG_NAMES as readonly string[] };

export function loadScenario(text: string, file: string): Scenario {
  return parseScenario(text, file, KNOWN);
}

/** Runs a seed (with forks made in the debugger, if any) while recording; returns the result with its trace file. */
export function recordRun(
  scenario: Scenario,
  seed: number,
  stopAtStep?: number,
  forks: readonly TraceFork[] = [],
  node?: NodeRun,
): { result: RunResult; trace: TraceFile; sim: Simulation } {
  const sim = new Simulation(scenario, seed, {
    record: true,
    ...(stopAtStep === undefined ? {} : { stopAtStep }),
    ...(node === undefined ? {} : { node: { module: node.module, label: node.name } }),
  });
  const result = forks.length === 0 ? sim.run() : runWithForks(sim, forks);
  const trace: TraceFile = {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    scenario: { file: scenario.file, text: scenario.text },
    bugs: scenario.bugs,
    seed,
    forks,
    steps: result.steps,
    traceHash: result.traceHash,
    verdict: result.verdict,
    ...(result.violation === undefined ? {} : { violation: result.violation }),
    checkpoints: sim.trace.checkpoints,
    stepBytes: toBase64(sim.trace.stepBytes(result.steps)),
    ...(node === undefined ? {} : { node: { file: node.file, name: node.name, sha256: node.sha256 } }),
  };
  return { result, trace, sim };
}

/** Runs to the end, applying each fork after its step (as the debugger did); `onStep` sees each step's outcome first. */
export function runWithForks(sim: Simulation, forks: readonly TraceFork[], onStep?: () => void): RunResult {
  const apply = (): void => {
    for (const f of forks) if (f.step === sim.steps) sim.fork(f.action);
  };
  apply();
  while (!sim.done) {
    const was = sim.steps;
    sim.step();
    if (sim.steps !== was) {
      onStep?.();
      apply();
    }
  }
  return sim.outcome!;
}

/** Validates the structure of a parsed .rafttrace; throws TraceError saying what is wrong. */
export function parseTrace(text: string, file: string): TraceFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new TraceError(`${file}: not a LifeRaft trace: invalid JSON (${(e as Error).message})`);
  }
  const t = raw as Partial<Record<keyof TraceFile, unknown>>;
  const need = (ok: boolean, what: string): void => {
    if (!ok) throw new TraceError(`${file}: ${what}`);
  };
  need(typeof raw === 'object' && raw !== null && !Array.isArray(raw), 'not a LifeRaft trace: expected a JSON object');
  need(t.format === TRACE_FORMAT, `not a LifeRaft trace: "format" is ${JSON.stringify(t.format)}, expected "${TRACE_FORMAT}"`);
  need(t.version === TRACE_VERSION, `unsupported trace version ${JSON.stringify(t.version)} (this LifeRaft reads version ${TRACE_VERSION})`);
  const sc = t.scenario as { file?: unknown; text?: unknown } | undefined;
  need(typeof sc === 'object' && sc !== null && typeof sc.file === 'string' && typeof sc.text === 'string', '"scenario" must be { file, text } strings');
  need(Number.isSafeInteger(t.seed), '"seed" must be an integer');
  need(
    t.bugs === undefined || (Array.isArray(t.bugs) && t.bugs.every((b: unknown) => typeof b === 'string' && BUG_NAMES.includes(b as never))),
    '"bugs" must be a list of known planted bug names',
  );
  need(Number.isSafeInteger(t.steps) && (t.steps as number) >= 0, '"steps" must be a non-negative integer');
  need(typeof t.traceHash === 'string' && /^[0-9a-f]{16}$/.test(t.traceHash), '"traceHash" must be 16 hex digits');
  need(Array.isArray(t.forks), '"forks" must be a list');
  need(
    Array.isArray(t.checkpoints) &&
      t.checkpoints.every((c: unknown) => {
        const x = c as { step?: unknown; hash?: unknown };
        return typeof x === 'object' && x !== null && Number.isSafeInteger(x.step) && typeof x.hash === 'string';
      }),
    '"checkpoints" must be a list of { step, hash }',
  );
  need(typeof t.stepBytes === 'string', '"stepBytes" must be a base64 string');
  need(['ok', 'safety', 'liveness', 'crash'].includes(t.verdict as string), '"verdict" must be ok, safety, liveness or crash');
  (t.forks as unknown[]).forEach((f: unknown, i) => {
    const x = f as { step?: unknown; action?: unknown };
    need(
      typeof x === 'object' && x !== null && Number.isSafeInteger(x.step) && (x.step as number) >= 0,
      `fork ${i + 1}: "step" must be a non-negative integer`,
    );
    const problem = forkActionProblem(x.action);
    need(problem === null, `fork ${i + 1}: ${problem}`);
  });
  try {
    fromBase64(t.stepBytes as string);
  } catch {
    need(false, '"stepBytes" is not valid base64');
  }
  if (t.node !== undefined) {
    const n = t.node as Record<string, unknown> | null;
    need(
      typeof n === 'object' &&
        n !== null &&
        typeof n.file === 'string' &&
        n.file !== '' &&
        typeof n.name === 'string' &&
        typeof n.sha256 === 'string' &&
        /^[0-9a-f]{64}$/.test(n.sha256),
      '"node" must be { file, name, sha256 } (the user\'s node the run ran)',
    );
  }
  return raw as TraceFile;
}

export interface ReplayResult {
  readonly ok: boolean;
  readonly steps: number;
  readonly traceHash: string;
  readonly verdict: RunResult['verdict'];
  readonly violation?: RunResult['violation'];
  /** The first step whose outcome differs from the recording. */
  readonly divergedAt?: number;
  readonly message?: string;
}

/**
 * The scenario a trace ran: its text, with the planted bugs that were on (some may come from --bug,
 * not the text). Its forks must name nodes the seed's run has (its drawn size, and its spares):
 * a fork of another run is refused here, before anything runs.
 */
export function traceScenario(trace: TraceFile): Scenario {
  let scenario: Scenario;
  try {
    scenario = loadScenario(trace.scenario.text, trace.scenario.file);
  } catch (e) {
    throw new TraceError(`the trace's scenario does not parse: ${(e as Error).message}`);
  }
  const s = trace.bugs === undefined ? scenario : { ...scenario, bugs: trace.bugs };
  const nodes = drawSwarm(s, trace.seed).nodes + s.spares;
  trace.forks.forEach((f, i) => {
    const problem = forkActionProblem(f.action, nodes);
    if (problem !== null) throw new TraceError(`fork ${i + 1}: ${problem} (seed ${trace.seed} of this scenario runs ${nodes} nodes)`);
  });
  return s;
}

/** Re-executes a trace and verifies every hash. */
/** Re-executes a trace; one that ran a user's node needs it loaded (`node`: the host loads its file). */
export function replayTrace(trace: TraceFile, node?: NodeRun): ReplayResult {
  const scenario = traceScenario(trace);
  if (trace.node !== undefined && node === undefined) throw new TraceError(`the trace ran the node ${trace.node.file}: load it to replay`);
  const { result, trace: again } = recordRun(scenario, trace.seed, trace.steps, trace.forks, node);
  const base = {
    steps: result.steps,
    traceHash: result.traceHash,
    verdict: result.verdict,
    ...(result.violation === undefined ? {} : { violation: result.violation }),
  };
  const d = firstDivergence(fromBase64(trace.stepBytes), fromBase64(again.stepBytes));
  const checkpoint = trace.checkpoints.find((c, i) => again.checkpoints[i]?.hash !== c.hash);
  if (d === null && checkpoint === undefined && result.traceHash === trace.traceHash && result.steps === trace.steps) {
    return { ok: true, ...base };
  }
  const divergedAt = d ?? checkpoint?.step ?? Math.min(result.steps, trace.steps);
  return {
    ok: false,
    ...base,
    divergedAt,
    message: `the replay diverged from the recording at step ${divergedAt} (recorded ${trace.steps} steps, hash ${trace.traceHash}; replayed ${result.steps} steps, hash ${result.traceHash})`,
  };
}

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
