// What the linearizability view draws (`liferaft check --html`, the "Check Linearizability" webview,
// the Invariants panel): per key, its operations by client with their linearization order — a whole
// linearization for a legal key, the longest partial one found for an illegal key, whose operations
// that cannot be ordered are marked.
import type { LinResult } from './checker';
import type { Operation } from './history';
import { describeOperation, type State } from './model';
import { KeySearch } from './search';
import type { LinKeyView, LinReport } from './view';

export type { LinKeyView, LinOperationView, LinReport } from './view';

export interface ReportOptions {
  readonly title: string;
  readonly elapsedMs: number;
  readonly timeUnit?: 'µs' | '';
  readonly hint?: string;
  readonly lines?: readonly number[];
  readonly initial?: State;
  /** Search steps spent finding each legal key's linearization (default 200,000; past it the key shows unordered). */
  readonly stepsPerKey?: number;
}

export function linReport(history: readonly Operation[], r: LinResult, o: ReportOptions): LinReport {
  const byKey = new Map<string, number[]>();
  history.forEach((op, i) => {
    let list = byKey.get(op.key);
    if (list === undefined) byKey.set(op.key, (list = []));
    list.push(i);
  });
  const failing = r.result === 'ok' ? null : r.key;
  const illegal = new Set(r.result === 'illegal' ? r.operations : []);
  const keys = [...byKey.keys()].sort((a, b) => (a === failing ? -1 : b === failing ? 1 : a < b ? -1 : a > b ? 1 : 0));
  const views = keys.map((key): LinKeyView => {
    const indices = byKey.get(key)!;
    let order: number[] = [];
    let result: LinKeyView['result'];
    if (r.result === 'illegal' && key === failing) {
      order = [...r.partial];
      result = 'illegal';
    } else if (r.result === 'unknown' && key === failing) {
      result = 'unknown';
    } else if (r.result === 'illegal') {
      // The check stopped at the failing key: the others were not all decided.
      result = 'not checked';
    } else {
      result = 'ok';
    }
    if (result !== 'illegal' && result !== 'unknown') {
      const kept = indices.filter((i) => !(history[i]!.op === 'get' && history[i]!.return === null));
      const s = new KeySearch(
        kept.map((i) => history[i]!),
        o.initial ?? null,
        o.stepsPerKey ?? 200_000,
        true,
      );
      const status = s.run(o.stepsPerKey ?? 200_000);
      if (status === 'ok') order = s.best.map((j) => kept[j]!);
      if (result === 'not checked' && status === 'ok') result = 'ok';
    }
    const position = new Map(order.map((index, k) => [index, k + 1]));
    return {
      key,
      result,
      linearized: order.length,
      operations: indices.map((index) => {
        const op = history[index]!;
        const at = position.get(index);
        const line = o.lines?.[index];
        return {
          index,
          client: op.client,
          text: describeOperation(op, index),
          call: op.call,
          return: op.return,
          illegal: illegal.has(index),
          ...(at === undefined ? {} : { order: at }),
          ...(line === undefined ? {} : { line }),
        };
      }),
    };
  });
  return {
    title: o.title,
    result: r.result,
    ...(r.result === 'unknown' ? { reason: r.reason } : {}),
    elapsedMs: o.elapsedMs,
    timeUnit: o.timeUnit ?? '',
    ...(o.hint === undefined ? {} : { hint: o.hint }),
    operations: history.length,
    keys: views,
  };
}
