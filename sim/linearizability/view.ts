// The shapes the linearizability view draws (types only: the webview pages import them).

export interface LinOperationView {
  /** Index in the history. */
  readonly index: number;
  readonly client: string;
  /** The operation as text (describeOperation). */
  readonly text: string;
  readonly call: number;
  readonly return: number | null;
  /** In the failing key's minimal set of operations that cannot be linearized. */
  readonly illegal: boolean;
  /** Position (1-based) in the key's linearization (or longest partial one); absent when not in it. */
  readonly order?: number;
  /** The line of the history file where it was invoked. */
  readonly line?: number;
}

export interface LinKeyView {
  readonly key: string;
  readonly result: 'ok' | 'illegal' | 'unknown' | 'not checked';
  readonly operations: readonly LinOperationView[];
  /** How many operations the (partial) linearization orders. */
  readonly linearized: number;
}

export interface LinReport {
  /** What was checked (a file name, "seed 7 of default.raftsim"). */
  readonly title: string;
  readonly result: 'ok' | 'illegal' | 'unknown';
  readonly reason?: string;
  readonly elapsedMs: number;
  readonly operations: number;
  /** How to show times: "µs" of virtual time (shown in ms), or "" for plain numbers (file positions). */
  readonly timeUnit: 'µs' | '';
  /** A likely cause of the verdict worth saying (a "" read of a key nothing wrote). */
  readonly hint?: string;
  /** The failing (or undecided) key first, then the others by name. */
  readonly keys: readonly LinKeyView[];
}
