// Sources as the client names them: paths and URIs made comparable, the scenario's first
// statement (where a frame with no line of its own points), and the documents a session serves —
// its scenario when it has no file (a trace's), and the trace's steps, a segment per document.
import { Source } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Scenario } from '../sim';
import type { SourceKind } from './breakpoint-requests';
import { statementAt } from './breakpoints';
import { AdapterError, ERR } from './errors';
import { SEGMENT_STEPS, type SimRuntime } from './runtime';

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

/**
 * The sources of one debug session: the scenario (its file, or a served document when the run came
 * from a trace) and the trace documents, a segment of steps each. A segment gets a new reference
 * when its text changes (the timeline grew past what was served, or a fork replaced it), so the
 * client fetches it again instead of showing stale lines.
 */
export class SourceDocuments {
  private readonly segments = new Map<number, { ref: number; served: number; generation: number }>();
  private readonly refSegment = new Map<number, number>();
  private nextRef = 1;
  private scenarioRef = 0;
  /** The scenario's file ('' when it came from a trace). */
  scenarioPath = '';

  constructor(private readonly toClientPath: (path: string) => string) {}

  scenario(rt: SimRuntime): Source {
    if (this.scenarioPath !== '') return new Source(baseName(this.scenarioPath), this.toClientPath(this.scenarioPath));
    if (this.scenarioRef === 0) this.scenarioRef = this.nextRef++;
    const s = new Source(baseName(rt.scenario.file), undefined, this.scenarioRef) as DebugProtocol.Source;
    s.presentationHint = 'emphasize';
    return s as Source;
  }

  /** A file of a user's node (the line it threw at): the client opens it as a user's file. */
  file(path: string): Source {
    return new Source(baseName(path), this.toClientPath(path));
  }

  /** The document of steps of segment g. */
  trace(rt: SimRuntime, g: number): Source {
    const available = Math.min(SEGMENT_STEPS, rt.frontier - g * SEGMENT_STEPS);
    let e = this.segments.get(g);
    if (e === undefined || e.generation !== rt.generation || (e.served >= 0 && e.served < available)) {
      e = { ref: this.nextRef++, served: -1, generation: rt.generation };
      this.segments.set(g, e);
      this.refSegment.set(e.ref, g);
    }
    const first = g * SEGMENT_STEPS + 1;
    const s = new Source(`seed ${rt.seed} steps ${first}–${first + SEGMENT_STEPS - 1}.rafttrace-steps`, undefined, e.ref) as DebugProtocol.Source;
    // A rooted path: VS Code builds the debug: URI of the document from it (a relative one yields a broken URI).
    s.path = `/liferaft-trace/seed-${rt.seed}/steps-${first}.rafttrace-steps`;
    s.origin = 'simulation trace (read-only)';
    return s as Source;
  }

  /** The source request: a served document's text. */
  serve(rt: SimRuntime, args: DebugProtocol.SourceArguments): DebugProtocol.SourceResponse['body'] {
    const ref = args.source?.sourceReference ?? args.sourceReference;
    if (ref === this.scenarioRef && ref !== 0) return { content: rt.scenario.text, mimeType: 'text/x-raftsim' };
    const g = (ref === undefined ? undefined : this.refSegment.get(ref)) ?? segmentOfPath(args.source?.path);
    if (g === undefined) throw new AdapterError(ERR.unknownReference, `no source with reference ${ref}`);
    const lines = rt.segment(g);
    const e = this.segments.get(g);
    if (e !== undefined && e.ref === ref) e.served = lines.length;
    return { content: `${lines.join('\n')}\n`, mimeType: 'text/plain' };
  }

  /** Which of this session's sources `source` is: its scenario, a trace document, or neither (and what to say). */
  kind(rt: SimRuntime, source: DebugProtocol.Source): SourceKind {
    const doc = traceDocOfPath(source.path);
    if (doc !== undefined && doc.seed !== rt.seed)
      return { kind: 'other', message: `a trace document of seed ${doc.seed}: this debug session runs seed ${rt.seed}` };
    const segment = doc?.segment ?? (source.sourceReference === undefined ? undefined : this.refSegment.get(source.sourceReference));
    if (segment !== undefined) return { kind: 'trace', segment };
    if (this.isScenario(source)) return { kind: 'scenario' };
    const runs = this.scenarioPath !== '' ? this.scenarioPath : rt.scenario.file;
    const name = source.path === undefined || baseName(source.path) !== baseName(runs) ? baseName(runs) : runs;
    return { kind: 'other', message: `not the scenario of this debug session (it runs ${name}${this.scenarioPath === '' ? ', from a trace' : ''})` };
  }

  /** Whether `source` is this session's scenario: its file, or the document served for it (a trace's scenario). */
  private isScenario(source: DebugProtocol.Source): boolean {
    if (this.scenarioRef !== 0 && source.sourceReference === this.scenarioRef) return true;
    return this.scenarioPath !== '' && source.path !== undefined && sameSource(source.path, this.scenarioPath);
  }

  /** The step a line of a source stands for (goto targets): a trace line's step, or the next step a scenario line caused. */
  stepOf(rt: SimRuntime, source: DebugProtocol.Source, line: number): number | null {
    const where = this.kind(rt, source);
    if (where.kind === 'other') return null;
    if (where.kind === 'trace') {
      const step = where.segment * SEGMENT_STEPS + line;
      return step >= 1 && step <= rt.frontier ? step : null;
    }
    // The next step the line caused after the cursor (a recurring fault's next occurrence), else its first.
    let first: number | null = null;
    for (let s = 1; s <= rt.frontier; s++) {
      if (rt.timeline.lineOf(s) !== line) continue;
      if (s > rt.position) return s;
      first ??= s;
    }
    return first;
  }
}
