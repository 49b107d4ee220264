// liferaft replay FILE [--json]: re-executes a .rafttrace and verifies every hash.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseTrace, replayTrace, TraceError, type NodeRun, type TraceFile } from '../sim';
import { EXIT, readInput, UsageError, type Io } from './args';
import { loadNode } from './node-module';

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

/**
 * The user's node a trace ran: its file as recorded (from the current folder, else beside the
 * trace). A file whose content changed since the recording is replayed all the same, with a warning.
 */
async function traceNode(trace: TraceFile, tracePath: string, io: Io): Promise<NodeRun | undefined> {
  const t = trace.node;
  if (t === undefined) return undefined;
  const beside = isAbsolute(t.file) ? t.file : join(dirname(tracePath), t.file);
  const file = existsSync(t.file) || !existsSync(beside) ? t.file : beside;
  const n = await loadNode(file);
  if (n.sha256 !== t.sha256)
    io.err(
      `liferaft: ${file} changed since ${tracePath} was recorded (SHA-256 ${n.sha256.slice(0, 12)}…, recorded ${t.sha256.slice(0, 12)}…): replaying with it as it is now`,
    );
  return { module: n.module, file: t.file, name: n.label, sha256: n.sha256 };
}
