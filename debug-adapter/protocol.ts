// Types of the debug adapter's launch attributes and custom requests: the contract with the
// extension and its panels (media/). Custom requests are plain DAP requests with these commands.
import type { LinOperationView } from '../sim';

export const DEBUG_TYPE = 'liferaft';

export interface LaunchArguments {
  /** Path of a .raftsim scenario (one of scenario, trace). */
  readonly scenario?: string;
  /** Seed to run (default: the scenario's `seed` line, else 1). */
  readonly seed?: number;
  /** Path of a .rafttrace to open (its scenario, seed, bugs and forks). */
  readonly trace?: string;
  readonly stopOnEntry?: boolean;
  /** The debugger never runs beyond this step. */
  readonly maxSteps?: number;
  /** Planted bugs to switch on, in addition to the scenario's `bugs` line. */
  readonly bugs?: readonly string[];
  /** Steps between checkpoints kept for time travel at first (default 2000; doubles to stay within the budget). */
  readonly checkpointEvery?: number;
  /** Memory for checkpoints in MB (default 150). */
  readonly checkpointBudgetMB?: number;
  /** Path of a user's Raft node (sim/node-api.ts) to run instead of LifeRaft's core; hosts that can load one only. */
  readonly node?: string;
}

/**
 * The launch attributes as JSON schema properties: the extension's manifest
 * (`contributes.debuggers[0].configurationAttributes.launch`) must say exactly this (a test checks).
 */
export const LAUNCH_SCHEMA = {
  properties: {
    scenario: { type: 'string', description: 'Path of the .raftsim scenario to run (give this or "trace").' },
    seed: { type: 'integer', minimum: 0, description: 'Seed of the run (default: the scenario\'s `seed` line, else 1). Not with "trace".' },
    trace: { type: 'string', description: 'Path of a .rafttrace to open: its scenario, seed, planted bugs and forks.' },
    stopOnEntry: { type: 'boolean', default: true, description: 'Stop at step 0, before the first event.' },
    maxSteps: { type: 'integer', minimum: 1, description: 'The debugger never runs beyond this step.' },
    bugs: { type: 'array', items: { type: 'string' }, description: "Planted bugs to switch on (see sim/BUGS.md), in addition to the scenario's `bugs` line." },
    checkpointEvery: {
      type: 'integer',
      minimum: 10,
      default: 2000,
      description: 'Steps between time-travel checkpoints at first (they thin out to stay within the budget).',
    },
    checkpointBudgetMB: { type: 'number', minimum: 1, default: 150, description: 'Memory for time-travel checkpoints, in MB.' },
    node: {
      type: 'string',
      description:
        "Path of your own Raft node (JavaScript or TypeScript, the interface of sim/node-api.ts) to run instead of LifeRaft's core. For now with `liferaft dap` (any DAP client), not in the VS Code extension.",
    },
  },
} as const;

/** `liferaft/state`: everything the panels draw at the current step. */
export const STATE_REQUEST = 'liferaft/state';
/** `liferaft/steps`: summaries of a window of steps, for the timeline. */
export const STEPS_REQUEST = 'liferaft/steps';
/** `liferaft/goto`: go to a step (the panels' time travel); a stopped event follows. */
export const GOTO_REQUEST = 'liferaft/goto';
/** `liferaft/trace`: the run as a .rafttrace (with its forks), to save. */
export const TRACE_REQUEST = 'liferaft/trace';

export interface NodeSnapshot {
  readonly id: string;
  readonly status: 'up' | 'paused' | 'down' | 'dead';
  readonly role: string;
  readonly term: number;
  readonly vote: string | null;
  readonly leader: string | null;
  readonly commit: number;
  readonly applied: number;
  readonly electionElapsed: number;
  readonly electionTimeout: number;
  /** Terms of the entries the node holds, from index logStart + 1 on. */
  readonly logTerms: readonly number[];
  /** Entries up to this index are compacted into the node's snapshot (0: none). */
  readonly logStart?: number;
  /** Per follower, when leader. */
  readonly progress: Readonly<Record<string, { readonly match: number; readonly next: number }>>;
  readonly syncedLength: number;
  /** A leader handing leadership over (thesis §3.10): to whom. Absent otherwise. */
  readonly transferee?: string;
  /**
   * The node's place in the cluster's configuration (StateResponseBody.config): a voter, a learner
   * catching up to join, removed from it, or a spare never added. Absent when the run changes no
   * membership.
   */
  readonly membership?: 'voter' | 'learner' | 'removed' | 'spare';
}

export interface MessageSnapshot {
  readonly id: number;
  readonly from: string;
  readonly to: string;
  readonly type: string;
  readonly term: number;
  readonly text: string;
  readonly sentAtStep: number;
  readonly sentAtUs: number;
  readonly arrivesUs: number;
}

export interface ViolationSnapshot {
  readonly invariant: string;
  readonly step: number;
  readonly time: number;
  readonly nodes: readonly string[];
  readonly message: string;
}

/**
 * One client operation on the key a linearizability failure is about (the Invariants panel's time
 * axis; times in virtual µs): the linearizability view's operation, without order or line.
 */
export type LinOperation = Omit<LinOperationView, 'order' | 'line'>;

export type { LinReport, LinKeyView, LinOperationView } from '../sim';

export interface LinearizabilitySnapshot {
  /** 'pending' until the run's end (the history is checked then). */
  readonly result: 'ok' | 'illegal' | 'unknown' | 'skipped' | 'pending';
  readonly key?: string;
  /** When illegal: the operations on that key (at most 200, around the illegal ones). */
  readonly operations?: readonly LinOperation[];
}

export interface StateResponseBody {
  readonly step: number;
  readonly timeUs: number;
  readonly lastStep: number | null;
  readonly frontier: number;
  readonly phase: 'safety' | 'liveness';
  readonly event: string;
  readonly nodes: readonly NodeSnapshot[];
  /**
   * The cluster's configuration (thesis chapter 4): the leader's, or with none the newest any running
   * node holds; `committed` once that node has committed it. Absent when the run changes no membership.
   */
  readonly config?: { readonly voters: readonly string[]; readonly learners: readonly string[]; readonly index: number; readonly committed: boolean };
  readonly inFlight: readonly MessageSnapshot[];
  readonly cutLinks: readonly string[];
  readonly invariants: readonly { readonly name: string; readonly status: string }[];
  readonly violation: ViolationSnapshot | null;
  readonly verdict: string | null;
  readonly linearizability: LinearizabilitySnapshot;
  readonly forks: number;
  /** What time travel holds in memory. */
  readonly memory: {
    readonly checkpoints: number;
    readonly checkpointEvery: number;
    readonly checkpointMB: number;
    readonly near: number;
    readonly views: number;
    readonly timelineBytes: number;
  };
}

export interface StepsArguments {
  readonly from: number;
  readonly count: number;
}

export interface StepSummary {
  readonly step: number;
  readonly timeUs: number;
  /** Node name, or null for steps outside the nodes. */
  readonly node: string | null;
  readonly kind: string;
  /** The step whose event caused this one (0: none). */
  readonly cause: number;
  readonly text: string;
}

export interface StepsResponseBody {
  readonly steps: readonly StepSummary[];
  readonly frontier: number;
}

export interface GotoArguments {
  readonly step: number;
}
