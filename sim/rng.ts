// Seeded random streams (seedrandom's Alea: fast, and its state can be saved and restored).
// One stream per purpose, each derived from the run seed and the purpose's name, so that drawing
// more from one stream (a new fault kind, say) never shifts the values another stream produces.
import alea from 'seedrandom/lib/alea';
import { ln } from './detmath';
import type seedrandom from 'seedrandom';
import { CLONE } from './snapshot';

export type RngState = seedrandom.State.Alea;

export class Rng {
  private readonly prng: seedrandom.StatefulPRNG<RngState>;

  constructor(seed: string, state?: RngState) {
    this.prng = alea(seed, { state: state ?? true });
  }

  /** The stream named `purpose` of run `seed`. */
  static stream(seed: number, purpose: string): Rng {
    return new Rng(`liferaft/${seed}/${purpose}`);
  }

  /** A float in [0, 1). */
  next(): number {
    return this.prng();
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.prng() * n);
  }

  /** An integer in [lo, hi] (inclusive). */
  intIn(lo: number, hi: number): number {
    return lo + Math.floor(this.prng() * (hi - lo + 1));
  }

  /** A float in [lo, hi). */
  floatIn(lo: number, hi: number): number {
    return lo + this.prng() * (hi - lo);
  }

  chance(p: number): boolean {
    return p > 0 && this.prng() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.prng() * items.length)]!;
  }

  /** Exponentially distributed with the given mean, as an integer ≥ 0. */
  expInt(mean: number): number {
    return Math.floor(-ln(1 - this.prng()) * mean);
  }

  /** An unsigned 32-bit integer (for seeding a node's own stream). */
  u32(): number {
    return this.prng.int32() >>> 0;
  }

  state(): RngState {
    return this.prng.state();
  }

  /** A copy for a simulation snapshot: continues from the same point, independently. */
  [CLONE](): Rng {
    return new Rng('', this.state());
  }

  /** An independent copy that continues from the same point. */
  fork(seedLabel: string): Rng {
    return new Rng(seedLabel, this.state());
  }
}

/** 0..n-1 in a random order (Fisher–Yates, drawing from `rng`). */
export function shuffled(rng: Rng, n: number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
