// Node configuration: cluster membership, timer settings, feature switches and limits.
import { BUG_NAMES, isBugName, type BugName } from './bugs';
import type { Membership, NodeId } from './types';

export interface RaftConfig {
  /** This node. Invariant: a member of `peers`, unless `peers` is empty. */
  readonly id: NodeId;
  /**
   * The bootstrap configuration: every voting member, this node included, in a fixed order, until a
   * configuration entry says otherwise (thesis §4.1). Empty: a node that joins, and waits for a
   * leader to add it. Invariant: no duplicates.
   */
  readonly peers: readonly NodeId[];
  /** Lower bound of the randomized election timeout, in ticks (Raft §5.2). */
  readonly electionTicksMin: number;
  /** Upper bound (exclusive) of the randomized election timeout. Invariant: > electionTicksMin. */
  readonly electionTicksMax: number;
  /** Ticks between leader heartbeats. Invariant: < electionTicksMin. */
  readonly heartbeatTicks: number;
  /** Pre-vote phase before each election (thesis §9.6). */
  readonly preVote: boolean;
  /** The leader steps down when it has not heard from a quorum for an election timeout (thesis §6.2). */
  readonly checkQuorum: boolean;
  /** Seed of the node's own random stream (election timeouts). */
  readonly seed: number;
  /** Limit: entries in one AppendEntries. */
  readonly entriesPerAppendMax: number;
  /** Limit: AppendEntries in flight to one follower while replicating optimistically. */
  readonly inflightAppendsMax: number;
  /** Limit: client writes waiting for commit plus reads waiting for confirmation, at the leader. */
  readonly pendingRequestsMax: number;
  /**
   * Log compaction (Raft §7): every this many applied entries the node snapshots its state machine
   * and drops the log up to its previous snapshot (so one interval of entries stays for followers
   * slightly behind; those further behind get the snapshot). 0: never (the simulator's default).
   */
  readonly snapshotEntries: number;
  /** Planted bugs switched on (bugs.ts). Empty unless named one by one. */
  readonly bugs: ReadonlySet<BugName>;
}

export type RaftConfigInput = Pick<RaftConfig, 'id' | 'peers'> &
  Partial<Omit<RaftConfig, 'id' | 'peers' | 'bugs'>> & {
    /** Planted bugs to switch on, by name. */
    readonly bugs?: readonly string[];
  };

export const CONFIG_DEFAULTS = {
  electionTicksMin: 10,
  electionTicksMax: 20,
  heartbeatTicks: 1,
  preVote: true,
  checkQuorum: true,
  seed: 1,
  entriesPerAppendMax: 64,
  inflightAppendsMax: 8,
  pendingRequestsMax: 1024,
  snapshotEntries: 0,
} as const satisfies Omit<RaftConfig, 'id' | 'peers' | 'bugs'>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Fills defaults and checks every field; throws ConfigError saying which field is wrong. */
export function makeConfig(input: RaftConfigInput): RaftConfig {
  for (const b of input.bugs ?? []) {
    if (!isBugName(b)) throw new ConfigError(`invalid Raft config for ${String(input.id)}: unknown planted bug "${b}" (known: ${BUG_NAMES.join(', ')})`);
  }
  const c: RaftConfig = { ...CONFIG_DEFAULTS, ...input, peers: [...input.peers], bugs: new Set((input.bugs ?? []) as BugName[]) };
  const check = (ok: boolean, what: string): void => {
    if (!ok) throw new ConfigError(`invalid Raft config for ${String(c.id)}: ${what}`);
  };
  check(new Set(c.peers).size === c.peers.length, 'peers must not repeat');
  check(c.peers.length === 0 || c.peers.includes(c.id), `peers must include the node itself (${c.id}), or be empty for a node that joins`);
  for (const k of ['electionTicksMin', 'electionTicksMax', 'heartbeatTicks', 'entriesPerAppendMax', 'inflightAppendsMax', 'pendingRequestsMax'] as const) {
    check(Number.isSafeInteger(c[k]) && c[k] >= 1, `${k} must be a positive integer (got ${c[k]})`);
  }
  check(Number.isSafeInteger(c.snapshotEntries) && c.snapshotEntries >= 0, `snapshotEntries must be a non-negative integer (got ${c.snapshotEntries})`);
  check(c.electionTicksMax > c.electionTicksMin, 'electionTicksMax must be greater than electionTicksMin');
  check(c.heartbeatTicks < c.electionTicksMin, 'heartbeatTicks must be less than electionTicksMin');
  check(Number.isSafeInteger(c.seed), `seed must be an integer (got ${c.seed})`);
  return c;
}

/** The number of votes that make a majority of the bootstrap configuration (`peers`). */
export function quorumSize(config: RaftConfig): number {
  return Math.floor(config.peers.length / 2) + 1;
}

const bootstraps = new WeakMap<RaftConfig, Membership>();

/** The configuration a node starts with, before any change: its `peers` as voters (none for a node that joins). */
export function bootstrapMembers(config: RaftConfig): Membership {
  let m = bootstraps.get(config);
  if (m === undefined) {
    m = { voters: config.peers, learners: [] };
    bootstraps.set(config, m);
  }
  return m;
}
