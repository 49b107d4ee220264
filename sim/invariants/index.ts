// The invariant checker: what it checks (catalog.ts) and the checker the simulator runs (checker.ts).
export {
  INVARIANTS,
  INVARIANT_NAMES,
  LIVENESS_INVARIANTS,
  type CheckedNode,
  type InvariantName,
  type NodeStatus,
  type StepBefore,
  type Violation,
} from './catalog';
export { InvariantChecker } from './checker';
