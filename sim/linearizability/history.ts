// Client histories: the JSON format (documented in README.md), validation with precise messages,
// and conversion from what the simulator records.
import { MAX_VALUE_LENGTH } from '../../core/kv';
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
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new HistoryError(`${file}: not JSON (${(e as Error).message})`);
  }
  const list = Array.isArray(raw) ? raw : (raw as { operations?: unknown } | null)?.operations;
  if (!Array.isArray(list)) throw new HistoryError(`${file}: expected a JSON array of operations (or { "operations": [...] })`);
  return list.map((o, i) => validateOperation(o, `${file}: operation ${i}`));
}

export function validateOperation(o: unknown, where: string): Operation {
  const fail = (what: string): never => {
    throw new HistoryError(`${where}: ${what}`);
  };
  if (typeof o !== 'object' || o === null || Array.isArray(o)) fail('expected an object');
  const x = o as Record<string, unknown>;
  const allowed = new Set(['client', 'op', 'key', 'value', 'expected', 'output', 'call', 'return']);
  for (const k of Object.keys(x)) if (!allowed.has(k)) fail(`unknown field "${k}"`);
  if (typeof x.client !== 'string' || x.client === '') fail('"client" must be a non-empty string');
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
    client: x.client as string,
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
  if (h.staleAnswer === true) return `answered "stale-sequence" to the client's latest request (a client sends one request at a time, so no later one of its requests can have been applied)`;
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
      return typeof r.value === 'string' && r.value.endsWith(h.value!) ? null : `an applied append of ${JSON.stringify(h.value)} answered the value ${JSON.stringify(r.value)}`;
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
