// liferaft run [SCENARIO] --seed N [--trace FILE] [--history FILE] [--itf FILE [--itf-steps A..B|all]] [--json]
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  fmtUs,
  foreignRefusal,
  fromSimulator,
  recordRun,
  Simulation,
  writeItf,
  type HistoryOp,
  type ItfOptions,
  type ItfSummary,
  type NodeRun,
  type RunResult,
  type Scenario,
} from '../sim';
import { nodeFor } from './node-module';
import { exitFor, intOption, rangeOption, readScenario, reproduceCommand, shellQuote, UsageError, withCliBugs, type Io } from './args';

export async function runCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      seed: { type: 'string' },
      trace: { type: 'string' },
      history: { type: 'string' },
      itf: { type: 'string' },
      'itf-steps': { type: 'string' },
      json: { type: 'boolean' },
      bug: { type: 'string', multiple: true },
      node: { type: 'string' },
    },
    allowPositionals: true,
  });
  if (positionals.length > 1) throw new UsageError(`run takes one scenario file, got ${positionals.length}`);
  const scenario = withCliBugs(readScenario(positionals[0]), values.bug, io);
  if (values.seed === undefined && scenario.seed === null) throw new UsageError('run needs --seed N (or a `seed N` line in the scenario)');
  const seed = intOption('seed', values.seed, scenario.seed ?? 0, 0, Number.MAX_SAFE_INTEGER);
  if (values['itf-steps'] !== undefined && values.itf === undefined) throw new UsageError('--itf-steps goes with --itf FILE');
  const steps = values['itf-steps'];
  const window =
    steps === undefined || steps === 'all' ? null : /^\d+$/.test(steps) ? rangeOption('itf-steps', `${steps}..${steps}`) : rangeOption('itf-steps', steps);
  const loaded = await nodeFor(scenario, values.node);
  const refusal = loaded === undefined ? null : foreignRefusal(scenario, loaded.label);
  if (refusal !== null) throw new UsageError(refusal);
  const node: NodeRun | undefined = loaded === undefined ? undefined : { module: loaded.module, file: loaded.file, name: loaded.label, sha256: loaded.sha256 };
  let result: RunResult;
  let history: readonly HistoryOp[];
  if (node !== undefined && values.trace === undefined) {
    const sim = new Simulation(scenario, seed, { node: { module: node.module, label: node.name } });
    result = sim.run();
    history = sim.history;
  } else if (values.trace !== undefined) {
    const recorded = recordRun(scenario, seed, undefined, [], node);
    result = recorded.result;
    history = recorded.sim.history;
    writeFileSync(values.trace, JSON.stringify(recorded.trace));
  } else {
    const sim = new Simulation(scenario, seed);
    result = sim.run();
    history = sim.history;
  }
  if (values.history !== undefined) writeFileSync(values.history, `${JSON.stringify(history.map(fromSimulator), null, 1)}\n`);
  if (window !== null && window.from > result.steps) throw new UsageError(`--itf-steps ${values['itf-steps']}: the run ends at step ${result.steps}`);
  const itfWindow = values['itf-steps'] === 'all' ? { from: 0 } : (window ?? {});
  const itf =
    values.itf === undefined
      ? null
      : writeItfFile(values.itf, scenario, seed, node === undefined ? itfWindow : { ...itfWindow, node: { module: node.module, label: node.name } });
  if (values.json === true) {
    const { stats: _s, swarm: _w, ...summary } = result;
    io.out(
      JSON.stringify({
        ...summary,
        ...(itf === null ? {} : { itf: { file: values.itf, from: itf.from, to: itf.to, states: itf.states, bytes: itf.bytes } }),
        ...(result.verdict === 'ok'
          ? {}
          : { reproduce: reproduceCommand(positionals[0], result.seed, values.bug, `${nodeTail(values.node)}--trace seed-${result.seed}.rafttrace`) }),
      }),
    );
  } else {
    for (const line of describeRun(result, positionals[0], values.bug, values.node)) io.out(line);
    if (values.trace !== undefined) io.out(`  trace written to ${values.trace}`);
    if (values.history !== undefined) io.out(`  client history (${history.length} operations) written to ${values.history}`);
    if (itf !== null) io.out(`  ${describeItf(itf)} written to ${values.itf}`);
  }
  return exitFor(result.verdict);
}

export function describeRun(r: RunResult, scenarioPath: string | undefined, cliBugs?: readonly string[], nodeFile?: string): string[] {
  const s = r.stats;
  const head = `seed ${r.seed}: ${r.verdict === 'ok' ? 'ok' : r.verdict.toUpperCase()} — ${r.steps.toLocaleString('en-US')} steps, ${fmtUs(r.simulatedMs * 1000)} simulated, trace ${r.traceHash}`;
  const lines = [head];
  if (r.violation !== undefined) {
    const v = r.violation;
    lines.push(`  ${v.invariant} at step ${v.step} (t=${fmtUs(v.time)})${v.nodes.length > 0 ? ` on ${v.nodes.join(', ')}` : ''}: ${v.message}`);
    lines.push(`  reproduce: ${reproduceCommand(scenarioPath, r.seed, cliBugs, `${nodeTail(nodeFile)}--trace seed-${r.seed}.rafttrace`)}`);
  }
  lines.push(
    `  faults: ${s.crashes} crashes (${s.tornWrites} torn writes, ${s.corruptions} corruptions, ${s.refusedToStart} refused to start), ${s.partitions} partitions, ${s.pauses} pauses, ${s.clogs} clogs${s.transfers > 0 ? `, ${s.transfers} leadership transfer${s.transfers === 1 ? '' : 's'}` : ''}${s.configChanges > 0 ? `, ${s.configChanges} membership change${s.configChanges === 1 ? '' : 's'}` : ''}; messages: ${s.messagesSent} sent, ${s.messagesLost} lost`,
  );
  lines.push(
    `  clients: ${s.opsCompleted}/${s.opsStarted} operations completed, ${s.opsAbandoned} abandoned; ${s.leaderChanges} leader elections; history linearizable: ${r.linearizability}`,
  );
  return lines;
}

/** Streams the run as ITF into `file` (a long run's states do not fit in memory at once). */
function writeItfFile(file: string, scenario: Scenario, seed: number, window: ItfOptions): ItfSummary {
  const fd = openSync(file, 'w');
  try {
    return writeItf(scenario, seed, window, (chunk) => writeSync(fd, chunk));
  } finally {
    closeSync(fd);
  }
}

export function describeItf(s: ItfSummary): string {
  const mb = s.bytes >= 1e6 ? `${(s.bytes / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(s.bytes / 1e3))} kB`;
  const states = `${s.states.toLocaleString('en-US')} state${s.states === 1 ? '' : 's'}`;
  const which = s.from === 0 && s.to === s.steps ? `every step (${states})` : `steps ${s.from}–${s.to} of ${s.steps} (${states})`;
  return `ITF trace of ${which}, ${mb},${s.windowed ? ' the last steps that fit in 64 MB (--itf-steps A..B, N or all for others),' : ''}`;
}

/** `--node FILE ` for a printed command (empty without a user's node). */
function nodeTail(file: string | undefined): string {
  return file === undefined ? '' : `--node ${shellQuote(file)} `;
}
