// The node's own seeded random stream (used for randomized election timeouts, Raft §5.2).
//
// It lives in core/ rather than coming from seedrandom because the core may import nothing outside
// itself, and because its state must be plain data: a single integer that is cloned with the node
// state, recorded in traces and restored by the debugger. The generator is mulberry32 (32-bit state,
// full period 2^32), which is plenty for drawing timeouts.

/** Invariant: an unsigned 32-bit integer. */
export type RngState = number;

export function seedRng(seed: number): RngState {
  // Scramble the seed so that neighbouring seeds (node 1, 2, 3) start far apart.
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Returns the next value in [0, 2^32) and the next state. */
export function nextU32(state: RngState): [value: number, next: RngState] {
  const next = (state + 0x6d2b79f5) >>> 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return [(t ^ (t >>> 14)) >>> 0, next];
}

/** An integer in [min, max) without modulo bias worth mentioning (range ≪ 2^32). */
export function nextIntIn(state: RngState, min: number, max: number): [value: number, next: RngState] {
  const [u, next] = nextU32(state);
  return [min + Math.floor((u / 0x1_0000_0000) * (max - min)), next];
}
