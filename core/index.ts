// Public API of the Raft core. Other layers import from here only.
export { step, mayLeaveBeforePersist, type StepResult } from './step';
export { newNode, restartNode, cloneNode, durableOf, type NodeState, type Progress, type PendingRead, type PendingProposal } from './state';
export { makeConfig, quorumSize, bootstrapMembers, ConfigError, CONFIG_DEFAULTS, type RaftConfig, type RaftConfigInput } from './config';
export { viewOf, membersOf, configAt, sameMembers, mayCampaign, type MembersView } from './members';
export { RaftAssertionError, NODE_INVARIANTS, type NodeInvariant } from './assert';
export { REASONS } from './reasons';
export { BUGS, BUG_NAMES, isBugName, type BugName } from './bugs';
export { execute as executeKvOp, MAX_VALUE_LENGTH, MAX_SESSIONS, type KvState, type Session } from './kv';
export { lastIndex, lastTerm, termAt, isUpToDate, entryAt, fullLog, NO_LOG_START, type LogView } from './log';
export { messageProblem, replyProblem } from './messages';
export { applyPersist, durableFrom, emptyStored, PersistError, type StoredState } from './durable';
export { MemoryCluster, type ClusterOptions, type InFlight } from './memory-cluster';
export * from './describe';
export * from './types';
