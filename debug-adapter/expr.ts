// The debugger's expression language: conditions of breakpoints, logpoint messages, data
// breakpoints, the console and hovers. A small, safe language over the simulation's state — parsed
// here and evaluated by walking the tree; never JavaScript's eval, and records only expose the
// fields the debugger defines (no prototype chain, no methods).
//
//   n1.term > 3 && leader == n2        len(n3.log) >= 10        event.type == "AppendEntries"
//   n2.progress.n3.match               max(n1.commit, n2.commit)  !(n1.role == "leader")

export type Value = number | string | boolean | null | readonly Value[] | Rec | Seq;

/** A long list computed element by element on demand (a log of 10,000 entries is not built to take its length). */
export interface Seq {
  readonly kind: 'seq';
  readonly length: number;
  at(i: number): Value;
  /** The whole value in one string, for data breakpoints (plain data: a user's node's state). */
  readonly whole?: () => string;
}

/** A record: named fields computed on demand. `id` makes a record compare equal to its name (a node). */
export interface Rec {
  readonly kind: 'record';
  readonly id?: string;
  /** A one-line form for lists and previews (an entry as `3@t2 put k0=v`). */
  readonly summary?: string;
  field(name: string): Value | undefined;
  fields(): readonly string[];
  /** The whole value in one string, for data breakpoints (plain data: a user's node's state). */
  readonly whole?: () => string;
}

export interface Env {
  lookup(name: string): Value | undefined;
  names(): readonly string[];
}

export class ExprError extends Error {
  override readonly name = 'ExprError';
  constructor(
    message: string,
    /** 0-based column in the expression. */
    readonly column: number,
  ) {
    super(message);
  }
}

type Node =
  | { readonly t: 'lit'; readonly v: Value; readonly at: number }
  | { readonly t: 'name'; readonly name: string; readonly at: number }
  | { readonly t: 'field'; readonly of: Node; readonly name: string; readonly at: number }
  | { readonly t: 'index'; readonly of: Node; readonly index: Node; readonly at: number }
  | { readonly t: 'call'; readonly fn: string; readonly args: readonly Node[]; readonly at: number }
  | { readonly t: 'unary'; readonly op: '!' | '-'; readonly arg: Node; readonly at: number }
  | { readonly t: 'binary'; readonly op: string; readonly left: Node; readonly right: Node; readonly at: number };

interface Token {
  readonly kind: 'num' | 'str' | 'id' | 'op' | 'end';
  readonly text: string;
  readonly at: number;
}

const OPS = ['&&', '||', '==', '!=', '<=', '>=', '<', '>', '+', '-', '*', '/', '%', '!', '(', ')', '[', ']', '.', ','];
const MAX_LENGTH = 2000;

function tokenize(src: string): Token[] {
  if (src.length > MAX_LENGTH) throw new ExprError(`expression longer than ${MAX_LENGTH} characters`, MAX_LENGTH);
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c >= '0' && c <= '9') {
      const m = /^\d+(\.\d+)?/.exec(src.slice(i))!;
      out.push({ kind: 'num', text: m[0], at: i });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      out.push({ kind: 'id', text: m[0], at: i });
      i += m[0].length;
    } else if (c === '"' || c === "'") {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw new ExprError('unterminated string', i);
      out.push({ kind: 'str', text: src.slice(i + 1, end), at: i });
      i = end + 1;
    } else {
      const op = OPS.find((o) => src.startsWith(o, i));
      if (op === undefined) throw new ExprError(`unexpected character '${c}'`, i);
      out.push({ kind: 'op', text: op, at: i });
      i += op.length;
    }
  }
  out.push({ kind: 'end', text: '', at: src.length });
  return out;
}

const BINARY_LEVELS: readonly (readonly string[])[] = [['||'], ['&&'], ['==', '!=', '<', '<=', '>', '>='], ['+', '-'], ['*', '/', '%']];

const MAX_DEPTH = 64;

class Parser {
  private k = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Node {
    const n = this.binary(0);
    const t = this.peek();
    if (t.kind !== 'end') throw new ExprError(`unexpected '${t.text}'`, t.at);
    return n;
  }

  private peek(): Token {
    return this.tokens[this.k]!;
  }

  private next(): Token {
    return this.tokens[this.k++]!;
  }

  private isOp(text: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.text === text;
  }

  private expect(text: string): void {
    const t = this.next();
    if (t.kind !== 'op' || t.text !== text)
      throw new ExprError(t.kind === 'end' ? `expected '${text}' at the end` : `expected '${text}', found '${t.text}'`, t.at);
  }

  private binary(level: number): Node {
    if (level === BINARY_LEVELS.length) return this.unary();
    if (level === 0 && ++this.depth > MAX_DEPTH) throw new ExprError(`expression nested deeper than ${MAX_DEPTH} levels`, this.peek().at);
    try {
      return this.binaryAt(level);
    } finally {
      if (level === 0) this.depth--;
    }
  }

  private binaryAt(level: number): Node {
    let left = this.binary(level + 1);
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || !BINARY_LEVELS[level]!.includes(t.text)) return left;
      this.k++;
      const right = this.binary(level + 1);
      left = { t: 'binary', op: t.text, left, right, at: t.at };
      // Comparisons do not chain (a < b < c is a mistake, not a range).
      if (level === 2) return left;
    }
  }

  private unary(): Node {
    const t = this.peek();
    if (t.kind === 'op' && (t.text === '!' || t.text === '-')) {
      this.k++;
      if (++this.depth > MAX_DEPTH) throw new ExprError(`expression nested deeper than ${MAX_DEPTH} levels`, t.at);
      const arg = this.unary();
      this.depth--;
      return { t: 'unary', op: t.text, arg, at: t.at };
    }
    return this.postfix();
  }

  private postfix(): Node {
    let n = this.primary();
    for (;;) {
      const t = this.peek();
      if (this.isOp('.')) {
        this.k++;
        const f = this.next();
        if (f.kind !== 'id' && f.kind !== 'num') throw new ExprError("expected a field name after '.'", f.at);
        n = { t: 'field', of: n, name: f.text, at: f.at };
      } else if (this.isOp('[')) {
        this.k++;
        const index = this.binary(0);
        this.expect(']');
        n = { t: 'index', of: n, index, at: t.at };
      } else {
        return n;
      }
    }
  }

  private primary(): Node {
    const t = this.next();
    switch (t.kind) {
      case 'num':
        return { t: 'lit', v: Number(t.text), at: t.at };
      case 'str':
        return { t: 'lit', v: t.text, at: t.at };
      case 'id':
        if (t.text === 'true' || t.text === 'false') return { t: 'lit', v: t.text === 'true', at: t.at };
        if (t.text === 'null') return { t: 'lit', v: null, at: t.at };
        if (this.isOp('(')) return this.call(t);
        return { t: 'name', name: t.text, at: t.at };
      case 'op':
        if (t.text === '(') {
          const n = this.binary(0);
          this.expect(')');
          return n;
        }
        throw new ExprError(`unexpected '${t.text}'`, t.at);
      case 'end':
        throw new ExprError('expression ends too soon', t.at);
    }
  }

  private call(name: Token): Node {
    if (!Object.hasOwn(FUNCTIONS, name.text)) throw new ExprError(`unknown function ${name.text}() (known: ${Object.keys(FUNCTIONS).join(', ')})`, name.at);
    this.expect('(');
    const args: Node[] = [];
    if (!this.isOp(')')) {
      args.push(this.binary(0));
      while (this.isOp(',')) {
        this.k++;
        args.push(this.binary(0));
      }
    }
    this.expect(')');
    return { t: 'call', fn: name.text, args, at: name.at };
  }
}

const FUNCTIONS: Readonly<Record<string, { readonly doc: string; readonly fn: (args: readonly Value[], at: number) => Value }>> = {
  len: {
    doc: 'len(x): the length of a list or a string, or the number of fields of a record',
    fn: (a, at) => {
      const x = one(a, 'len', at);
      if (typeof x === 'string' || Array.isArray(x) || isSeq(x)) return x.length;
      if (isRec(x)) return x.fields().length;
      throw new ExprError(`len() of ${typeName(x)}`, at);
    },
  },
  min: { doc: 'min(a, b, …): the smallest number', fn: (a, at) => Math.min(...numbers(a, 'min', at)) },
  max: { doc: 'max(a, b, …): the largest number', fn: (a, at) => Math.max(...numbers(a, 'max', at)) },
  abs: { doc: 'abs(x): the absolute value', fn: (a, at) => Math.abs(numbers(a, 'abs', at)[0]!) },
  has: {
    doc: 'has(list, x): whether a list holds x (or a record has a field named x)',
    fn: (a, at) => {
      if (a.length !== 2) throw new ExprError('has() takes 2 arguments', at);
      const [l, x] = a as [Value, Value];
      if (Array.isArray(l)) return l.some((y: Value) => equal(y, x));
      if (isSeq(l)) {
        for (let i = 0; i < l.length; i++) if (equal(l.at(i), x)) return true;
        return false;
      }
      if (isRec(l) && typeof x === 'string') return l.field(x) !== undefined;
      throw new ExprError(`has() of ${typeName(l)}`, at);
    },
  },
};

function one(a: readonly Value[], fn: string, at: number): Value {
  if (a.length !== 1) throw new ExprError(`${fn}() takes 1 argument`, at);
  return a[0]!;
}

function numbers(a: readonly Value[], fn: string, at: number): number[] {
  if (a.length === 0) throw new ExprError(`${fn}() needs an argument`, at);
  return a.map((x) => {
    if (typeof x !== 'number') throw new ExprError(`${fn}() of ${typeName(x)}`, at);
    return x;
  });
}

export function isRec(v: Value | undefined): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as Rec).kind === 'record';
}

/** Only the language's own values pass (a host object or function never enters an expression). */
function isValue(v: unknown): v is Value {
  if (v === null) return true;
  switch (typeof v) {
    case 'number':
    case 'string':
    case 'boolean':
      return true;
    case 'object':
      return Array.isArray(v) || (v as Rec).kind === 'record' || (v as Seq).kind === 'seq';
    default:
      return false;
  }
}

export function isSeq(v: Value | undefined): v is Seq {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as Seq).kind === 'seq';
}

export function typeName(v: Value): string {
  if (v === null) return 'null';
  if (Array.isArray(v) || isSeq(v)) return 'a list';
  if (isRec(v)) return v.id === undefined ? 'a record' : `node ${v.id}`;
  return `a ${typeof v}`;
}

/** A parsed expression, ready to evaluate many times (a condition is parsed once, checked every step). */
export class Expr {
  private constructor(
    readonly source: string,
    private readonly root: Node,
  ) {}

  static parse(source: string): Expr {
    if (source.trim() === '') throw new ExprError('empty expression', 0);
    return new Expr(source, new Parser(tokenize(source)).parse());
  }

  evaluate(env: Env): Value {
    return evaluate(this.root, env);
  }

  /** Whether the expression is a plain path (`n2.commit`), which can be watched by a data breakpoint. */
  get isPath(): boolean {
    let n = this.root;
    while (n.t === 'field' || n.t === 'index') n = n.of;
    return n.t === 'name';
  }
}

function evaluate(n: Node, env: Env): Value {
  switch (n.t) {
    case 'lit':
      return n.v;
    case 'name': {
      const v = env.lookup(n.name);
      if (v === undefined || !isValue(v)) throw new ExprError(`unknown name '${n.name}' (known: ${env.names().join(', ')})`, n.at);
      return v;
    }
    case 'field': {
      const of = evaluate(n.of, env);
      if (!isRec(of)) throw new ExprError(`${typeName(of)} has no field '${n.name}'`, n.at);
      const v = of.field(n.name);
      if (v === undefined || !isValue(v)) throw new ExprError(`no field '${n.name}' (fields: ${of.fields().join(', ')})`, n.at);
      return v;
    }
    case 'index': {
      const of = evaluate(n.of, env);
      const i = evaluate(n.index, env);
      if ((Array.isArray(of) || isSeq(of)) && typeof i === 'number') {
        if (!Number.isInteger(i) || i < 0 || i >= of.length) throw new ExprError(`index ${i} out of range 0..${of.length - 1}`, n.at);
        return Array.isArray(of) ? (of[i] as Value) : (of as Seq).at(i);
      }
      if (isRec(of) && typeof i === 'string') {
        const v = of.field(i);
        if (v === undefined) throw new ExprError(`no field '${i}'`, n.at);
        return v;
      }
      throw new ExprError(`cannot index ${typeName(of)} with ${typeName(i)}`, n.at);
    }
    case 'call':
      return FUNCTIONS[n.fn]!.fn(
        n.args.map((a) => evaluate(a, env)),
        n.at,
      );
    case 'unary': {
      const v = evaluate(n.arg, env);
      if (n.op === '!') return !truthy(v, n.at);
      if (typeof v !== 'number') throw new ExprError(`cannot negate ${typeName(v)}`, n.at);
      return -v;
    }
    case 'binary':
      return binary(n.op, n.left, n.right, env, n.at);
  }
}

function truthy(v: Value, at: number): boolean {
  if (typeof v === 'boolean') return v;
  throw new ExprError(`expected true or false, found ${typeName(v)}`, at);
}

function binary(op: string, l: Node, r: Node, env: Env, at: number): Value {
  if (op === '&&') return truthy(evaluate(l, env), l.at) && truthy(evaluate(r, env), r.at);
  if (op === '||') return truthy(evaluate(l, env), l.at) || truthy(evaluate(r, env), r.at);
  const a = evaluate(l, env);
  const b = evaluate(r, env);
  if (op === '==') return equal(a, b);
  if (op === '!=') return !equal(a, b);
  if (op === '+' && typeof a === 'string' && (typeof b === 'string' || typeof b === 'number')) return a + String(b);
  if (typeof a !== 'number' || typeof b !== 'number') {
    if ((op === '<' || op === '<=' || op === '>' || op === '>=') && typeof a === 'string' && typeof b === 'string')
      return compare(op, a < b ? -1 : a > b ? 1 : 0);
    throw new ExprError(`'${op}' needs numbers, found ${typeName(a)} and ${typeName(b)}`, at);
  }
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      if (b === 0) throw new ExprError('division by zero', at);
      return a / b;
    case '%':
      if (b === 0) throw new ExprError('division by zero', at);
      return a % b;
    default:
      return compare(op, a - b);
  }
}

function compare(op: string, d: number): boolean {
  return op === '<' ? d < 0 : op === '<=' ? d <= 0 : op === '>' ? d > 0 : d >= 0;
}

/** Equality: a node record equals its name; lists compare element by element. */
export function equal(a: Value, b: Value): boolean {
  if (isRec(a) && a.id !== undefined) return isRec(b) ? b.id === a.id : b === a.id;
  if (isRec(b) && b.id !== undefined) return a === b.id;
  if ((Array.isArray(a) || isSeq(a)) && (Array.isArray(b) || isSeq(b))) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equal(item(a, i), item(b, i))) return false;
    return true;
  }
  return a === b;
}

function item(l: readonly Value[] | Seq, i: number): Value {
  return Array.isArray(l) ? (l[i] as Value) : (l as Seq).at(i);
}

/** A value as the console shows it (records by name or as a field list, lists shortened). */
export function show(v: Value, depth = 0): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return depth === 0 ? v : JSON.stringify(v);
  if (typeof v !== 'object') return String(v);
  if (Array.isArray(v) || isSeq(v)) {
    const l = v as readonly Value[] | Seq;
    const items: string[] = [];
    for (let i = 0; i < Math.min(l.length, 20); i++) items.push(show(item(l, i), depth + 1));
    return `[${items.join(', ')}${l.length > 20 ? `, … (${l.length})` : ''}]`;
  }
  const r = v as Rec;
  if (r.id !== undefined && depth > 0) return r.id;
  if (r.summary !== undefined && depth > 0) return r.summary;
  if (depth > 1) return '{…}';
  return `{${r
    .fields()
    .map((f) => `${f}: ${show(r.field(f)!, depth + 1)}`)
    .join(', ')}}`;
}

/** A value compared across steps by a data breakpoint: plain data whole, at any depth; else as shown. */
export function fingerprint(v: Value): string {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const whole = (v as Rec | Seq).whole;
    if (whole !== undefined) return whole();
  }
  return show(v, 1);
}

/** Completions for the text before the cursor: names, or the fields of the record before a dot. */
export function complete(text: string, env: Env): { readonly label: string; readonly start: number; readonly detail?: string }[] {
  // The path before the cursor, found scanning backwards (linear in its length).
  let i = text.length;
  while (i > 0 && /[A-Za-z0-9_.]/.test(text[i - 1]!)) i--;
  const path = text.slice(i);
  const dot = path.lastIndexOf('.');
  const prefix = path.slice(dot + 1);
  const start = text.length - prefix.length;
  if (dot > 0) {
    let v: Value;
    try {
      v = Expr.parse(path.slice(0, dot)).evaluate(env);
    } catch {
      return [];
    }
    if (!isRec(v)) return [];
    return v
      .fields()
      .filter((f) => f.startsWith(prefix))
      .map((label) => ({ label, start }));
  }
  const names = env.names().map((label) => ({ label, start }));
  const fns = Object.entries(FUNCTIONS).map(([label, f]) => ({ label, start, detail: f.doc }));
  return [...names, ...fns].filter((c) => c.label.startsWith(prefix));
}
