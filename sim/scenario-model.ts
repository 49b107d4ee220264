// The scenario language's data: what a parsed scenario holds (the simulator reads it), its
// defaults, and the error every problem of a scenario file is reported with (file:line:col).

export interface Range {
  readonly min: number;
  readonly max: number;
}

export type Latency =
  | { readonly kind: 'uniform'; readonly minUs: number; readonly maxUs: number }
  | { readonly kind: 'exp'; readonly meanUs: number; readonly capUs: number };

/** A fault that recurs at random: the swarm draws a mean interval in `everyUs` for each seed. */
export interface RecurringFault {
  readonly everyUs: Range;
  readonly forUs: Range;
  /** With swarm on: the chance that a seed switches this fault on (default 50%). */
  readonly weight: number;
  readonly line: number;
}

/**
 * Every fault action of an `at` line (and of the debugger's forks), with what it does — the one
 * list the parser, the trace files and the language server read (completions in this order).
 */
export const FAULT_ACTIONS = {
  partition: 'partition A B | C — split the network into groups (links between groups cut both ways)',
  cut: 'cut A -> B — messages from A to B are lost (one way)',
  isolate: 'isolate N — cut a node off from all others',
  heal: 'heal — reconnect every link',
  crash: 'crash N — the node stops; volatile state and unsynced writes are lost',
  restart: 'restart N — a crashed node starts again from its disk',
  pause: 'pause N — the process stops (SIGSTOP-like); messages to it wait',
  resume: 'resume N — a paused node runs again',
  clog: 'clog A B for D — messages on the link wait until the clog clears',
  corrupt: 'corrupt N — a synced record of the node rots (caught by its checksum)',
  transfer:
    'transfer N — the leader hands leadership to N (thesis §3.10): it catches N up, takes no writes meanwhile, and tells N to campaign; nothing happens while no node leads',
  add: 'add N — the leader adds N to the configuration (thesis §4.1): as a learner that catches up, then promoted to voter; refused while another change is pending',
  remove: 'remove N — the leader removes N from the configuration (thesis §4.1); a leader removing itself steps down once that commits (§4.2.2)',
} as const;

export type FaultActionKind = keyof typeof FAULT_ACTIONS;
/** The actions that name one node. */
export const NODE_ACTIONS = [
  'isolate',
  'crash',
  'restart',
  'pause',
  'resume',
  'corrupt',
  'transfer',
  'add',
  'remove',
] as const satisfies readonly FaultActionKind[];
export type NodeActionKind = (typeof NODE_ACTIONS)[number];

export type FaultAction =
  | { readonly kind: 'partition'; readonly groups: readonly (readonly number[])[] }
  | { readonly kind: 'cut'; readonly from: number; readonly to: number }
  | { readonly kind: 'heal' }
  | { readonly kind: 'clog'; readonly a: number; readonly b: number; readonly forUs: number }
  | { readonly kind: NodeActionKind; readonly node: number };

export interface ScheduledFault {
  readonly atUs: number;
  readonly action: FaultAction;
  /** 1-based line in the scenario file (debugger frames point here). */
  readonly line: number;
}

export type OpKind = 'get' | 'put' | 'append' | 'cas' | 'delete';

export interface Workload {
  readonly clients: number;
  readonly keys: number;
  /** Time between the end of a client's operation and the start of its next. */
  readonly thinkUs: Range;
  /** A client gives up on one attempt after this long and retries (the same seq for writes). */
  readonly timeoutUs: number;
  /** Attempts per operation during the safety phase before it is abandoned (its outcome unknown). */
  readonly attempts: number;
  readonly mix: Readonly<Record<OpKind, number>>;
}

export interface Scenario {
  readonly file: string;
  readonly text: string;
  /** Largest cluster size; each seed draws its size in nodesMin..nodes. */
  readonly nodes: number;
  readonly nodesMin: number;
  /** Nodes outside the cluster at the start, waiting to be added (named after the drawn size's members). */
  readonly spares: number;
  readonly tickUs: number;
  readonly electionTicks: Range;
  readonly heartbeatTicks: number;
  /** Entries per AppendEntries (each seed draws one value). */
  readonly batch: Range;
  /** Log compaction every N applied entries (Raft §7); 0 = off (each seed draws one value in the range). */
  readonly snapshot: Range;
  /** Chance that a seed compacts at all (1 = every seed; with less, the others run without snapshots). */
  readonly snapshotChance: number;
  /** Chance that a seed runs with pre-vote (1 = on, 0 = off; in between, each seed draws). */
  readonly preVote: number;
  /** Chance that a seed runs with check-quorum (1 = on, 0 = off; in between, each seed draws). */
  readonly checkQuorum: number;
  /** Chance that a seed sends a leader's appends before its own fsync (the Persist allowance); default 0. */
  readonly earlyAppends: number;
  readonly latency: Latency;
  /** Ratios in [0, 1]; the swarm draws one value per seed in each range. */
  readonly drop: Range;
  readonly duplicate: Range;
  readonly drift: Range;
  readonly syncUs: Range;
  /** On a crash, the chance that the first unsynced write that did not reach the disk is torn. */
  readonly torn: number;
  /** Chance per crash that a synced record of the node's disk is corrupted (bit rot). */
  readonly corrupt: Range;
  readonly workload: Workload;
  readonly crash: RecurringFault | null;
  readonly partition: RecurringFault | null;
  readonly pause: RecurringFault | null;
  readonly clog: RecurringFault | null;
  // Targeted faults (nemeses aimed at classes of bugs).
  /** Isolate whichever node is leader. */
  readonly isolateLeader: RecurringFault | null;
  /** Crash whichever node is leader. */
  readonly crashLeader: RecurringFault | null;
  /** Ask whichever node leads to hand leadership to another running node (thesis §3.10); `forUs` is unused. */
  readonly transferLeader: RecurringFault | null;
  /** Ask whichever node leads to add or remove one server (thesis §4.1); `forUs` is unused. */
  readonly churn: RecurringFault | null;
  /** Hold some messages back long enough to arrive after a term change. */
  readonly delay: { readonly chance: Range; readonly byUs: Range; readonly weight: number; readonly line: number } | null;
  /** Crash a node right after it granted a vote. */
  readonly crashAfterVote: { readonly chance: Range; readonly forUs: Range; readonly weight: number; readonly line: number } | null;
  /** Crash a leader right after it sent new entries (partial replication, Figure 8 histories). */
  readonly crashAfterAppend: { readonly chance: Range; readonly forUs: Range; readonly weight: number; readonly line: number } | null;
  /** Chance per seed that every node's election timeout is nearly the same (elections collide: split votes). */
  readonly splitVotes: Range | null;
  /** PCT-style scheduling: nodes get priorities; lower priority = later delivery; priorities change at `depth` random points. */
  readonly pct: { readonly depth: Range; readonly stepUs: Range; readonly line: number } | null;
  /** Swarm testing: each seed also switches every recurring fault kind on or off at random. */
  readonly swarm: boolean;
  readonly safetyUs: number;
  readonly livenessUs: number;
  readonly maxSteps: number;
  readonly schedule: readonly ScheduledFault[];
  /** Invariant names to check; null = all. */
  readonly check: readonly string[] | null;
  readonly bugs: readonly string[];
  /** The seed `liferaft run` uses when none is given (shrunk regression scenarios pin theirs). */
  readonly seed: number | null;
  /** A user's Raft node to run instead of the core (`node PATH`, relative to the scenario's folder); hosts load it. */
  readonly node: { readonly path: string; readonly line: number } | null;
}

export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    readonly detail: string,
    /** Length of the offending token (for editor diagnostics). */
    readonly length = 1,
    /** Other errors of the same line, each with its own place (a bad value of a statement set twice is also a duplicate). */
    readonly also: readonly ScenarioError[] = [],
  ) {
    super([`${file}:${line}:${col}: ${detail}`, ...also.map((e) => e.message)].join('\n'));
  }
}

export const DEFAULTS = {
  nodes: 5,
  nodesMin: 5,
  spares: 0,
  tickUs: 10_000,
  electionTicks: { min: 10, max: 20 },
  heartbeatTicks: 1,
  batch: { min: 64, max: 64 },
  snapshot: { min: 0, max: 0 },
  snapshotChance: 1,
  preVote: 1,
  checkQuorum: 1,
  earlyAppends: 0,
  latency: { kind: 'uniform', minUs: 1_000, maxUs: 10_000 } as Latency,
  drop: { min: 0, max: 0 },
  duplicate: { min: 0, max: 0 },
  drift: { min: 0, max: 0 },
  syncUs: { min: 0, max: 0 },
  torn: 0,
  corrupt: { min: 0, max: 0 },
  workload: {
    clients: 3,
    keys: 4,
    thinkUs: { min: 10_000, max: 100_000 },
    timeoutUs: 500_000,
    attempts: 10,
    mix: { get: 40, put: 20, append: 15, cas: 15, delete: 10 },
  } as Workload,
  swarm: true,
  node: null as Scenario['node'],
  safetyUs: 10_000_000,
  livenessUs: 10_000_000,
  maxSteps: 5_000_000,
} as const;

export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The scenario with these planted bugs switched on as well (each named once, the scenario's first). */
export function withBugs(s: Scenario, bugs: readonly string[]): Scenario {
  return bugs.length === 0 ? s : { ...s, bugs: [...new Set([...s.bugs, ...bugs])] };
}

/** Node index → name. */
export function nodeName(i: number): string {
  return `n${i + 1}`;
}
