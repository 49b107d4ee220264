// liferaft chaos: the real cluster under Jepsen-style faults (net/chaos.ts), with a verdict: every
// acknowledged write on every node, and a linearizable history. Exit 0 when both hold, 1 otherwise.
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CHAOS_FAULTS, runChaos, type ChaosFault } from '../net/chaos';
import { EXIT, intOption, UsageError, type Io } from './args';

function faultsOption(raw: string | undefined): readonly ChaosFault[] | undefined {
  if (raw === undefined) return undefined;
  const kinds = raw.split(',').map((k) => k.trim());
  for (const k of kinds)
    if (!(CHAOS_FAULTS as readonly string[]).includes(k))
      throw new UsageError(`--faults: unknown fault ${JSON.stringify(k)} (faults: ${CHAOS_FAULTS.join(', ')})`);
  return kinds as ChaosFault[];
}

export async function chaosCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      cycles: { type: 'string' },
      nodes: { type: 'string' },
      seed: { type: 'string' },
      faults: { type: 'string' },
      clients: { type: 'string' },
      'hold-ms': { type: 'string' },
      history: { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
      json: { type: 'boolean' },
    },
  });
  const cycles = intOption('cycles', values.cycles, 20, 1, 1_000_000);
  if (values.nodes !== undefined && values.nodes !== '3' && values.nodes !== '5')
    throw new UsageError(`--nodes must be 3 or 5 (got ${JSON.stringify(values.nodes)})`);
  const nodes = values.nodes === '5' ? 5 : 3;
  // A new fault order each run unless asked to repeat one (the seed is printed either way).
  const seed = intOption('seed', values.seed, randomInt(1, 2 ** 31 - 1), 0, 2 ** 31 - 1);
  const clients = intOption('clients', values.clients, 4, 1, 256);
  const holdMax = intOption('hold-ms', values['hold-ms'], 1500, 100, 60_000);
  const faults = faultsOption(values.faults);
  // Where the history goes is checked now, not after the whole run.
  if (values.history !== undefined) {
    try {
      writeFileSync(values.history, '');
    } catch (e) {
      throw new UsageError(`--history ${values.history}: cannot write there (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  const json = values.json === true;
  const dir = mkdtempSync(join(tmpdir(), 'liferaft-chaos-'));
  if (!json)
    io.out(
      `liferaft chaos: ${nodes} nodes on 127.0.0.1, a relay per peer link, ${clients} client${clients === 1 ? '' : 's'}; ${cycles} cycle${cycles === 1 ? '' : 's'} of ${(faults ?? CHAOS_FAULTS).join(' | ')}; seed ${seed} (--seed ${seed} repeats this fault order); data in ${dir}`,
    );
  try {
    const r = await runChaos({
      cli: join(__dirname, 'cli.js'),
      dir,
      cycles,
      nodes,
      seed,
      clients,
      holdMs: [Math.min(300, holdMax), holdMax],
      ...(faults === undefined ? {} : { faults }),
      onCycle: (line) => {
        if (json) return;
        if (values.verbose === true) io.out(`  ${line}`);
        else io.progress?.(line);
      },
    });
    const verdict = r.lost === 0 && r.linearizable === true && r.problems.length === 0;
    // The history, for `liferaft check` (always when asked; on a failure in any case).
    const historyFile = values.history ?? (verdict ? null : `liferaft-chaos-${seed}.history.json`);
    if (historyFile !== null) writeFileSync(historyFile, `${JSON.stringify(r.history)}\n`);
    const { cycles: c, kills, networkFaults, pauses, operations, ackedWrites, lost, linearizable, elapsedS } = r;
    if (json)
      io.out(
        JSON.stringify({
          cycles: c,
          kills,
          networkFaults,
          pauses,
          operations,
          ackedWrites,
          lost,
          linearizable,
          elapsedS,
          // (What the text output says too: the seed to run the same faults again, and whether they bit.)
          seed,
          leaderChanges: r.leaderChanges,
          relays: r.relays,
          ...(r.problems.length > 0 ? { problems: r.problems } : {}),
        }),
      );
    else {
      io.progress?.('');
      const n = (k: number, one: string, many = `${one}s`): string => `${k} ${k === 1 ? one : many}`;
      io.out(`  ${n(kills, 'kill')}, ${n(networkFaults, 'network fault')}, ${n(pauses, 'pause')} in ${elapsedS} s`);
      io.out(`  ${n(r.leaderChanges, 'change', 'changes')} of leader seen between cycles; term ${r.term} at the end`);
      io.out(`  relays: ${r.relays.dropped} frames dropped, ${r.relays.delayed} held back, ${r.relays.connections} connections (redials included)`);
      io.out(`  ${operations} operations (${r.unknownOutcome} of unknown outcome)`);
      io.out(`  ${ackedWrites} acknowledged write-once keys, read back from every node: ${lost === 0 ? 'none lost' : `${lost} LOST`}`);
      for (const l of r.lostWrites) io.out(`    ${l}`);
      io.out(
        `  history: ${linearizable === true ? 'linearizable' : linearizable === false ? `NOT linearizable (key ${(r.check as { key: string }).key})` : `unknown (${(r.check as { reason: string }).reason})`}`,
      );
      for (const p of r.problems) io.out(`  PROBLEM: ${p}`);
      if (historyFile !== null) io.out(`  history written to ${historyFile} (liferaft check ${historyFile} --html out.html)`);
      io.out(verdict ? 'ok' : 'FAILED');
    }
    return verdict ? EXIT.ok : EXIT.safety;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
