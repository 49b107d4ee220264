// Sources as the client names them: paths and URIs made comparable, the virtual documents of a
// trace's steps, and the scenario's first statement (where a frame with no line of its own points).
import type { Scenario } from '../sim';
import { statementAt } from './breakpoints';
import { SEGMENT_STEPS } from './runtime';

/** The last part of a path. */
export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** The seed and segment of a trace document, from the path its Source gives (see traceSource). */
export function traceDocOfPath(path: string | undefined): { readonly seed: number; readonly segment: number } | undefined {
  const m = path === undefined ? null : /liferaft-trace\/seed-(\d+)\/steps-(\d+)\.rafttrace-steps$/.exec(path);
  return m === null ? undefined : { seed: Number(m[1]), segment: Math.floor((Number(m[2]) - 1) / SEGMENT_STEPS) };
}

/** The line of the scenario's first statement (1 if it has none). */
export function firstStatementLine(scenario: Scenario): number {
  const n = scenario.text.split(/\r?\n/).length;
  for (let line = 1; line <= n; line++) if (statementAt(scenario, line) !== '') return line;
  return 1;
}

export function segmentOfPath(path: string | undefined): number | undefined {
  return traceDocOfPath(path)?.segment;
}

/**
 * Whether a breakpoint's source path is the launched scenario. A relative launch path (a DAP
 * client other than VS Code, `liferaft dap`) matches the absolute paths that end with it.
 */
export function sameSource(clientPath: string, launchPath: string): boolean {
  const a = sourceKey(clientPath);
  const b = sourceKey(launchPath);
  if (a === b) return true;
  const relative = !b.startsWith('/') && !/^[A-Za-z]:\//.test(b) && !/^[A-Za-z][A-Za-z0-9+.-]+:/.test(b);
  return relative && a.endsWith(`/${b.replace(/^(\.\/)+/, '')}`);
}

/**
 * A path or URI as VS Code sends it (a file-system path for `file:` URIs, the URI itself for the
 * others: `untitled:Untitled-1`, `vscode-vfs://…`), made comparable: a `file:` URI becomes its path,
 * URIs are percent-decoded, separators are `/` and a drive letter is lower case.
 */
export function sourceKey(path: string): string {
  let s = path;
  const isUri = /^[A-Za-z][A-Za-z0-9+.-]+:/.test(s);
  const file = /^file:\/\/[^/]*(\/.*)$/i.exec(s);
  if (file !== null) s = file[1]!;
  if (isUri) {
    try {
      s = decodeURIComponent(s);
    } catch {
      // Not percent-encoded after all: compare as given.
    }
  }
  s = s.replace(/\\/g, '/');
  if (/^\/[A-Za-z]:\//.test(s)) s = s.slice(1);
  return /^[A-Za-z]:\//.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s;
}
