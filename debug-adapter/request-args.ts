// The arguments of every DAP request the adapter serves, checked against the protocol's types before
// a handler sees them: a client that sends `"threadId": "a"`, a source whose path is a number, or
// no arguments at all gets a refusal that names the field, not a TypeError from deep inside.
// (Fields the adapter does not read are not checked: clients send extras, and DAP grows.)

type Type = 'int' | 'number' | 'string' | 'bool' | 'object' | { readonly array: Type } | { readonly fields: Fields };
interface Fields {
  readonly [name: string]: { readonly type: Type; readonly required?: boolean };
}

const req = (type: Type): { type: Type; required: true } => ({ type, required: true });
const opt = (type: Type): { type: Type } => ({ type });

const SOURCE: Type = { fields: { name: opt('string'), path: opt('string'), sourceReference: opt('int') } };
const THREAD: Fields = { threadId: req('int'), singleThread: opt('bool'), granularity: opt('string') };
const FORMAT = opt('object');

const REQUESTS: Readonly<Record<string, Fields>> = {
  threads: {},
  configurationDone: {},
  terminate: {},
  restart: {},
  disconnect: { restart: opt('bool'), terminateDebuggee: opt('bool'), suspendDebuggee: opt('bool') },
  stackTrace: { threadId: req('int'), startFrame: opt('int'), levels: opt('int'), format: FORMAT },
  scopes: { frameId: req('int') },
  variables: { variablesReference: req('int'), filter: opt('string'), start: opt('int'), count: opt('int'), format: FORMAT },
  evaluate: { expression: req('string'), frameId: opt('int'), context: opt('string'), format: FORMAT },
  completions: { text: req('string'), column: req('int'), line: opt('int'), frameId: opt('int') },
  continue: THREAD,
  next: THREAD,
  stepIn: { ...THREAD, targetId: opt('int') },
  stepOut: THREAD,
  stepBack: THREAD,
  reverseContinue: THREAD,
  pause: { threadId: req('int') },
  goto: { threadId: req('int'), targetId: req('int') },
  gotoTargets: { source: req(SOURCE), line: req('int'), column: opt('int') },
  restartFrame: { frameId: req('int') },
  setBreakpoints: {
    source: req(SOURCE),
    breakpoints: opt({
      array: { fields: { line: req('int'), column: opt('int'), condition: opt('string'), hitCondition: opt('string'), logMessage: opt('string') } },
    }),
    lines: opt({ array: 'int' }),
    sourceModified: opt('bool'),
  },
  setFunctionBreakpoints: { breakpoints: req({ array: { fields: { name: req('string'), condition: opt('string'), hitCondition: opt('string') } } }) },
  setExceptionBreakpoints: {
    filters: req({ array: 'string' }),
    filterOptions: opt({ array: { fields: { filterId: req('string'), condition: opt('string') } } }),
    exceptionOptions: opt({ array: 'object' }),
  },
  dataBreakpointInfo: { variablesReference: opt('int'), name: req('string'), frameId: opt('int') },
  setDataBreakpoints: {
    breakpoints: req({ array: { fields: { dataId: req('string'), accessType: opt('string'), condition: opt('string'), hitCondition: opt('string') } } }),
  },
  exceptionInfo: { threadId: req('int') },
  source: { source: opt(SOURCE), sourceReference: req('int') },
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function describe(t: Type): string {
  if (t === 'int') return 'an integer';
  if (t === 'number') return 'a number';
  if (t === 'string') return 'a string';
  if (t === 'bool') return 'true or false';
  if (t === 'object') return 'an object';
  if ('array' in t) return `an array of ${describe(t.array).replace(/^an? /, '')}s`;
  return 'an object';
}

/** Where `v` departs from `t` ("breakpoints[2].line must be an integer"), or null. */
function problem(v: unknown, t: Type, at: string): string | null {
  const bad = (): string => `${at} must be ${describe(t)} (got ${JSON.stringify(v) ?? String(v)})`.slice(0, 200);
  if (t === 'int') return Number.isSafeInteger(v) ? null : bad();
  if (t === 'number') return typeof v === 'number' && Number.isFinite(v) ? null : bad();
  if (t === 'string') return typeof v === 'string' ? null : bad();
  if (t === 'bool') return typeof v === 'boolean' ? null : bad();
  if (t === 'object') return isObject(v) ? null : bad();
  if ('array' in t) {
    if (!Array.isArray(v)) return bad();
    for (let i = 0; i < v.length; i++) {
      const p = problem(v[i], t.array, `${at}[${i}]`);
      if (p !== null) return p;
    }
    return null;
  }
  if (!isObject(v)) return bad();
  return fieldsProblem(v, t.fields, `${at}.`);
}

function fieldsProblem(v: Record<string, unknown>, fields: Fields, prefix: string): string | null {
  for (const [name, f] of Object.entries(fields)) {
    const x = v[name];
    // (null is no value of any of these types: DAP clients leave a field out instead.)
    if (x === undefined) {
      if (f.required === true) return `${prefix}${name} is missing`;
      continue;
    }
    const p = problem(x, f.type, `${prefix}${name}`);
    if (p !== null) return p;
  }
  return null;
}

/**
 * Why the arguments of `command` do not have the protocol's types ("threadId must be an integer (got
 * \"a\")": the client shows it after the request's name); null when they do, or when the adapter
 * checks that command itself (launch, initialize, the panels' liferaft/* requests, unknown commands).
 */
export function argumentsProblem(command: string, args: unknown): string | null {
  const fields = Object.hasOwn(REQUESTS, command) ? REQUESTS[command] : undefined;
  if (fields === undefined) return null;
  if (args === undefined || args === null) {
    const missing = Object.entries(fields).find(([, f]) => f.required === true);
    return missing === undefined ? null : `${missing[0]} is missing`;
  }
  if (!isObject(args)) return `the arguments must be an object (got ${JSON.stringify(args)})`;
  return fieldsProblem(args, fields, '');
}
