// The `liferaft` command. Subcommands call into the layers; this file only parses arguments,
// prints, and maps results to the exit codes of DESIGN.md.
import { parseArgs } from 'node:util';
import { runDemo } from './demo';

export const EXIT = { ok: 0, safety: 1, liveness: 2, crash: 3, usage: 64 } as const;

const USAGE = `usage: liferaft <command> [options]

commands:
  demo [--nodes N] [--writes N] [--seed N] [--json]
      Elect a leader on an in-memory cluster and commit client writes sent to every node.
  help
      Show this text.

options:
  --json      print exactly one JSON object on stdout
  --version   print the version

exit codes: 0 ok · 1 safety violation · 2 liveness failure · 3 crash in node code · 64 usage error`;

export class UsageError extends Error {}

function positiveInt(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1 || n > max) throw new UsageError(`--${name} must be an integer from 1 to ${max} (got ${JSON.stringify(raw)})`);
  return n;
}

function demo(argv: string[], out: (s: string) => void): number {
  const { values } = parseArgs({
    args: argv,
    options: { nodes: { type: 'string' }, writes: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' } },
    strict: true,
    allowPositionals: false,
  });
  const report = runDemo({
    nodes: positiveInt('nodes', values.nodes, 3, 9),
    writes: positiveInt('writes', values.writes, 3, 1000),
    seed: positiveInt('seed', values.seed, 1, 2 ** 31),
  });
  if (values.json === true) {
    const { lines: _lines, ...rest } = report;
    out(JSON.stringify(rest));
  } else {
    out(`LifeRaft demo: the pure Raft core on an in-memory network of ${report.nodes} nodes (seed ${report.seed})`);
    out('');
    for (const l of report.lines) out(l);
    out('');
    out(report.ok ? 'ok: leader elected, every write committed and applied identically on all nodes, read served by ReadIndex' : 'FAILED: see above');
  }
  return report.ok ? EXIT.ok : EXIT.safety;
}

export function main(argv: string[], out: (s: string) => void = console.log, err: (s: string) => void = console.error): number {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'demo':
        return demo(rest, out);
      case '--version':
      case 'version':
        out(VERSION);
        return EXIT.ok;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out(USAGE);
        return command === undefined ? EXIT.usage : EXIT.ok;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`liferaft: ${(e as Error).message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    throw e;
  }
}

declare const __VERSION__: string;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : 'dev';

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
