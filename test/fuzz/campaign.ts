// A fuzz campaign: N seeded inputs against one target, counting what was accepted, what was
// refused (and with which messages), and what crashed. A crash is anything but the target's own
// clear refusal: an exception of another kind, an unclear message, a request left unanswered, an
// unhandled rejection while the input ran.
import { Rng } from './gen';

export interface Outcome {
  /**
   * accepted, refused with the surface's own error, or (peer frames only) `stopped`: a well-formed
   * forged message tripped one of the core's assertions, and a real node stops (fail-stop, as etcd
   * panics) — counted apart, never as a refusal.
   */
  readonly kind: 'accepted' | 'refused' | 'stopped';
  /** For a refusal: the message the user sees. */
  readonly message?: string;
}

/** One target: how to make an input, run it, and show it (to reproduce a crash). */
export interface FuzzTarget<I = unknown> {
  readonly name: string;
  readonly about: string;
  open(): Promise<{
    make(r: Rng): I;
    run(input: I): Outcome | Promise<Outcome>;
    show(input: I): string;
    close(): Promise<void>;
  }>;
}

/** Thrown by a target when the input got an answer a user should not see (unclear, wrong code, no answer). */
export class FuzzFailure extends Error {
  override readonly name = 'FuzzFailure';
}

export interface CampaignResult {
  readonly target: string;
  readonly inputs: number;
  readonly accepted: number;
  readonly refused: number;
  readonly stopped: number;
  readonly crashes: number;
  /** The most frequent refusals, by message shape (numbers and quoted parts blanked). */
  readonly refusals: readonly (readonly [string, number])[];
  /** The first crashes: the error, and the input that caused it. */
  readonly crashInputs: readonly { readonly error: string; readonly input: string }[];
  readonly seconds: number;
}

/** A message with its particulars blanked, so refusals group by kind ("f:1:2: unknown x" → "f:#:#: unknown …"). */
export function shape(message: string): string {
  return message
    .split('\n')[0]!
    .replace(/"(?:[^"\\]|\\.)*"|'[^']*'|`[^`]*`/g, '…')
    .replace(/\d+(\.\d+)?/g, '#')
    .replace(/^(.{139}).{2,}$/s, '$1…');
}

export async function runCampaign(t: FuzzTarget, inputs: number, seed: number, progress?: (done: number) => void): Promise<CampaignResult> {
  const r = new Rng(seed);
  const h = await t.open();
  const counts = { accepted: 0, refused: 0, stopped: 0, crashes: 0 };
  const refusals = new Map<string, number>();
  const crashInputs: { error: string; input: string }[] = [];
  let current: unknown = null;
  const crash = (e: unknown, input: unknown): void => {
    counts.crashes++;
    if (crashInputs.length < 5) crashInputs.push({ error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e), input: h.show(input) });
  };
  const stray = (e: unknown): void => crash(e, current);
  process.on('unhandledRejection', stray);
  process.on('uncaughtException', stray);
  const t0 = performance.now();
  try {
    for (let i = 0; i < inputs; i++) {
      const input = h.make(r);
      current = input;
      try {
        const o = await h.run(input);
        counts[o.kind]++;
        if (o.kind !== 'accepted') {
          const k = shape(o.message ?? '');
          refusals.set(k, (refusals.get(k) ?? 0) + 1);
        }
      } catch (e) {
        crash(e, input);
      }
      if (progress !== undefined && (i + 1) % 1000 === 0) progress(i + 1);
    }
  } finally {
    await h.close();
    process.off('unhandledRejection', stray);
    process.off('uncaughtException', stray);
  }
  return {
    target: t.name,
    inputs,
    ...counts,
    refusals: [...refusals].sort((a, b) => b[1] - a[1]).slice(0, 30),
    crashInputs,
    seconds: (performance.now() - t0) / 1000,
  };
}
