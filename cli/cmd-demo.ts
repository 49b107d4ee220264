// liferaft demo: the core alone on an in-memory network (see demo.ts).
import { parseArgs } from 'node:util';
import { EXIT, intOption, type Io } from './args';
import { runDemo } from './demo';

export function demoCommand(argv: string[], io: Io): number {
  const { values } = parseArgs({
    args: argv,
    options: { nodes: { type: 'string' }, writes: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' } },
    strict: true,
    allowPositionals: false,
  });
  const report = runDemo({
    nodes: intOption('nodes', values.nodes, 3, 1, 9),
    writes: intOption('writes', values.writes, 3, 1, 1000),
    seed: intOption('seed', values.seed, 1, 1, 2 ** 31),
  });
  if (values.json === true) {
    const { lines: _lines, ...rest } = report;
    io.out(JSON.stringify(rest));
  } else {
    io.out(`LifeRaft demo: the pure Raft core on an in-memory network of ${report.nodes} nodes (seed ${report.seed})`);
    io.out('');
    for (const l of report.lines) io.out(l);
    io.out('');
    io.out(report.ok ? 'ok: leader elected, every write committed and applied identically on all nodes, read served by ReadIndex' : 'FAILED: see above');
  }
  return report.ok ? EXIT.ok : EXIT.safety;
}
