// liferaft check FILE [--json] [--seconds N]: is a client history linearizable?
// Exit 0 ok · 1 illegal · 2 unknown (budget exhausted) · 64 bad input.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { checkHistory, describeOperation, HistoryError, parseHistory, type Operation } from '../sim';
import { intOption, UsageError, type Io } from './args';

export const CHECK_EXIT = { ok: 0, illegal: 1, unknown: 2 } as const;

export function checkCommand(argv: string[], io: Io): number {
  const { values, positionals } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, seconds: { type: 'string' }, 'max-steps': { type: 'string' } }, allowPositionals: true });
  if (positionals.length !== 1) throw new UsageError('check needs one history file (JSON)');
  const path = positionals[0]!;
  const seconds = intOption('seconds', values.seconds, 60, 1, 24 * 3600);
  const maxSearchSteps = intOption('max-steps', values['max-steps'], 20_000_000, 1, Number.MAX_SAFE_INTEGER);
  let ops: Operation[];
  try {
    ops = parseHistory(readFileSync(path, 'utf8'), path);
  } catch (e) {
    if (e instanceof HistoryError) throw new UsageError(e.message);
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  const r = checkHistory(ops, { maxSearchSteps, shouldStop: () => performance.now() > deadline });
  const elapsedMs = Math.round(performance.now() - t0);
  if (values.json === true) {
    io.out(JSON.stringify({
      result: r.result,
      ...(r.result === 'ok' ? {} : { key: r.key }),
      ...(r.result === 'illegal' ? { operations: r.operations, partial: r.partial } : {}),
      ...(r.result === 'unknown' ? { reason: r.reason } : {}),
      elapsedMs,
    }));
  } else if (r.result === 'ok') {
    io.out(`ok: ${r.operations} operations on ${r.keys} keys are linearizable (${elapsedMs} ms, ${r.searchSteps} search steps)`);
  } else if (r.result === 'illegal') {
    io.out(`illegal: on key ${JSON.stringify(r.key)} these ${r.operations.length} operations cannot be linearized (${elapsedMs} ms):`);
    for (const i of r.operations) io.out(`  ${describeOperation(ops[i]!, i)}`);
    io.out(`longest partial linearization found (${r.partial.length} operations): ${r.partial.map((i) => `#${i}`).join(' ')}`);
  } else {
    io.out(`unknown: gave up on key ${JSON.stringify(r.key)}: ${r.reason} (${elapsedMs} ms)`);
  }
  return CHECK_EXIT[r.result];
}
