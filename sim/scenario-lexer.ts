// Reading one line of a scenario: tokens with their columns, and LineParser, which reads the
// values statements take (integers, durations, percentages, ranges, key=value pairs, fault actions)
// and fails with file:line:col and what was expected.
import { FAULT_ACTIONS, ScenarioError, type FaultAction, type Latency, type NodeActionKind, type OpKind, type Range, type Workload } from './scenario-model';

export interface Token {
  readonly text: string;
  readonly col: number;
}

export function checkNodes(action: FaultAction, nodes: number, maxNodes: number, spares: number, p: LineParser): void {
  const ids: number[] = [];
  switch (action.kind) {
    case 'partition':
      ids.push(...action.groups.flat());
      break;
    case 'cut':
      ids.push(action.from, action.to);
      break;
    case 'clog':
      ids.push(action.a, action.b);
      break;
    case 'heal':
      break;
    default:
      ids.push(action.node);
  }
  for (const id of ids) {
    if (id >= nodes + spares)
      p.failLine(
        `node n${id + 1} does not exist (the cluster has ${nodes} nodes${maxNodes > nodes ? ' in its smallest size' : ''}${spares > 0 ? ` and ${spares} spare${spares === 1 ? '' : 's'}` : ''})`,
      );
  }
}

export function tokenize(raw: string): Token[] {
  const tokens: Token[] = [];
  const re = /(\S+)/g;
  const hash = raw.indexOf('#');
  const text = hash >= 0 ? raw.slice(0, hash) : raw;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) tokens.push({ text: m[1]!, col: m.index + 1 });
  return tokens;
}

const DURATION = /^(\d+(?:\.\d+)?)(us|µs|ms|s|m)$/;
const UNIT_US: Record<string, number> = { us: 1, µs: 1, ms: 1_000, s: 1_000_000, m: 60_000_000 };
const PERCENT = /^(\d+(?:\.\d+)?)%$/;

export class LineParser {
  private i = 0;
  constructor(
    private readonly file: string,
    private readonly line: number,
    private readonly tokens: readonly Token[],
    /** The line's statement was already set: every error of the line reports that too. */
    private readonly duplicate: ScenarioError | null = null,
  ) {}

  private error(col: number, message: string, length = 1): ScenarioError {
    return new ScenarioError(this.file, this.line, col, message, length, this.duplicate === null ? [] : [this.duplicate]);
  }

  fail(t: Token, message: string): never {
    throw this.error(t.col, message, t.text.length);
  }

  failLine(message: string): never {
    throw this.error(this.tokens[0]?.col ?? 1, message);
  }

  peek(): Token | undefined {
    return this.tokens[this.i];
  }

  next(what: string): Token {
    const t = this.tokens[this.i];
    if (t === undefined) {
      const last = this.tokens[this.tokens.length - 1];
      throw this.error(last === undefined ? 1 : last.col + last.text.length + 1, `expected ${what}`);
    }
    this.i++;
    return t;
  }

  end(): void {
    const t = this.tokens[this.i];
    if (t !== undefined) this.fail(t, `unexpected "${t.text}"`);
  }

  rest(what: string): Token[] {
    if (this.i >= this.tokens.length) this.next(what);
    const r = this.tokens.slice(this.i);
    this.i = this.tokens.length;
    return r;
  }

  keyword(...options: string[]): Token {
    const t = this.next(options.map((o) => `"${o}"`).join(' or '));
    if (!options.includes(t.text)) this.fail(t, `expected ${options.map((o) => `"${o}"`).join(' or ')}, got "${t.text}"`);
    return t;
  }

  onOff(): boolean {
    return this.keyword('on', 'off').text === 'on';
  }

  /** on (1), off (0), or the chance per seed that it is on (`50%`). */
  onOffChance(): number {
    const t = this.next('"on", "off" or a chance per seed (e.g. 50%)');
    if (t.text === 'on') return 1;
    if (t.text === 'off') return 0;
    if (!/^[\d.]/.test(t.text)) this.fail(t, `expected "on", "off" or a chance per seed (e.g. 50%), got "${t.text}"`);
    return parsePercent(this, t, t.text);
  }

  int(what: string, min: number, max: number, t = this.next(what)): number {
    return parseIntToken(this, t, what, min, max);
  }

  intRange(what: string, min: number, max: number): Range {
    const t = this.next(`${what} as MIN..MAX`);
    return this.range(t, (part, tok) => parseIntToken(this, tok, what, min, max, part));
  }

  /** N or MIN..MAX, from a key=value token. */
  intRangeToken(t: Token, what: string, min: number, max: number): Range {
    return this.range(t, (part, tok) => parseIntToken(this, tok, what, min, max, part), true);
  }

  duration(what: string, minUs: number, t = this.next(`${what} (e.g. 10ms)`)): number {
    return parseDuration(this, t, t.text, what, minUs);
  }

  /** MIN..MAX, or one duration D meaning D..D. */
  durationRange(what: string, minUs: number, t = this.next(`${what} as MIN..MAX (e.g. 1ms..10ms)`)): Range {
    return this.range(t, (part, tok) => parseDuration(this, tok, part, what, minUs), true);
  }

  percent(t = this.next('a percentage (e.g. 2%) or a ratio (e.g. 0.02)')): number {
    return parsePercent(this, t, t.text);
  }

  percentRange(t = this.next('a percentage or range (e.g. 1% or 0%..2%)')): Range {
    return this.range(t, (part, tok) => parsePercent(this, tok, part), true);
  }

  private range(t: Token, parse: (part: string, t: Token) => number, single = false): Range {
    const parts = t.text.split('..');
    if (parts.length === 1 && single) {
      const v = parse(parts[0]!, t);
      return { min: v, max: v };
    }
    if (parts.length !== 2) this.fail(t, `expected MIN..MAX, got "${t.text}"`);
    const min = parse(parts[0]!, t);
    const max = parse(parts[1]!, t);
    if (min > max) this.fail(t, `range ${t.text} has MIN greater than MAX`);
    return { min, max };
  }

  latency(): Latency {
    const kind = this.keyword('uniform', 'exp');
    if (kind.text === 'uniform') {
      const r = this.durationRange('a latency range', 0);
      return { kind: 'uniform', minUs: r.min, maxUs: r.max };
    }
    const meanUs = this.duration('a mean latency', 1);
    this.keyword('cap');
    const capTok = this.next('a latency cap');
    const capUs = this.duration('a latency cap', 1, capTok);
    if (capUs < meanUs) this.fail(capTok, 'the cap must be at least the mean');
    return { kind: 'exp', meanUs, capUs };
  }

  /** key=value pairs; each key at most once. */
  pairs(allowed: readonly string[]): Map<string, Token> {
    const out = new Map<string, Token>();
    for (const t of this.rest(`one of ${allowed.map((a) => `${a}=`).join(' ')}`)) {
      const eq = t.text.indexOf('=');
      const key = eq < 0 ? t.text : t.text.slice(0, eq);
      if (eq < 0 || !allowed.includes(key)) this.fail(t, `expected one of ${allowed.map((a) => `${a}=…`).join(', ')}, got "${t.text}"`);
      if (out.has(key)) this.fail(t, `${key}= given twice`);
      out.set(key, { text: t.text.slice(eq + 1), col: t.col + eq + 1 });
    }
    return out;
  }

  workload(base: Workload): Workload {
    const kv = this.pairs(['clients', 'keys', 'think', 'timeout', 'attempts']);
    const get = <T>(k: string, parse: (t: Token) => T, fallback: T): T => {
      const t = kv.get(k);
      return t === undefined ? fallback : parse(t);
    };
    return {
      ...base,
      clients: get('clients', (t) => this.int('a client count', 0, 100, t), base.clients),
      keys: get('keys', (t) => this.int('a key count', 1, 1_000, t), base.keys),
      thinkUs: get('think', (t) => this.durationRange('a think time', 0, t), base.thinkUs),
      timeoutUs: get('timeout', (t) => this.duration('a timeout', 1, t), base.timeoutUs),
      attempts: get('attempts', (t) => this.int('an attempt count', 1, 1_000, t), base.attempts),
    };
  }

  mix(): Record<OpKind, number> {
    const kv = this.pairs(['get', 'put', 'append', 'cas', 'delete']);
    const mix: Record<OpKind, number> = { get: 0, put: 0, append: 0, cas: 0, delete: 0 };
    for (const [k, t] of kv) mix[k as OpKind] = this.int('a weight', 0, 1_000_000, t);
    if (Object.values(mix).every((w) => w === 0)) this.failLine('mix needs at least one operation with a weight above 0');
    return mix;
  }

  recurring(): { everyUs: Range; forUs: Range; weight: number } {
    const kv = this.pairs(['every', 'for', 'weight']);
    const every = kv.get('every');
    const dur = kv.get('for');
    if (every === undefined || dur === undefined) this.failLine('needs every=MIN..MAX and for=MIN..MAX');
    const w = kv.get('weight');
    return {
      everyUs: this.durationRange('an interval', 1, every),
      forUs: this.durationRange('a duration', 1, dur),
      weight: w === undefined ? 0.5 : this.percent(w),
    };
  }

  node(what = 'a node (e.g. n1)'): number {
    const t = this.next(what);
    const m = /^n([1-9])$/.exec(t.text);
    if (m === null) this.fail(t, `expected ${what}, got "${t.text}"`);
    return Number(m[1]) - 1;
  }

  action(): FaultAction {
    const t = this.keyword(...Object.keys(FAULT_ACTIONS));
    switch (t.text) {
      case 'partition': {
        const groups: number[][] = [[]];
        for (const g of this.rest('nodes separated by |')) {
          if (g.text === '|') {
            groups.push([]);
            continue;
          }
          const m = /^n([1-9])$/.exec(g.text);
          if (m === null) this.fail(g, `expected a node or "|", got "${g.text}"`);
          const id = Number(m[1]) - 1;
          if (groups.some((gr) => gr.includes(id))) this.fail(g, `${g.text} is in two groups`);
          groups[groups.length - 1]!.push(id);
        }
        if (groups.length < 2 || groups.some((g) => g.length === 0)) this.fail(t, 'a partition needs at least two non-empty groups separated by |');
        return { kind: 'partition', groups };
      }
      case 'cut': {
        const from = this.node();
        this.keyword('->');
        const to = this.node();
        return { kind: 'cut', from, to };
      }
      case 'heal':
        return { kind: 'heal' };
      case 'clog': {
        const a = this.node();
        const b = this.node();
        this.keyword('for');
        return { kind: 'clog', a, b, forUs: this.duration('a clog duration', 1) };
      }
      default:
        return { kind: t.text as NodeActionKind, node: this.node() };
    }
  }
}

function parseIntToken(p: LineParser, t: Token, what: string, min: number, max: number, text = t.text): number {
  if (!/^\d+$/.test(text)) p.fail(t, `expected ${what} (an integer), got "${text}"`);
  const v = Number(text);
  if (v < min || v > max) p.fail(t, `${what} must be from ${min} to ${max}, got ${v}`);
  return v;
}

/**
 * What a duration literal means, in microseconds ("1.5ms" → 1500), before any check: null when it is
 * not NUMBER UNIT, and possibly not a whole number. The scenario writer uses it to write only what
 * reads back as the same value.
 */
export function durationLiteralUs(text: string): number | null {
  const m = DURATION.exec(text);
  return m === null ? null : Number(m[1]) * UNIT_US[m[2]!]!;
}

function parseDuration(p: LineParser, t: Token, text: string, what: string, minUs: number): number {
  const us = durationLiteralUs(text);
  if (us === null) p.fail(t, `expected ${what} with a unit (us, ms, s, m), got "${text}"`);
  if (!Number.isInteger(us)) p.fail(t, `${text} is not a whole number of microseconds`);
  if (us < minUs) p.fail(t, `${what} must be at least ${minUs}us`);
  if (us > 1e12) p.fail(t, `${text} is too long`);
  return us;
}

/**
 * What a percentage literal means as a ratio ("2.5%" → 0.025; it divides the number by 100, so "0.7%"
 * is 0.006999999999999999, not 0.007), or null when it is not NUMBER%. The scenario writer uses it to
 * write only what reads back as the same value.
 */
export function percentLiteral(text: string): number | null {
  const m = PERCENT.exec(text);
  return m === null ? null : Number(m[1]) / 100;
}

/** "2%" or a ratio "0.02" (the writer uses a ratio for a value that no percentage reads back as exactly). */
function parsePercent(p: LineParser, t: Token, text: string): number {
  const ratio = /^(0(?:\.\d+)?|1(?:\.0+)?|\d*\.\d+(?:e-\d+)?)$/.exec(text);
  if (ratio !== null && !text.endsWith('%')) {
    const v = Number(text);
    if (!(v >= 0 && v <= 1)) p.fail(t, `${text} is not a ratio between 0 and 1`);
    return v;
  }
  const v = percentLiteral(text);
  if (v === null) p.fail(t, `expected a percentage like 2% or a ratio like 0.02, got "${text}"`);
  if (v > 1) p.fail(t, `${text} is above 100%`);
  return v;
}
