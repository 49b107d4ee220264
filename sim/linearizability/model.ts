// The key/value model, for one key: the state is the key's value (null: absent). step says whether
// an operation, applied to the state, could have produced the output the client saw.
import { MAX_VALUE_LENGTH } from '../../core';
import type { Operation } from './history';

export type State = string | null;

/** Applies `o` to `state`: [consistent with o's output?, next state]. Pending operations have no output. */
export function step(state: State, o: Operation): [ok: boolean, next: State] {
  switch (o.op) {
    case 'get':
      return [o.output === undefined || o.output === state, state];
    case 'put': {
      // The store refuses (and changes nothing for) only a value over its limit.
      const tooLong = o.value!.length > MAX_VALUE_LENGTH;
      if (o.output === false) return [tooLong, state];
      // An over-long value is never applied: inconsistent if the put says it was, a no-op if unknown.
      if (tooLong) return [o.output === undefined, state];
      return [true, o.value!];
    }
    case 'delete':
      return [o.output === undefined || o.output === (state !== null), null];
    case 'cas':
      if (o.output === undefined) return [true, state === o.expected ? o.value! : state];
      return o.output === true ? [state === o.expected, o.value!] : [state !== o.expected, state];
    case 'append': {
      const next = (state ?? '') + o.value!;
      // Over the limit the store refuses it: nothing changes, the current value is answered.
      if (next.length > MAX_VALUE_LENGTH) return [o.output === undefined || o.output === state, state];
      return [o.output === undefined || o.output === next, next];
    }
  }
}

export function describeOperation(o: Operation, index: number): string {
  const out = o.output === undefined ? '' : ` → ${JSON.stringify(o.output)}`;
  const args = o.op === 'cas' ? ` ${JSON.stringify(o.expected)}→${JSON.stringify(o.value)}` : o.value === undefined ? '' : ` ${JSON.stringify(o.value)}`;
  return `#${index} ${o.client} ${o.op} ${o.key}${args}${out} [${o.call}, ${o.return ?? '∞'}]`;
}
