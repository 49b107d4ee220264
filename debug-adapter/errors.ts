// The adapter's errors: one catalogue of codes, and the error its handlers throw.

/** The error catalogue: every error the adapter answers with. */
export const ERR = {
  launch: 1001,
  notLaunched: 1002,
  expression: 1003,
  unknownReference: 1004,
  fork: 1005,
  goto: 1006,
  running: 1007,
  request: 1008,
} as const;

export class AdapterError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}
