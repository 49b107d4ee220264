// A user's node (sim/node-api.ts) from its code, where it runs: the extension host (the debugger) and
// the explore worker (the Testing view, Explore, Shrink). The host reads the node as the editor has
// it and makes it CommonJS (node-source.ts); this evaluates that text. No `vscode` here: the workers
// import it too.
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { parse } from 'acorn';
import { nodeOfExports, whereThrown, type NodeRun, type RaftNode } from '../sim';

/** A node's code as the host passes it on: CommonJS text, and what a trace records of it. */
export interface NodeSource {
  /** The node's path as a launch configuration or a scenario's `node` line resolves it. */
  readonly file: string;
  /** SHA-256 of the text the user has (a trace records which node it ran). */
  readonly sha256: string;
  /** CommonJS: the file's own text, or compiled from TypeScript or an ES module. */
  readonly code: string;
  /** The source map of compiled code: errors then name the lines of the user's own files. */
  readonly map?: string;
}

/** The `require` a node's code gets: Node's, resolving beside the file, on the desktop; one that says why not, on the web. */
export type RequireFor = (file: string) => (id: string) => unknown;

/** The node a source defines; throws a message that names the file (and where loading failed). */
export function evaluateNode(src: NodeSource, requireFor: RequireFor): NodeRun {
  let exported: Record<string, unknown>;
  const remap = src.map === undefined ? null : remapper(src.map, src.file);
  try {
    exported = evaluateCommonJs(src.code, src.file, requireFor(src.file));
  } catch (e) {
    remap?.(e);
    // (A syntax error's stack has no line in a web worker or an eval: the parser finds it.)
    const at = e instanceof SyntaxError ? syntaxErrorAt(src.code, src.file) : e instanceof Error ? whereThrown(e, src.file) : '';
    throw new Error(`the node ${src.file} does not load: ${e instanceof Error ? `${e.name}: ${e.message}${at}` : String(e)}`);
  }
  const m = nodeOfExports(exported, src.file);
  return { module: remap === null ? m.module : remapped(m.module, remap), name: m.name, file: src.file, sha256: src.sha256 };
}

/**
 * A function that rewrites an error's stack from compiled code's positions to the user's own files
 * and lines (the source map's), so the message and the debugger's frame point into them.
 */
function remapper(map: string, file: string): (e: unknown) => void {
  const tracer = new TraceMap(map, `${file}.js`);
  const at = new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+):(\\d+)`, 'g');
  return (e) => {
    if (!(e instanceof Error) || e.stack === undefined) return;
    e.stack = e.stack.replace(at, (all, line: string, column: string) => {
      const o = originalPositionFor(tracer, { line: Number(line), column: Number(column) - 1 });
      return o.source === null || o.line === null ? all : `${o.source.replace(/^file:\/\//, '')}:${o.line}:${o.column + 1}`;
    });
  };
}

/** The node with each of its functions' errors remapped (init, step, view, classify, describe). */
function remapped(module: RaftNode, remap: (e: unknown) => void): RaftNode {
  const wrap =
    <A extends unknown[], R>(f: (...a: A) => R) =>
    (...a: A): R => {
      try {
        return f(...a);
      } catch (e) {
        remap(e);
        throw e;
      }
    };
  const m = module as RaftNode & Record<string, unknown>;
  return {
    ...m,
    init: wrap(m.init.bind(m)),
    step: wrap(m.step.bind(m)),
    view: wrap(m.view.bind(m)),
    classify: wrap(m.classify.bind(m)),
    ...(m.describe === undefined ? {} : { describe: wrap(m.describe.bind(m)) }),
  };
}

/**
 * Evaluates CommonJS code as the module `file`: its exports. What it throws has `file` and the
 * code's own line numbers in its stack (the wrapper shares the code's first line).
 */
export function evaluateCommonJs(code: string, file: string, require: (id: string) => unknown): Record<string, unknown> {
  const module = { exports: {} as Record<string, unknown> };
  const body = code.replace(/^#!.*/, '');
  // (Indirect: the code runs in the global scope, as a module does, and sees none of the names here.)
  const indirectEval = eval;
  const fn = indirectEval(`(function (exports, require, module, __filename, __dirname) {${body}\n})\n//# sourceURL=${file}`) as (...a: unknown[]) => void;
  fn.call(module.exports, module.exports, require, module, file, file.replace(/[/\\][^/\\]*$/, ''));
  return module.exports;
}

/** Where a script's syntax error is: " (at FILE:LINE:COL)", or nothing if the parser finds none. */
function syntaxErrorAt(code: string, file: string): string {
  try {
    parse(code, { ecmaVersion: 'latest', sourceType: 'script', allowReturnOutsideFunction: true, allowHashBang: true });
    return '';
  } catch (e) {
    const loc = (e as { loc?: { line: number; column: number } }).loc;
    return loc === undefined ? '' : ` (at ${file}:${loc.line}:${loc.column + 1})`;
  }
}
