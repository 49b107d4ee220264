// liferaft maelstrom: one node for Jepsen Maelstrom's lin-kv workload, JSON lines on stdin/stdout.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { MaelstromNode } from '../net/maelstrom';
import { intOption, type Io } from './args';

export async function maelstromCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { data: { type: 'string' }, 'tick-ms': { type: 'string' }, 'timeout-ms': { type: 'string' } } });
  const tickMs = intOption('tick-ms', values['tick-ms'], 20, 1, 10_000);
  const timeoutMs = intOption('timeout-ms', values['timeout-ms'], 1000, 1, 600_000);
  // Without --data the WAL lives in a temp folder removed at exit (Maelstrom's nodes are not restarted).
  const temp = values.data === undefined ? mkdtempSync(join(tmpdir(), 'liferaft-maelstrom-')) : null;
  const node = new MaelstromNode({
    write: (l) => process.stdout.write(`${l}\n`),
    log: (l) => io.err(l),
    dataDir: (id) => join(values.data ?? temp!, id),
    tickMs,
    timeoutMs,
  });
  const rl = createInterface({ input: process.stdin, terminal: false });
  rl.on('line', (l) => node.handleLine(l));
  await new Promise<void>((resolve) => rl.once('close', () => resolve()));
  node.stop();
  if (temp !== null) rmSync(temp, { recursive: true, force: true });
  return 0;
}
