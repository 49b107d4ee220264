// History files as users have them: our JSON format, Jepsen's EDN histories (one op map per line,
// or one vector/list of them; register :read/:write/:cas, jepsen.independent [key value] tuples,
// or a :key field with :get/:put/:append as in Porcupine's key/value logs), and the jepsen.util log
// lines of Knossos' and Porcupine's etcd test data. EDN values are read by edn-data; this file only
// finds where each form starts, so errors can say file:line:col.
import { parseEDNString } from 'edn-data';
import { HistoryError, parseHistoryJson, type Operation } from './history';

export type HistoryFormat = 'json' | 'edn' | 'jepsen-log';

export interface History {
  readonly format: HistoryFormat;
  readonly operations: Operation[];
  /** The 1-based line in the file where each operation was invoked (same order as operations). */
  readonly lines: readonly number[];
  /**
   * What every key holds before the first operation (null: absent): the JSON file's "initial"; ""
   * for Porcupine's key/value logs (operations with a :key), whose model reads a missing key as "".
   */
  readonly initial: string | null;
}

/** Reads a history file in any of the formats above (chosen from the content, not the name). */
export function readHistory(text: string, file: string): History {
  const body = text.replace(/^\uFEFF/, '');
  const first = /\S/.exec(body);
  if (first === null) throw new HistoryError(`${file}:1:1: the file is empty (expected a history: JSON, Jepsen EDN or a jepsen.util log)`);
  if (/jepsen\.util\s+-\s+\S+\s+:(invoke|ok|fail|info)\b/.test(body.slice(0, 65536)) && !/^[[({#;]/.test(body.slice(first.index)))
    return readJepsenLog(body, file);
  const c = body[first.index]!;
  // JSON starts with [ or {" ; EDN with {: or [{: or ( or ; (a comment) or #.
  if (c === '[' || c === '{') {
    // JSON: [ {"…  or  [ ]  or  {"…  or  { } ; EDN maps start with a keyword ({:type …).
    let rest = body.slice(first.index + 1).trimStart();
    if (c === '[' && rest.startsWith('{')) rest = rest.slice(1).trimStart();
    else if (c === '[' && (rest.startsWith(']') || rest === '')) rest = '"';
    if (rest.startsWith('"') || rest.startsWith('}')) return { format: 'json', ...parseHistoryJson(body, file) };
  }
  return readEdn(body, file);
}

// ---- locating EDN forms -------------------------------------------------------------------------

interface Form {
  readonly start: number;
  readonly end: number;
}

const OPEN: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/** Whitespace and commas (EDN treats commas as whitespace). */
function isSpace(c: number): boolean {
  return c === 32 || c === 44 || (c >= 9 && c <= 13);
}

/** Where a symbol, keyword or number ends: whitespace, a comma, a bracket, a quote or a comment. */
function isDelimiter(c: number): boolean {
  return isSpace(c) || c === 40 || c === 41 || c === 91 || c === 93 || c === 123 || c === 125 || c === 34 || c === 59;
}

/** Line and column (1-based) of an offset; line starts are indexed once per text. */
let indexed: { text: string; starts: number[] } | null = null;
function position(text: string, offset: number): { line: number; col: number } {
  if (indexed === null || indexed.text !== text) {
    const starts = [0];
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    indexed = { text, starts };
  }
  const { starts } = indexed;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, col: offset - starts[lo]! + 1 };
}

/**
 * The top-level forms of `text` (start and end offsets), checking that brackets balance and strings
 * end. Comments (`;` to the end of the line) and `#_` discards are skipped as whitespace.
 */
function topLevelForms(text: string, file: string, from = 0, to = text.length): Form[] {
  const forms: Form[] = [];
  const fail = (at: number, what: string): never => {
    const p = position(text, at);
    throw new HistoryError(`${file}:${p.line}:${p.col}: ${what}`);
  };
  let i = from;
  const skipSpace = (): void => {
    for (;;) {
      while (i < to && isSpace(text.charCodeAt(i))) i++;
      if (text.charCodeAt(i) === 59 /* ; */) {
        while (i < to && text.charCodeAt(i) !== 10) i++;
        continue;
      }
      return;
    }
  };
  /** Skips one form starting at i; returns its end. */
  const skipForm = (): number => {
    const start = i;
    const ch = text[i]!;
    if (ch === '"') {
      for (i++; i < to && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92) i++;
      if (i >= to) fail(start, 'a string is not closed');
      return ++i;
    }
    if (ch === '#' && text[i + 1] === '_') {
      i += 2;
      skipSpace();
      if (i >= to) fail(start, '#_ discards nothing');
      skipForm();
      skipSpace();
      return i;
    }
    if (ch === '#' && text[i + 1] === '{') i++;
    else if (ch === '#') {
      // A tagged value: #tag form.
      while (i < to && !isDelimiter(text.charCodeAt(i))) i++;
      skipSpace();
      if (i >= to) fail(start, 'a tag is not followed by a value');
      return skipForm();
    }
    const c = text[i]!;
    if (c in OPEN) {
      const close = OPEN[c]!;
      i++;
      for (;;) {
        skipSpace();
        if (i >= to) fail(start, `"${c}" is not closed`);
        if (text[i] === close) return ++i;
        if (text[i] === ')' || text[i] === ']' || text[i] === '}')
          fail(i, `"${text[i]}" does not match the "${c}" at ${position(text, start).line}:${position(text, start).col}`);
        skipForm();
      }
    }
    if (c === ')' || c === ']' || c === '}') fail(i, `"${c}" closes nothing`);
    if (c === '\\') i += 2;
    while (i < to && !isDelimiter(text.charCodeAt(i))) i++;
    return i;
  };
  for (;;) {
    skipSpace();
    if (i >= to) return forms;
    if (text[i] === '#' && text[i + 1] === '_') {
      skipForm();
      continue;
    }
    const start = i;
    const end = skipForm();
    forms.push({ start, end });
  }
}

// ---- EDN histories ------------------------------------------------------------------------------

type Edn =
  | null
  | boolean
  | number
  | bigint
  | string
  | { key: string }
  | { map: [Edn, Edn][] }
  | { tag: string; val: Edn }
  | Edn[]
  | { set: Edn[] }
  | { char: string }
  | { sym: string };

const isKeyword = (v: Edn | undefined): v is { key: string } => typeof v === 'object' && v !== null && !Array.isArray(v) && 'key' in v;
const isMap = (v: Edn): v is { map: [Edn, Edn][] } => typeof v === 'object' && v !== null && !Array.isArray(v) && 'map' in v;

function showEdn(v: Edn): string {
  if (v === null) return 'nil';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v !== 'object') return String(v);
  if (Array.isArray(v)) return `[${v.map(showEdn).join(' ')}]`;
  if (isKeyword(v)) return `:${v.key}`;
  if (isMap(v)) return `{${v.map.map(([k, x]) => `${showEdn(k)} ${showEdn(x)}`).join(', ')}}`;
  if ('tag' in v) return `#${v.tag} ${showEdn(v.val)}`;
  if ('set' in v) return `#{${v.set.map(showEdn).join(' ')}}`;
  if ('char' in v) return `\\${v.char}`;
  return v.sym;
}

function parseForm(text: string, form: Form, file: string): Edn {
  try {
    return parseEDNString(text.slice(form.start, form.end), { keywordAs: 'object', listAs: 'array', mapAs: 'doubleArray' }) as Edn;
  } catch (e) {
    const p = position(text, form.start);
    throw new HistoryError(`${file}:${p.line}:${p.col}: not a readable EDN value (${(e as Error).message})`);
  }
}

/** A raw Jepsen operation, before invocations and completions are paired. */
interface JepsenOp {
  readonly type: 'invoke' | 'ok' | 'fail' | 'info';
  readonly process: number | string;
  readonly f: string;
  readonly key?: string;
  readonly value: Edn;
  readonly at: number;
}

function readEdn(text: string, file: string): History {
  let forms = topLevelForms(text, file);
  // One vector or list of ops: its elements are the ops.
  if (forms.length === 1 && (text[forms[0]!.start] === '[' || text[forms[0]!.start] === '('))
    forms = topLevelForms(text, file, forms[0]!.start + 1, forms[0]!.end - 1);
  const ops: JepsenOp[] = [];
  for (const form of forms) {
    const where = (): string => {
      const p = position(text, form.start);
      return `${file}:${p.line}:${p.col}`;
    };
    let v = parseForm(text, form, file);
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && 'tag' in v) v = v.val; // #jepsen.history.Op{...}
    if (!isMap(v))
      throw new HistoryError(`${where()}: expected an operation map like {:type :invoke, :process 0, :f :read, :value nil}, got ${showEdn(v).slice(0, 60)}`);
    const fields = new Map<string, Edn>();
    for (const [k, x] of v.map) if (isKeyword(k)) fields.set(k.key, x);
    const field = (name: string): Edn | undefined => fields.get(name);
    const type = field('type');
    if (type === undefined) throw new HistoryError(`${where()}: the operation has no :type (expected :invoke, :ok, :fail or :info)`);
    if (!isKeyword(type) || !['invoke', 'ok', 'fail', 'info'].includes(type.key))
      throw new HistoryError(`${where()}: :type must be :invoke, :ok, :fail or :info (got ${showEdn(type)})`);
    const process = field('process');
    if (isKeyword(process)) {
      if (process.key === 'nemesis') continue; // the fault injector's own operations are not client operations
      throw new HistoryError(`${where()}: :process must be an integer (or :nemesis), got ${showEdn(process)}`);
    }
    if (typeof process !== 'number' || !Number.isSafeInteger(process))
      throw new HistoryError(`${where()}: :process must be an integer (or :nemesis), got ${process === undefined ? 'nothing' : showEdn(process)}`);
    const f = field('f');
    if (!isKeyword(f) && typeof f !== 'string')
      throw new HistoryError(`${where()}: :f must be a keyword such as :read, :write or :cas (got ${f === undefined ? 'nothing' : showEdn(f)})`);
    const key = field('key');
    if (key !== undefined && typeof key !== 'string' && typeof key !== 'number' && !isKeyword(key))
      throw new HistoryError(`${where()}: :key must be a string, number or keyword (got ${showEdn(key)})`);
    ops.push({
      type: type.key as JepsenOp['type'],
      process,
      f: isKeyword(f) ? f.key : f,
      ...(key === undefined ? {} : { key: isKeyword(key) ? key.key : String(key) }),
      value: field('value') ?? null,
      at: form.start,
    });
  }
  return pairJepsen(ops, text, file, 'edn');
}

// ---- jepsen.util log lines ----------------------------------------------------------------------

/** `INFO  jepsen.util - 3	:invoke	:cas	[1 4]` (Knossos' and Porcupine's etcd test data). */
function readJepsenLog(text: string, file: string): History {
  const ops: JepsenOp[] = [];
  const line = /^(.*?jepsen\.util\s+-\s+)(\S+)\s+(:\S+)\s+(:\S+)\s*(.*)$/;
  let offset = 0;
  for (const raw of text.split('\n')) {
    const at = offset;
    offset += raw.length + 1;
    const m = line.exec(raw.replace(/\r$/, ''));
    if (m === null) continue; // other log lines
    const where = (col: number): string => `${file}:${position(text, at).line}:${col}`;
    const col = m[1]!.length + 1;
    const [, , proc, type, f, rest] = m;
    if (proc === ':nemesis') continue;
    if (!/^-?\d+$/.test(proc!)) throw new HistoryError(`${where(col)}: the process must be an integer (got ${proc})`);
    const t = type!.slice(1);
    if (!['invoke', 'ok', 'fail', 'info'].includes(t))
      throw new HistoryError(`${where(col + proc!.length + 1)}: the type must be :invoke, :ok, :fail or :info (got ${type})`);
    let value: Edn = null;
    if (rest!.trim() !== '') {
      const vStart = raw.indexOf(rest!, col + proc!.length + type!.length + f!.length);
      topLevelForms(text, file, at + vStart, at + vStart + rest!.length);
      value = parseForm(text, { start: at + vStart, end: at + vStart + rest!.length }, file);
    }
    ops.push({ type: t as JepsenOp['type'], process: Number(proc), f: f!.slice(1), value, at: at + col - 1 });
  }
  if (ops.length === 0) throw new HistoryError(`${file}:1:1: no jepsen.util operation lines (expected lines like "INFO jepsen.util - 0 :invoke :read nil")`);
  return pairJepsen(ops, text, file, 'jepsen-log');
}

// ---- from Jepsen operations to ours ---------------------------------------------------------------

const F_ALIASES: Record<string, Operation['op']> = { read: 'get', get: 'get', write: 'put', put: 'put', cas: 'cas', append: 'append', delete: 'delete' };
/** The key of a history of one register (no :key and no independent tuples). */
export const REGISTER_KEY = 'register';

function scalar(v: Edn): string | null | undefined {
  if (v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (isKeyword(v)) return `:${v.key}`;
  return undefined;
}

/**
 * One Jepsen operation (its invocation and completion, null when it never completed) as ours, or null
 * when it tells nothing (a read that did not complete). `independent`: values are [key value] tuples.
 */
function toOperation(
  inv: JepsenOp,
  done: JepsenOp | null,
  index: number,
  returned: number | null,
  independent: boolean,
  at: (o: JepsenOp) => string,
  file: string,
): Operation | null {
  const kind = F_ALIASES[inv.f];
  if (kind === undefined)
    throw new HistoryError(`${at(inv)}: :f :${inv.f} is not a key/value operation (expected :read, :write, :cas, or :get, :put, :append with a :key)`);
  let key = inv.key ?? REGISTER_KEY;
  let arg: Edn = inv.value;
  let result: Edn = done === null ? null : done.value;
  if (independent) {
    const [k, v] = inv.value as Edn[];
    const ks = scalar(k!);
    if (ks === undefined || ks === null)
      throw new HistoryError(`${at(inv)}: the key of a [key value] tuple must be a string, number or keyword (got ${showEdn(k!)})`);
    key = ks;
    arg = v!;
    if (done !== null) {
      if (!Array.isArray(done.value) || done.value.length !== 2 || scalar(done.value[0]!) !== ks)
        throw new HistoryError(
          `${at(done)}: the completion's [key value] tuple does not name the key ${JSON.stringify(ks)} of its invocation at ${at(inv).slice(file.length + 1)}`,
        );
      result = done.value[1]!;
    }
  }
  const base = { client: String(inv.process), key, call: index, return: returned };
  const complete = done !== null && done.type === 'ok';
  switch (kind) {
    case 'get': {
      if (!complete) return null; // a read that did not complete tells nothing
      const v = scalar(result);
      if (v === undefined) throw new HistoryError(`${at(done!)}: a :read's value must be nil, a string, a number or a keyword (got ${showEdn(result)})`);
      return { ...base, op: 'get', output: v };
    }
    case 'put':
    case 'append': {
      const v = scalar(arg);
      if (v === undefined || v === null)
        throw new HistoryError(`${at(inv)}: a :${inv.f}'s value must be a string, a number or a keyword (got ${showEdn(arg)})`);
      return { ...base, op: kind, value: v };
    }
    case 'delete':
      return { ...base, op: 'delete' };
    case 'cas': {
      if (!Array.isArray(arg) || arg.length !== 2) throw new HistoryError(`${at(inv)}: a :cas's value must be [old new] (got ${showEdn(arg)})`);
      const expected = scalar(arg[0]!);
      const value = scalar(arg[1]!);
      if (expected === undefined || value === undefined || value === null)
        throw new HistoryError(`${at(inv)}: a :cas's [old new] must hold strings, numbers or keywords (got ${showEdn(arg)})`);
      return { ...base, op: 'cas', expected, value, ...(complete ? { output: true } : {}) };
    }
  }
}

/**
 * Pairs each invocation with its process's next completion. Times are lines in the file (or positions,
 * when operations share lines): Jepsen histories are in real-time order. `:fail` did not happen (dropped); `:info` may or may not have
 * happened (never returns: `return: null`), and its process issues nothing more.
 */
function pairJepsen(raw: readonly JepsenOp[], text: string, file: string, format: HistoryFormat): History {
  const at = (o: JepsenOp): string => {
    const p = position(text, o.at);
    return `${file}:${p.line}:${p.col}`;
  };
  // jepsen.independent: every invocation's value is a [key value] tuple (a cas's value a [key [old new]]).
  const isPair = (v: Edn): v is Edn[] => Array.isArray(v) && v.length === 2;
  const invocations = raw.filter((o) => o.type === 'invoke');
  const independent = invocations.length > 0 && invocations.every((o) => o.key === undefined && isPair(o.value) && (o.f !== 'cas' || isPair(o.value[1]!)));
  type Open = { readonly inv: JepsenOp; readonly index: number };
  const open = new Map<number | string, Open>();
  const crashed = new Map<number | string, JepsenOp>();
  const out: { op: Operation; line: number; order: number }[] = [];
  // Times: the line of each invocation and completion when every operation has a line of its own
  // (what a user finds in the file), else its position among the client operations.
  const lineOf = raw.map((o) => position(text, o.at).line);
  const ownLines = lineOf.every((l, k) => k === 0 || l > lineOf[k - 1]!);
  let tick = 0;
  const convert = (inv: JepsenOp, done: JepsenOp | null, index: number, returned: number | null): Operation | null =>
    toOperation(inv, done, index, returned, independent, at, file);
  for (const o of raw) {
    const index = ownLines ? lineOf[tick++]! : tick++;
    if (o.type === 'invoke') {
      const prior = open.get(o.process);
      if (prior !== undefined)
        throw new HistoryError(`${at(o)}: process ${o.process} invokes again before its operation at ${at(prior.inv).slice(file.length + 1)} completed`);
      const dead = crashed.get(o.process);
      if (dead !== undefined)
        throw new HistoryError(
          `${at(o)}: process ${o.process} invokes again after its :info at ${at(dead).slice(file.length + 1)} (a process whose operation is indeterminate issues nothing more; Jepsen starts a new process)`,
        );
      open.set(o.process, { inv: o, index });
      continue;
    }
    const inv = open.get(o.process);
    if (inv === undefined) throw new HistoryError(`${at(o)}: a :${o.type} of process ${o.process} that has no operation in flight`);
    if (inv.inv.f !== o.f)
      throw new HistoryError(`${at(o)}: a :${o.type} :${o.f} completes process ${o.process}'s :${inv.inv.f} invoked at ${at(inv.inv).slice(file.length + 1)}`);
    open.delete(o.process);
    if (o.type === 'info') crashed.set(o.process, o);
    if (o.type === 'fail') continue; // did not happen
    const op = convert(inv.inv, o, inv.index, o.type === 'info' ? null : index);
    if (op !== null) out.push({ op, line: position(text, inv.inv.at).line, order: inv.index });
  }
  for (const { inv, index } of open.values()) {
    const op = convert(inv, null, index, null);
    if (op !== null) out.push({ op, line: position(text, inv.at).line, order: index });
  }
  out.sort((a, b) => a.order - b.order);
  // Operations with a :key (Porcupine's key/value logs, as 6.824 writes them) come from a model
  // where a missing key reads as "": Porcupine checks them so, and so do we unless told otherwise.
  const keyed = invocations.some((o) => o.key !== undefined);
  return { format, operations: out.map((x) => x.op), lines: out.map((x) => x.line), initial: keyed ? '' : null };
}
