// liferaft replay FILE [--json]: re-executes a .rafttrace and verifies every hash.
import { parseArgs } from 'node:util';
import { parseTrace, replayTrace, TraceError } from '../sim';
import { EXIT, readInput, UsageError, type Io } from './args';
import { traceNode } from './node-module';

export async function replayCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { json: { type: 'boolean' } }, allowPositionals: true });
  if (positionals.length !== 1) throw new UsageError('replay needs one .rafttrace file');
  const path = positionals[0]!;
  const text = readInput(path, 'trace');
  try {
    const trace = parseTrace(text, path);
    if (trace.bugs !== undefined && trace.bugs.length > 0) io.err(`liferaft: planted bugs on (recorded in ${path}): ${trace.bugs.join(', ')}`);
    const r = replayTrace(trace, await traceNode(trace, path, io));
    if (values.json === true) {
      io.out(
        JSON.stringify({
          ok: r.ok,
          steps: r.steps,
          traceHash: r.traceHash,
          verdict: r.verdict,
          ...(r.divergedAt === undefined ? {} : { divergedAt: r.divergedAt }),
        }),
      );
    } else if (r.ok) {
      io.out(`${path}: replayed ${r.steps} steps of seed ${trace.seed}; every hash matches (trace ${r.traceHash}, verdict ${r.verdict})`);
      if (r.violation !== undefined) io.out(`  ${r.violation.invariant} at step ${r.violation.step}: ${r.violation.message}`);
    } else {
      io.out(`${path}: ${r.message}`);
    }
    return r.ok ? EXIT.ok : EXIT.diverged;
  } catch (e) {
    if (e instanceof TraceError) throw new UsageError(e.message);
    throw e;
  }
}
