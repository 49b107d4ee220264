// A user's node (sim/node-api.ts) from its code, where it runs: the extension host (the debugger) and
// the explore worker (the Testing view, Explore, Shrink). The host reads the node as the editor has
// it and makes it CommonJS (node-source.ts); this evaluates that text. No `vscode` here: the workers
// import it too.
import { parse } from 'acorn';
import { nodeOfExports, whereThrown, type NodeRun } from '../sim';

/** A node's code as the host passes it on: CommonJS text, and what a trace records of it. */
export interface NodeSource {
  /** The node's path as a launch configuration or a scenario's `node` line resolves it. */
  readonly file: string;
  /** SHA-256 of the text the user has (a trace records which node it ran). */
  readonly sha256: string;
  /** CommonJS: the file's own text, or compiled from TypeScript or an ES module. */
  readonly code: string;
}

/** The `require` a node's code gets: Node's, resolving beside the file, on the desktop; one that says why not, on the web. */
export type RequireFor = (file: string) => (id: string) => unknown;

/** The node a source defines; throws a message that names the file (and where loading failed). */
export function evaluateNode(src: NodeSource, requireFor: RequireFor): NodeRun {
  let exported: Record<string, unknown>;
  try {
    exported = evaluateCommonJs(src.code, src.file, requireFor(src.file));
  } catch (e) {
    // (A syntax error's stack has no line in a web worker or an eval: the parser finds it.)
    const at = e instanceof SyntaxError ? syntaxErrorAt(src.code, src.file) : e instanceof Error ? whereThrown(e, src.file) : '';
    throw new Error(`the node ${src.file} does not load: ${e instanceof Error ? `${e.name}: ${e.message}${at}` : String(e)}`);
  }
  const m = nodeOfExports(exported, src.file);
  return { module: m.module, name: m.name, file: src.file, sha256: src.sha256 };
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
