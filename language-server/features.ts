// The language features for .raftsim scenarios, as pure functions of the text (no LSP transport
// here, so they are tested directly and must never throw): diagnostics from the shared parser plus
// semantic warnings, completion, hover, document symbols and formatting. Lines and characters are
// 0-based, as in LSP.
import { BUGS, BUG_NAMES } from '../core';
import { FAULT_ACTIONS, INVARIANTS, INVARIANT_NAMES, KNOWN, NODE_ACTIONS, parseScenario, ScenarioError, STATEMENTS, type Scenario } from '../sim';

export interface Range {
  readonly start: { readonly line: number; readonly character: number };
  readonly end: { readonly line: number; readonly character: number };
}

export interface Diagnostic {
  readonly range: Range;
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

export interface Completion {
  readonly label: string;
  readonly kind: 'keyword' | 'node' | 'invariant' | 'bug' | 'action' | 'parameter' | 'value';
  readonly detail?: string;
  readonly documentation?: string;
  /** Text to insert when it differs from the label. */
  readonly insertText?: string;
}

export interface DocSymbol {
  readonly name: string;
  readonly detail: string;
  readonly kind: 'fault' | 'setting';
  readonly range: Range;
}

export interface TextEdit {
  readonly range: Range;
  readonly newText: string;
}

const MAX_ERRORS = 100;
const NODE_ACTION_SET: ReadonlySet<string> = new Set(NODE_ACTIONS);

function lineRange(line: number, start: number, end: number): Range {
  return { start: { line, character: start }, end: { line, character: end } };
}

/** Parses, collecting every error: a failing line is blanked and parsing goes on. */
export function analyze(text: string, file: string): { scenario: Scenario | null; diagnostics: Diagnostic[] } {
  const lines = text.split(/\r?\n/);
  const diagnostics: Diagnostic[] = [];
  let scenario: Scenario | null = null;
  for (let k = 0; k < MAX_ERRORS; k++) {
    try {
      scenario = parseScenario(lines.join('\n'), file, KNOWN);
      break;
    } catch (e) {
      if (!(e instanceof ScenarioError) || e.line < 1 || e.line > lines.length || lines[e.line - 1] === '') {
        diagnostics.push({ range: lineRange(0, 0, 0), severity: 'error', message: e instanceof Error ? e.message : String(e) });
        break;
      }
      // (With the other errors of its line, such as a bad value's statement being set twice.)
      for (const x of [e, ...e.also]) {
        const col = Math.max(0, x.col - 1);
        diagnostics.push({ range: lineRange(x.line - 1, col, col + Math.max(1, x.length)), severity: 'error', message: x.detail });
      }
      lines[e.line - 1] = '';
    }
  }
  if (scenario !== null && diagnostics.length === 0) diagnostics.push(...warnings(scenario, text));
  diagnostics.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  return { scenario, diagnostics };
}

/** Things that parse but are probably not what was meant. */
function warnings(s: Scenario, text: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const lines = text.split(/\r?\n/);
  const whole = (line: number): Range => lineRange(line - 1, 0, (lines[line - 1] ?? '').length);
  let last: { atUs: number; line: number } | null = null;
  // (The parser orders the schedule by time; in the file, a fault earlier than the one above it is easy to misread.)
  for (const f of [...s.schedule].sort((a, b) => a.line - b.line)) {
    if (last !== null && f.atUs < last.atUs)
      out.push({
        range: whole(f.line),
        severity: 'warning',
        message: `scheduled faults run in time order: this one happens before line ${last.line}'s, although it is written after it`,
      });
    last = f;
  }
  return out;
}

/** The largest cluster the text may describe (for node names): the `nodes` line, else the default. */
function maxNodes(text: string): number {
  const m = /^\s*nodes\s+(?:\d+\.\.)?(\d)\b/m.exec(text);
  return m === null ? 5 : Math.max(1, Math.min(9, Number(m[1])));
}

function nodeNames(text: string): Completion[] {
  return Array.from({ length: maxNodes(text) }, (_, i) => ({ label: `n${i + 1}`, kind: 'node' as const, detail: `node ${i + 1}` }));
}

export function complete(text: string, line: number, character: number): Completion[] {
  const lineText = text.split(/\r?\n/)[line] ?? '';
  const before = lineText.slice(0, character);
  if (before.includes('#')) return [];
  const words = before.trimStart().split(/\s+/);
  const current = words[words.length - 1] ?? '';
  const done = words.slice(0, -1);
  if (done.length === 0) {
    return Object.entries(STATEMENTS).map(([label, s]) => ({ label, kind: 'keyword' as const, detail: s.usage, documentation: s.doc }));
  }
  const stmt = done[0]!;
  if (stmt === 'check')
    return [
      { label: 'all', kind: 'value' as const, detail: 'every invariant' },
      ...INVARIANT_NAMES.map((n) => ({ label: n, kind: 'invariant' as const, documentation: INVARIANTS[n] })),
    ];
  if (stmt === 'bugs') return BUG_NAMES.map((n) => ({ label: n, kind: 'bug' as const, documentation: `${BUGS[n].models} Caught by ${BUGS[n].caughtBy}.` }));
  if (stmt === 'at') {
    if (done.length === 1) return [];
    if (done.length === 2) return Object.entries(FAULT_ACTIONS).map(([label, doc]) => ({ label, kind: 'action' as const, documentation: doc }));
    const action = done[2]!;
    // One node for crash/restart/…, none for heal; partition, cut and clog take several.
    if (action === 'heal' || (NODE_ACTION_SET.has(action) && done.length > 3)) return [];
    return nodeNames(text);
  }
  if (stmt in STATEMENTS && !current.includes('=')) {
    const params = [...STATEMENTS[stmt]!.usage.matchAll(/([a-z]+)=/g)].map((m) => m[1]!);
    const used = new Set(done.map((w) => w.split('=')[0]));
    return [...new Set(params)].filter((p) => !used.has(p)).map((p) => ({ label: `${p}=`, kind: 'parameter' as const, detail: STATEMENTS[stmt]!.usage }));
  }
  return [];
}

/** The word under the cursor and its range (words may contain letters, digits, - and .). */
function wordAt(lineText: string, character: number): { word: string; start: number; end: number } | null {
  const re = /[A-Za-z0-9_.-]+/g;
  for (let m = re.exec(lineText); m !== null; m = re.exec(lineText)) {
    if (m.index <= character && character <= m.index + m[0].length) return { word: m[0], start: m.index, end: m.index + m[0].length };
  }
  return null;
}

export function hover(text: string, line: number, character: number): { markdown: string; range: Range } | null {
  const lineText = text.split(/\r?\n/)[line] ?? '';
  const hash = lineText.indexOf('#');
  if (hash >= 0 && character > hash) return null;
  const w = wordAt(lineText, character);
  if (w === null) return null;
  const range = lineRange(line, w.start, w.end);
  const first = lineText.trimStart().split(/\s+/)[0];
  const stmt = Object.hasOwn(STATEMENTS, w.word) ? STATEMENTS[w.word] : undefined;
  if (stmt !== undefined && w.word === first) return { markdown: `**${w.word}** — \`${stmt.usage}\`\n\n${stmt.doc}`, range };
  if (first === 'at' && Object.hasOwn(FAULT_ACTIONS, w.word))
    return { markdown: `**${w.word}** (scheduled fault): ${FAULT_ACTIONS[w.word as keyof typeof FAULT_ACTIONS]}`, range };
  if ((INVARIANT_NAMES as readonly string[]).includes(w.word))
    return { markdown: `**${w.word}** (invariant): ${INVARIANTS[w.word as keyof typeof INVARIANTS]}`, range };
  if ((BUG_NAMES as readonly string[]).includes(w.word)) {
    const b = BUGS[w.word as keyof typeof BUGS];
    return { markdown: `**${w.word}** (planted bug): ${b.models}\n\nCaught by **${b.caughtBy}**.`, range };
  }
  if (/^n[1-9]$/.test(w.word)) return { markdown: `node **${w.word}**`, range };
  return null;
}

export function symbols(text: string): DocSymbol[] {
  const out: DocSymbol[] = [];
  text.split(/\r?\n/).forEach((raw, line) => {
    const code = raw.split('#')[0]!.trim();
    if (code === '') return;
    const [head = '', ...rest] = code.split(/\s+/);
    const fault = head === 'at';
    out.push({
      name: fault ? `at ${rest.join(' ')}` : head,
      detail: fault ? 'scheduled fault' : rest.join(' '),
      kind: fault ? 'fault' : 'setting',
      range: lineRange(line, raw.length - raw.trimStart().length, raw.length),
    });
  });
  return out;
}

/**
 * Formatting: no indentation, one space between words, no trailing spaces, at most one blank line
 * in a row; trailing comments of consecutive lines aligned two spaces after the longest code.
 */
export function format(text: string): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const rows = text.split(/\r?\n/).map((raw) => {
    const hash = raw.indexOf('#');
    const code = (hash < 0 ? raw : raw.slice(0, hash))
      .trim()
      .split(/\s+/)
      .filter((w) => w !== '')
      .join(' ');
    const comment = hash < 0 ? null : raw.slice(hash).trimEnd();
    return { code, comment };
  });
  const out: string[] = [];
  for (let i = 0; i < rows.length; ) {
    // A block: consecutive lines that have both code and a trailing comment.
    let j = i;
    while (j < rows.length && rows[j]!.code !== '' && rows[j]!.comment !== null) j++;
    if (j > i) {
      const width = Math.max(...rows.slice(i, j).map((r) => r.code.length));
      for (let k = i; k < j; k++) out.push(`${rows[k]!.code.padEnd(width)}  ${rows[k]!.comment}`);
      i = j;
      continue;
    }
    const r = rows[i]!;
    out.push(r.code !== '' ? r.code : (r.comment ?? ''));
    i++;
  }
  const collapsed: string[] = [];
  for (const l of out) if (!(l === '' && collapsed[collapsed.length - 1] === '')) collapsed.push(l);
  while (collapsed.length > 1 && collapsed[collapsed.length - 1] === '' && collapsed[collapsed.length - 2] === '') collapsed.pop();
  return collapsed.join(eol);
}

/** Formatting as one edit replacing the whole document (none when it is already formatted). */
export function formatEdits(text: string): TextEdit[] {
  const formatted = format(text);
  if (formatted === text) return [];
  const lines = text.split(/\r?\n/);
  return [{ range: { start: { line: 0, character: 0 }, end: { line: lines.length - 1, character: lines[lines.length - 1]!.length } }, newText: formatted }];
}
