// liferaft shrink FILE [--out FILE] [--seconds N] [--json]: a failing .rafttrace → a small .raftsim
// regression scenario (its seed pinned) that fails with the same invariant.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseTrace, scenarioLines, shrink, traceScenario, TraceError, type NodeRun, type Scenario, type ShrinkResult } from '../sim';
import { traceNode, withNodeLine } from './node-module';
import { EXIT, intOption, readInput, reproduceCommand, UsageError, type Io } from './args';

export async function shrinkCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { out: { type: 'string' }, seconds: { type: 'string' }, json: { type: 'boolean' } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new UsageError('shrink needs one failing .rafttrace file');
  const path = positionals[0]!;
  const seconds = intOption('seconds', values.seconds, 60, 1, 24 * 3600);
  const text = readInput(path, 'trace');
  let result: ShrinkResult;
  let node: NodeRun | undefined;
  try {
    const trace = parseTrace(text, path);
    if (trace.verdict === 'ok') throw new UsageError(`${path}: the run passed (verdict ok); there is nothing to shrink`);
    node = await traceNode(trace, path, io);
    // With the planted bugs it ran with: without them, the seed most likely passes.
    result = shrinkWithBudget(traceScenario(trace), trace.seed, seconds, node);
  } catch (e) {
    if (e instanceof TraceError) throw new UsageError(e.message);
    throw e;
  }
  const out = values.out ?? path.replace(/(\.rafttrace)?$/, '.shrunk.raftsim');
  // (With a user's node, the regression scenario names it: it runs as it is, in the Testing view too.)
  writeFileSync(out, node === undefined ? result.text : withNodeLine(result.text, node, out));
  const lines = scenarioLines(result.text);
  if (values.json === true) {
    io.out(
      JSON.stringify({
        out,
        reproduced: result.reproduced,
        lines,
        runs: result.runs,
        steps: result.result.steps,
        originalSteps: result.original.steps,
        verdict: result.result.verdict,
        invariant: result.result.violation?.invariant ?? null,
      }),
    );
  } else {
    io.out(
      `${out}: ${lines} scenario lines, ${result.result.steps} steps (from ${result.original.steps}) after ${result.runs} runs; fails with ${result.result.verdict}${result.result.violation ? ` ${result.result.violation.invariant}` : ''}`,
    );
    if (!result.reproduced) io.out('  warning: the shrunk scenario no longer fails the same way; the unshrunk scenario was written instead');
    if (node !== undefined) io.out(`  it runs ${node.name} (its \`node\` line): ${reproduceCommand(out, result.seed, undefined)}`);
  }
  return result.reproduced ? EXIT.ok : EXIT.crash;
}

export function shrinkWithBudget(scenario: Scenario, seed: number, seconds: number, node?: NodeRun): ShrinkResult {
  const deadline = performance.now() + seconds * 1000;
  return shrink(scenario, seed, {
    shouldStop: () => performance.now() > deadline,
    ...(node === undefined ? {} : { node: { module: node.module, label: node.name } }),
  });
}
