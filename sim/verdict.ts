// The end of a run: its verdict, the check of the clients' history for linearizability (whatever
// happened to liveness), and the result the explorer, the CLI and the debugger read.
import { checkHistory, describeOperation, fromSimulator, malformedReply } from './linearizability';
import type { Violation } from './invariants';
import type { SwarmDraw } from './swarm';
import type { HistoryOp } from './workload';

/** Search steps allowed per key when checking a run's history (deterministic, unlike a time budget). */
const LIN_STEPS = 5_000_000;

export type Verdict = 'ok' | 'safety' | 'liveness' | 'crash';

export interface RunResult {
  readonly seed: number;
  readonly steps: number;
  readonly simulatedMs: number;
  readonly verdict: Verdict;
  readonly violation?: RunViolation;
  readonly traceHash: string;
  /** Coverage signals hit (coverage.ts), ascending. */
  readonly coverage: readonly number[];
  /** The check of the clients' history (skipped after another safety violation or a crash). */
  readonly linearizability: 'ok' | 'illegal' | 'unknown' | 'skipped';
  readonly stats: RunStats;
  readonly swarm: SwarmDraw;
}

export interface RunViolation {
  readonly invariant: string;
  readonly step: number;
  readonly time: number;
  readonly nodes: readonly string[];
  readonly message: string;
}

export interface RunStats {
  messagesSent: number;
  messagesDelivered: number;
  messagesLost: number;
  crashes: number;
  restarts: number;
  refusedToStart: number;
  tornWrites: number;
  corruptions: number;
  partitions: number;
  pauses: number;
  clogs: number;
  /** Leadership transfers a leader was asked for (`at TIME transfer nX`, the debugger's .transfer). */
  transfers: number;
  /** Membership changes a leader started when asked (`at TIME add|remove nX`, `churn`, the debugger's .add/.remove); refused ones are not counted. */
  configChanges: number;
  leaderChanges: number;
  delayed: number;
  opsStarted: number;
  opsCompleted: number;
  opsAbandoned: number;
}

export function emptyStats(): RunStats {
  return {
    messagesSent: 0,
    messagesDelivered: 0,
    messagesLost: 0,
    crashes: 0,
    restarts: 0,
    refusedToStart: 0,
    tornWrites: 0,
    corruptions: 0,
    partitions: 0,
    pauses: 0,
    clogs: 0,
    transfers: 0,
    configChanges: 0,
    leaderChanges: 0,
    delayed: 0,
    opsStarted: 0,
    opsCompleted: 0,
    opsAbandoned: 0,
  };
}

/** Where the run stands when it ends. */
export interface Ending {
  readonly seed: number;
  readonly steps: number;
  readonly time: number;
  readonly history: readonly HistoryOp[];
  readonly checkLinearizability: boolean;
  readonly traceHash: string;
  readonly coverage: readonly number[];
  readonly stats: RunStats;
  readonly swarm: SwarmDraw;
}

/**
 * The run's result. `violation`: an invariant's, a crash's, or a liveness failure's; the history is
 * checked when nothing else broke safety (a verdict of ok or liveness), and an illegal or malformed
 * history turns the verdict into a safety violation.
 */
export function runResult(end: Ending, verdict: Verdict, v?: Violation, livenessMessage?: string, crash?: RunViolation): RunResult {
  let violation =
    v ?? crash ?? (livenessMessage === undefined ? undefined : { invariant: 'Liveness', step: end.steps, time: end.time, nodes: [], message: livenessMessage });
  // The clients' history must be linearizable, whatever happened to liveness.
  let linearizability: RunResult['linearizability'] = 'skipped';
  if ((verdict === 'ok' || verdict === 'liveness') && end.checkLinearizability) {
    const history = end.history;
    const ops = history.map(fromSimulator);
    const problems = history.map(malformedReply);
    const bad = problems.findIndex((p) => p !== null);
    const lin = bad >= 0 ? null : checkHistory(ops, { searchStepsMax: LIN_STEPS });
    linearizability = lin === null ? 'illegal' : lin.result;
    if (lin === null) {
      verdict = 'safety';
      violation = {
        invariant: 'Linearizability',
        step: end.steps,
        time: end.time,
        nodes: [],
        message: `a client got a malformed answer: ${describeOperation(ops[bad]!, bad)}: ${problems[bad]!}${history[bad]!.output === undefined ? '' : ` (${JSON.stringify(history[bad]!.output)})`}`,
      };
    } else if (lin.result === 'illegal') {
      verdict = 'safety';
      const shown = lin.operations
        .slice(0, 8)
        .map((i) => describeOperation(ops[i]!, i))
        .join('; ');
      violation = {
        invariant: 'Linearizability',
        step: end.steps,
        time: end.time,
        nodes: [],
        message: `the clients' history is not linearizable: on key ${lin.key}, these ${lin.operations.length} operations cannot be ordered: ${shown}${lin.operations.length > 8 ? '; …' : ''}`,
      };
    }
  }
  return {
    seed: end.seed,
    steps: end.steps,
    simulatedMs: Math.floor(end.time / 1000),
    verdict,
    ...(violation === undefined ? {} : { violation }),
    traceHash: end.traceHash,
    coverage: end.coverage,
    linearizability,
    stats: end.stats,
    swarm: end.swarm,
  };
}
