// liferaft check FILE [--json] [--seconds N] [--initial VALUE] [--max-memory MB]: is a client history
// linearizable? FILE is our JSON format, a Jepsen EDN history or jepsen.util log lines.
// Exit 0 ok · 1 illegal · 2 unknown (a budget ran out) · 64 bad input.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkHistory, describeOperation, HistoryError, linReport, readHistory, type History, type LinReport, type LinResult } from '../sim';
import { intOption, readInput, UsageError, type Io } from './args';

export const CHECK_EXIT = { ok: 0, illegal: 1, unknown: 2 } as const;

export function checkCommand(argv: string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean' },
      seconds: { type: 'string' },
      'max-steps': { type: 'string' },
      'max-memory': { type: 'string' },
      initial: { type: 'string' },
      'initial-absent': { type: 'boolean' },
      html: { type: 'string' },
    },
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new UsageError('check needs one history file (JSON, Jepsen EDN, or jepsen.util log lines)');
  const path = positionals[0]!;
  const seconds = intOption('seconds', values.seconds, 60, 1, 24 * 3600);
  const searchStepsMax = intOption('max-steps', values['max-steps'], 20_000_000, 1, Number.MAX_SAFE_INTEGER);
  const memoryBytesMax = intOption('max-memory', values['max-memory'], 1024, 16, 1024 * 1024) * 2 ** 20;
  const h = readHistoryFile(path, values.json === true, io);
  if (values.initial !== undefined && values['initial-absent'] === true) throw new UsageError('--initial and --initial-absent contradict each other');
  const ops = h.operations;
  const initial = values['initial-absent'] === true ? null : (values.initial ?? h.initial);
  // Say so when keys start as something other than absent without the user asking for it.
  const initialNote =
    values.initial === undefined && initial !== null
      ? h.format === 'json'
        ? `every key starts as ${JSON.stringify(initial)} (the file's "initial")`
        : 'every key starts as "" (Porcupine\'s key/value log: its model reads a missing key as ""); --initial-absent to start them absent'
      : null;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  const r = checkHistory(ops, { searchStepsMax, memoryBytesMax, initial, shouldStop: () => performance.now() > deadline });
  const elapsedMs = Math.round(performance.now() - t0);
  // A read of "" on a key nothing wrote: the store probably reads a missing key as "" (as in Porcupine's key/value model).
  const hint =
    r.result === 'illegal' && initial === null && r.operations.some((i) => ops[i]!.op === 'get' && ops[i]!.output === '')
      ? 'a read returned "" where the key may never have been written; if the store reads a missing key as "", run with --initial ""'
      : null;
  if (initialNote !== null && values.json !== true) io.out(`note: ${initialNote}`);
  if (values.json === true) {
    io.out(
      JSON.stringify({
        result: r.result,
        format: h.format,
        ...(r.result === 'ok' ? {} : { key: r.key }),
        ...(r.result === 'illegal' ? { operations: r.operations, partial: r.partial, lines: r.operations.map((i) => h.lines[i]!) } : {}),
        ...(r.result === 'unknown' ? { reason: r.reason } : {}),
        ...(hint === null ? {} : { hint }),
        elapsedMs,
      }),
    );
  } else {
    sayVerdict(io, path, h, r, elapsedMs, hint);
  }
  // The page after the verdict: a page that cannot be written does not hide the verdict.
  if (values.html !== undefined) {
    const report = linReport(ops, r, { title: basename(path), elapsedMs, lines: h.lines, initial, ...(hint === null ? {} : { hint }) });
    try {
      mkdirSync(dirname(resolve(values.html)), { recursive: true });
      writeFileSync(values.html, linPage(report));
    } catch (e) {
      throw new UsageError(`cannot write --html ${values.html}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (values.json !== true) io.out(`the picture: ${values.html} (open it in a browser)`);
  }
  return CHECK_EXIT[r.result];
}

/** The history in `path`, parsed; a file that cannot be read or parsed is refused (--json: as an error object too). */
function readHistoryFile(path: string, json: boolean, io: Io): History {
  const text = readInput(path, 'history');
  try {
    return readHistory(text, path);
  } catch (e) {
    if (e instanceof HistoryError) {
      // --json promises one object on stdout, an error too (the message also goes to stderr).
      if (json) io.out(JSON.stringify({ result: 'error', error: e.message }));
      throw new UsageError(e.message);
    }
    throw e;
  }
}

/** The verdict for a person: what is linearizable, or which operations cannot be, and where in the file. */
function sayVerdict(io: Io, path: string, h: History, r: LinResult, elapsedMs: number, hint: string | null): void {
  const ops = h.operations;
  if (r.result === 'ok') {
    io.out(
      `ok: ${plural(r.operations, 'operation')} on ${plural(r.keys, 'key')} ${r.operations === 1 ? 'is' : 'are'} linearizable (${elapsedMs} ms, ${r.searchSteps} search steps)`,
    );
  } else if (r.result === 'illegal') {
    io.out(
      r.operations.length === 1
        ? `illegal: on key ${JSON.stringify(r.key)} this operation cannot be linearized (${elapsedMs} ms):`
        : `illegal: on key ${JSON.stringify(r.key)} these ${r.operations.length} operations cannot be linearized together (a minimal such set, each read kept with a writer of its value) (${elapsedMs} ms):`,
    );
    io.out(
      `  (file:line: #index client operation [call, return]; times are ${h.format === 'json' ? "the file's" : 'lines of the invocation and the completion'})`,
    );
    for (const i of r.operations) io.out(`  ${path}:${h.lines[i]}: ${describeOperation(ops[i]!, i)}`);
    if (r.partial.length === 0) io.out('no operation of the key can go first');
    else {
      const shown = r.partial.slice(0, 30).map((i) => `#${i} (line ${h.lines[i]})`);
      io.out(
        `the search's longest partial linearization of the key (an order it could not extend; it may hold some of the operations above), ${plural(r.partial.length, 'operation')}: ${shown.join(', ')}${r.partial.length > 30 ? `, … ${r.partial.length - 30} more (--json or --html for all)` : ''}`,
      );
    }
    if (hint !== null) io.out(`hint: ${hint}`);
  } else {
    io.out(`unknown: gave up on key ${JSON.stringify(r.key)}: ${r.reason} (${elapsedMs} ms)`);
  }
}

/** A file of the package, from dist/ (the built CLI) or from cli/ (tests run the sources). */
function asset(...parts: string[]): string {
  for (const base of [join(__dirname), join(__dirname, '..', 'dist')]) {
    const p = join(base, ...parts);
    if (existsSync(p)) return p;
  }
  throw new Error(`${parts.join('/')} is missing: run npm run build`);
}

/** One self-contained page: the view's script and style inline, the report embedded, nothing fetched. */
export function linPage(report: LinReport): string {
  const script = readFileSync(asset('media', 'lin-page.js'), 'utf8');
  const style = readFileSync(join(__dirname, '..', 'media', 'panels.css'), 'utf8');
  // The page stands alone, so it brings the colours VS Code would give the view (a light theme).
  const theme =
    ':root{--vscode-foreground:#3b3b3b;--vscode-editor-background:#ffffff;--vscode-charts-blue:#1a85ff;--vscode-charts-red:#e51400;--vscode-charts-green:#388a34;--vscode-charts-purple:#652d90;--vscode-disabledForeground:#616161;--vscode-descriptionForeground:#717171;--vscode-errorForeground:#a1260d;--vscode-font-family:system-ui,sans-serif;--vscode-editor-font-family:ui-monospace,monospace}body{font-family:var(--vscode-font-family);font-size:13px;color:var(--vscode-foreground);background:var(--vscode-editor-background);margin:16px}';
  const data = JSON.stringify(report).replace(/</g, '\\u003c');
  const title = `LifeRaft: linearizability of ${report.title}`.replace(/[<&]/g, (c) => (c === '<' ? '&lt;' : '&amp;'));
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>
<style>${theme}</style>
<style>${style}</style>
</head><body>
<script>window.LIFERAFT_LIN = ${data};</script>
<script>${script.replace(/<\/script/gi, '<\\/script')}</script>
</body></html>
`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
