// Public API of the simulator (platform-neutral: no Node modules, no host clock or randomness).
export { describeAction, fmtUs } from './scenario-format';
export { SNAPSHOT_RULES } from './snapshot-rules';
export { Simulation, foreignRefusal, type RunResult, type RunStats, type Verdict, type SimulationOptions, type ForkAction } from './simulation';
export { EventKind, KIND_NAMES, type SimEvent, type DeliverEvent } from './events';
export { cloneGraph, CLONE, SnapshotError, type SnapshotRules, type CloneSize } from './snapshot';
export {
  parseScenario,
  withBugs,
  ScenarioError,
  STATEMENTS,
  DEFAULTS,
  FAULT_ACTIONS,
  NODE_ACTIONS,
  nodeName,
  type Scenario,
  type FaultAction,
  type ScheduledFault,
} from './scenario';
export { INVARIANTS, INVARIANT_NAMES, LIVENESS_INVARIANTS, type InvariantName, type Violation, type NodeStatus } from './invariants';
export {
  loadScenario,
  recordRun,
  runWithForks,
  forkActionProblem,
  parseTrace,
  replayTrace,
  traceScenario,
  toBase64,
  fromBase64,
  TraceError,
  TRACE_FORMAT,
  TRACE_VERSION,
  KNOWN,
  type TraceFile,
  type TraceFork,
  type TraceNode,
  type NodeRun,
  type ReplayResult,
} from './tracefile';
export { DEFAULT_SCENARIO, DEFAULT_SCENARIO_FILE } from './default-scenario';
export type * from './node-api';
export { FOREIGN_INVARIANTS, ForeignNodeError, RecordDisk, describeSimMessage, nodeRules, thrownLocation, whereThrown } from './foreign-node';
export { findDivergence, type Divergence } from './divergence';
export { isModuleSyntax, isTypeScript, nodeOfExports, withNodeLine } from './node-exports';
export { itfOfRun, writeItf, ITF_VARS, ITF_DEFAULT_MAX_BYTES, type ItfTrace, type ItfState, type ItfValue, type ItfOptions, type ItfSummary } from './itf';
export { drawSwarm, type SwarmDraw } from './swarm';
export { shrink, materialize, pinDraws, scenarioLines, failureKey, type ShrinkResult, type ShrinkOptions } from './shrink';
export { formatScenario } from './scenario';
export { type HistoryOp } from './workload';
export { type StepRecord, firstDivergence } from './trace';
export { Rng } from './rng';
export { EventHeap } from './heap';
export {
  checkHistory,
  parseHistory,
  readHistory,
  linReport,
  fromSimulator,
  HistoryError,
  describeOperation,
  modelStep,
  generateHistory,
  generateAppendKv,
  generateRegister,
  type History,
  type LinReport,
  type LinKeyView,
  type LinOperationView,
  type LinResult,
  type Operation,
  type GenerateOptions,
} from './linearizability';
export { describeSignal, describeCounter, counterOf, SIGNALS, REASON_COUNTERS } from './coverage';
export {
  Exploration,
  SeedPicker,
  features,
  FEATURES,
  runSeeds,
  type LoadedNodeModule,
  type ExplorationOptions,
  type ExplorationSummary,
  type SeedBatch,
  type SeedSummary,
} from './explorer';
