// What a run records: a rolling hash of every step (the trace hash), and optionally the steps
// themselves, one byte of the rolling hash per step (to find where two runs diverge) and state hashes
// every CHECKPOINT_EVERY steps (what a .rafttrace stores and a replay verifies).
import { REASONS, type ReasonCode } from '../core';
import { Hash64 } from './hash';

export const CHECKPOINT_EVERY = 1000;

const REASON_INDEX = new Map<string, number>(Object.keys(REASONS).map((r, i) => [r, i + 1]));

export interface StepRecord {
  readonly step: number;
  /** Virtual µs. */
  readonly time: number;
  /** Node index, or -1 for events outside the nodes (faults, clients). */
  readonly node: number;
  readonly kind: string;
  readonly text: string;
  readonly reasons: readonly ReasonCode[];
}

export class TraceRecorder {
  readonly hash = new Hash64();
  /** The steps kept (record mode, or while the debugger captures a window of steps); null: none. */
  steps: StepRecord[] | null;
  private bytes: Uint8Array | null;
  readonly checkpoints: { step: number; hash: string }[] = [];

  constructor(readonly record: boolean) {
    this.steps = record ? [] : null;
    this.bytes = record ? new Uint8Array(1024) : null;
  }

  /**
   * Folds one step into the trace hash (always) and records it (in record mode). `coverage`, if
   * given, counts each reason code too (coverage.ts's counters, in REASONS order): one lookup per
   * code for both.
   */
  add(step: number, time: number, node: number, kind: number, reasons: readonly ReasonCode[] | null, extra: number, coverage: Uint32Array | null = null): void {
    // Few mixing rounds per step: the small fields share one word, the reason codes another.
    let r = 0;
    if (reasons !== null) {
      for (let i = 0; i < reasons.length; i++) {
        const k = REASON_INDEX.get(reasons[i]!) ?? 0;
        r = (Math.imul(r, 31) + k) | 0;
        if (coverage !== null) coverage[k > 0 ? k - 1 : 0]!++;
      }
    }
    // (The step number is implied by the order of the additions.)
    const h = this.hash;
    h.add(time | 0)
      .add(((node + 1) & 0xff) | ((kind & 0xff) << 8) | ((extra & 0xffff) << 16))
      .add(r);
    if (time >= 0x8000_0000) h.add(Math.floor(time / 0x1_0000_0000));
    if (this.bytes !== null) {
      if (step >= this.bytes.length) {
        const grown = new Uint8Array(this.bytes.length * 2);
        grown.set(this.bytes);
        this.bytes = grown;
      }
      this.bytes[step] = (this.hash.a ^ this.hash.b) & 0xff;
    }
  }

  /** Per-step bytes 1..steps (index 0 unused). */
  stepBytes(steps: number): Uint8Array {
    return this.bytes === null ? new Uint8Array(0) : this.bytes.slice(0, steps + 1);
  }
}

/** The first step at which two recordings of per-step bytes differ (null: identical as far as both go). */
export function firstDivergence(a: Uint8Array, b: Uint8Array): number | null {
  const n = Math.min(a.length, b.length);
  for (let i = 1; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? null : n;
}
