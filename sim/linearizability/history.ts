// Client histories: the JSON format (documented in README.md), validation with precise messages,
// and conversion from what the simulator records.
import { MAX_VALUE_LENGTH } from '../../core';
import type { HistoryOp } from '../workload';

export type LinOpKind = 'get' | 'put' | 'delete' | 'cas' | 'append';

/** One operation of a history. Times are integers; `return: null` = never returned (effect unknown). */
export interface Operation {
  readonly client: string;
  readonly op: LinOpKind;
  readonly key: string;
  /** put, cas (the new value), append (the suffix). */
  readonly value?: string;
  /** cas: the value that must be current for the swap (null: the key must be absent). */
  readonly expected?: string | null;
  /**
   * What the operation returned: get → the value read (null: absent); cas → whether it swapped;
   * delete → whether the key existed (optional); append → the new value (optional); put → whether
   * it was applied (optional: false = refused, nothing changed — LifeRaft's store refuses only a value
   * longer than MAX_VALUE_LENGTH).
   */
  readonly output?: string | null | boolean;
  readonly call: number;
  readonly return: number | null;
}

export class HistoryError extends Error {
  override readonly name = 'HistoryError';
}

const KINDS: readonly LinOpKind[] = ['get', 'put', 'delete', 'cas', 'append'];

/** Parses and validates a history (a JSON array of operations, or { "operations": [...] }). */
export function parseHistory(text: string, file: string): Operation[] {
  return parseHistoryJson(text, file).operations;
}

/**
 * The JSON format with where each operation starts: a JSON array of operations, or
 * `{ "operations": [...], "initial": "..." }` (initial: what every key holds at first; default absent).
 * Errors say `file:line:col: operation N: what is wrong`.
 */
export function parseHistoryJson(text: string, file: string): { operations: Operation[]; lines: number[]; initial: string | null } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const m = (e as Error).message;
    const at = /at position (\d+)/.exec(m);
    const lc = /\(line (\d+) column (\d+)\)/.exec(m);
    const where = lc !== null ? `${lc[1]}:${lc[2]}` : at !== null ? lineCol(text, Number(at[1])) : '1:1';
    throw new HistoryError(`${file}:${where}: not JSON (${m.replace(/ in JSON at position \d+.*$/, '').replace(/,? ?"[^"]*"? is not valid JSON$/, '')})`);
  }
  const obj = Array.isArray(raw) ? null : (raw as Record<string, unknown> | null);
  const list = Array.isArray(raw) ? raw : obj?.operations;
  if (!Array.isArray(list)) throw new HistoryError(`${file}:1:1: expected a JSON array of operations (or { "operations": [...] })`);
  if (obj !== null) {
    for (const k of Object.keys(obj))
      if (k !== 'operations' && k !== 'initial')
        throw new HistoryError(`${file}:1:1: unknown top-level field "${k}" (expected "operations" and optionally "initial")`);
    if (obj.initial !== undefined && obj.initial !== null && typeof obj.initial !== 'string')
      throw new HistoryError(`${file}:1:1: "initial" must be a string or null (what every key holds before the first operation)`);
  }
  const starts = elementStarts(text, Array.isArray(raw) ? text.indexOf('[') : text.indexOf('[', text.indexOf('"operations"')));
  const lines: number[] = [];
  const operations = list.map((o, i) => {
    const at = starts[i] ?? 0;
    lines.push(Number(lineCol(text, at).split(':')[0]));
    return validateOperation(o, `${file}:${lineCol(text, at)}: operation ${i}`);
  });
  return { operations, lines, initial: (obj?.initial as string | null | undefined) ?? null };
}

/** "line:col" (1-based) of an offset. */
function lineCol(text: string, offset: number): string {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return `${line}:${offset - start + 1}`;
}

/** Offsets where the elements of the JSON array opening at `open` start (valid JSON assumed). */
function elementStarts(text: string, open: number): number[] {
  const starts: number[] = [];
  let depth = 0;
  let expecting = true;
  for (let i = open; i >= 0 && i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      if (depth === 1 && expecting) {
        starts.push(i);
        expecting = false;
      }
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      continue;
    }
    if (c === '[' || c === '{') {
      if (depth === 1 && expecting) {
        starts.push(i);
        expecting = false;
      }
      depth++;
    } else if (c === ']' || c === '}') {
      depth--;
      if (depth === 0) break;
    } else if (c === ',' && depth === 1) expecting = true;
    else if (depth === 1 && expecting && !/\s/.test(c)) {
      starts.push(i);
      expecting = false;
    }
  }
  return starts;
}

export function validateOperation(o: unknown, where: string): Operation {
  const fail = (what: string): never => {
    throw new HistoryError(`${where}: ${what}`);
  };
  if (typeof o !== 'object' || o === null || Array.isArray(o)) fail('expected an object');
  const x = o as Record<string, unknown>;
  const allowed = new Set(['client', 'op', 'key', 'value', 'expected', 'output', 'call', 'return']);
  for (const k of Object.keys(x)) if (!allowed.has(k)) fail(`unknown field "${k}"`);
  if (!((typeof x.client === 'string' && x.client !== '') || Number.isSafeInteger(x.client))) fail('"client" must be a non-empty string or an integer');
  if (typeof x.op !== 'string' || !KINDS.includes(x.op as LinOpKind)) fail(`"op" must be one of ${KINDS.join(', ')} (got ${JSON.stringify(x.op)})`);
  if (typeof x.key !== 'string') fail('"key" must be a string');
  if (!Number.isSafeInteger(x.call)) fail('"call" must be an integer time');
  if (x.return === undefined) fail('"return" is missing (use null for an operation that never returned)');
  if (x.return !== null && !Number.isSafeInteger(x.return)) fail('"return" must be an integer time or null');
  if (x.return !== null && (x.return as number) < (x.call as number)) fail(`"return" (${x.return}) is before "call" (${x.call})`);
  const op = x.op as LinOpKind;
  const returned = x.return !== null;
  const needValue = op === 'put' || op === 'cas' || op === 'append';
  if (needValue && typeof x.value !== 'string') fail(`a ${op} needs a string "value"`);
  if (!needValue && x.value !== undefined) fail(`a ${op} takes no "value"`);
  if (op === 'cas' && !(typeof x.expected === 'string' || x.expected === null)) fail('a cas needs "expected" (a string, or null for "absent")');
  if (op !== 'cas' && x.expected !== undefined) fail(`a ${op} takes no "expected"`);
  if (!returned && x.output !== undefined) fail('an operation that never returned has no "output"');
  if (returned) {
    switch (op) {
      case 'get':
        if (!(typeof x.output === 'string' || x.output === null)) fail('a get that returned needs "output": the value read, or null');
        break;
      case 'cas':
        if (typeof x.output !== 'boolean') fail('a cas that returned needs "output": true if it swapped, false if not');
        break;
      case 'delete':
        if (x.output !== undefined && typeof x.output !== 'boolean') fail('a delete\'s "output" is whether the key existed (true/false)');
        break;
      case 'append':
        if (x.output !== undefined && typeof x.output !== 'string') fail('an append\'s "output" is the new value (a string)');
        break;
      case 'put':
        if (x.output !== undefined && typeof x.output !== 'boolean') fail('a put\'s "output" is whether it was applied (true/false)');
        break;
    }
  }
  return {
    client: String(x.client),
    op,
    key: x.key as string,
    ...(x.value === undefined ? {} : { value: x.value as string }),
    ...(op === 'cas' ? { expected: x.expected as string | null } : {}),
    ...(x.output === undefined ? {} : { output: x.output as string | null | boolean }),
    call: x.call as number,
    return: x.return as number | null,
  };
}

/**
 * What is wrong with the answer a simulated client got, or null when it is well-formed for its
 * operation: `ok` a boolean (always true for a get), `value` a string or null, and an applied
 * put/cas holding the value written, an applied append a value ending with the suffix, a delete
 * null. The linearizability check reads only some of these fields; a core that garbles the others
 * would otherwise pass. A "stale-sequence" answer to a client's latest request is wrong too.
 */
export function malformedReply(h: HistoryOp): string | null {
  if (h.staleAnswer === true)
    return `answered "stale-sequence" to the client's latest request (a client sends one request at a time, so no later one of its requests can have been applied)`;
  const r = h.output;
  if (r === undefined) return null;
  if (typeof r !== 'object' || r === null) return `not a result: ${JSON.stringify(r)}`;
  if (typeof r.ok !== 'boolean') return `"ok" is ${JSON.stringify(r.ok)}, not true or false`;
  if (!(typeof r.value === 'string' || r.value === null)) return `"value" is ${JSON.stringify(r.value)}, not a string or null`;
  if (!r.ok) {
    if (h.op === 'get') return 'a get answered ok=false';
    // A refused append changed nothing and answers the current value: only one the suffix would take over the limit.
    if (h.op === 'append' && (r.value ?? '').length + h.value!.length <= MAX_VALUE_LENGTH) {
      return `an append of ${JSON.stringify(h.value)} was refused though the value would stay within ${MAX_VALUE_LENGTH} characters (answered ${JSON.stringify(r.value)})`;
    }
    return null;
  }
  switch (h.op) {
    case 'put':
    case 'cas':
      return r.value === h.value ? null : `an applied ${h.op} of ${JSON.stringify(h.value)} answered the value ${JSON.stringify(r.value)}`;
    case 'append':
      return typeof r.value === 'string' && r.value.endsWith(h.value!)
        ? null
        : `an applied append of ${JSON.stringify(h.value)} answered the value ${JSON.stringify(r.value)}`;
    case 'delete':
      return r.value === null ? null : `a delete answered the value ${JSON.stringify(r.value)}`;
    case 'get':
      return null;
  }
}

/** The simulator's record of a client operation, in the checker's format. */
export function fromSimulator(h: HistoryOp): Operation {
  const base = { client: h.client, op: h.op, key: h.key, call: h.call, return: h.return };
  const r = h.output;
  switch (h.op) {
    case 'get':
      return { ...base, ...(r === undefined ? {} : { output: r.value }) };
    case 'put':
      return { ...base, value: h.value!, ...(r === undefined ? {} : { output: r.ok }) };
    case 'append':
      return { ...base, value: h.value!, ...(r === undefined ? {} : { output: r.value }) };
    case 'cas':
      return { ...base, value: h.value!, expected: h.expected ?? null, ...(r === undefined ? {} : { output: r.ok }) };
    case 'delete':
      return { ...base, ...(r === undefined ? {} : { output: r.ok }) };
  }
}
