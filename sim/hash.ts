// Fast, deterministic 64-bit hashing in two 32-bit lanes (Math.imul only, so every engine agrees).
// Used for log prefix hashes (invariants), disk record checksums, state hashes and trace hashes.
import type { Entry, EntryData } from '../core';

const SEED_A = 0x9747b28c;
const SEED_B = 0x5bd1e995;

/** One round of mixing a 32-bit value into a lane (murmur3-style). */
export function mix(h: number, x: number): number {
  let k = Math.imul(x | 0, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

export function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export function mixString(h: number, s: string): number {
  h = mix(h, s.length);
  for (let i = 0; i < s.length; i++) h = mix(h, s.charCodeAt(i));
  return h;
}

/** A number that may exceed 32 bits (times, indexes): both halves are mixed in. */
export function mixNumber(h: number, x: number): number {
  return mix(mix(h, x | 0), Math.floor(x / 0x1_0000_0000) | 0);
}

/** A running 64-bit hash. */
export class Hash64 {
  a = SEED_A;
  b = SEED_B;

  add(x: number): this {
    this.a = mix(this.a, x);
    this.b = mix(this.b, x ^ 0x2545f491);
    return this;
  }

  addNumber(x: number): this {
    this.a = mixNumber(this.a, x);
    this.b = mixNumber(this.b, x + 0x2545f491);
    return this;
  }

  addString(s: string): this {
    this.a = mixString(this.a, s);
    this.b = mixString(this.b ^ 0x2545f491, s);
    return this;
  }

  /** 16 hex digits. */
  hex(): string {
    return finish(this.a).toString(16).padStart(8, '0') + finish(this.b).toString(16).padStart(8, '0');
  }
}

function hashData(h: number, d: EntryData): number {
  if (d.type === 'noop') return mix(h, 1);
  if (d.type === 'config') {
    h = mixNumber(mix(h, 3), d.voters.length);
    for (const id of d.voters) h = mixString(h, id);
    for (const id of d.learners) h = mixString(h, id);
    return h;
  }
  h = mixString(mix(h, 2), d.client);
  h = mixNumber(h, d.seq);
  const op = d.op;
  h = mixString(mixString(h, op.type), op.key);
  if (op.type === 'put' || op.type === 'append') h = mixString(h, op.value);
  if (op.type === 'cas') h = mixString(op.expected === null ? mix(h, 0) : mixString(mix(h, 1), op.expected), op.value);
  return h;
}

/** The identity of an entry's content, as two 32-bit lanes. Cached per entry object (entries are immutable). */
export interface EntryHash {
  readonly a: number;
  readonly b: number;
}

const cache = new WeakMap<Entry, EntryHash>();

export function entryHash(e: Entry): EntryHash {
  let h = cache.get(e);
  if (h === undefined) {
    const a = hashData(mixNumber(mixNumber(SEED_A, e.index), e.term), e.data);
    const b = hashData(mixNumber(mixNumber(SEED_B, e.term), e.index), e.data);
    h = { a: finish(a), b: finish(b) };
    cache.set(e, h);
  }
  return h;
}
