// The set of configurations a key's search has seen (Lowe's cache): which operations are linearized
// (a bitset) and the state after them, in one open-addressing table of typed arrays keyed by a
// Zobrist hash of the bitset mixed with the state. Its size is known at every step, so a memory
// budget can stop the search before the heap runs out.
import { Rng } from '../rng';

/** Zobrist tokens: one random 32-bit number per operation, XORed into the hash of a bitset. */
export const TOKENS: number[] = [];
const tokenRng = new Rng('liferaft/linearizability/zobrist');
export function tokensFor(n: number): void {
  while (TOKENS.length < n) TOKENS.push(tokenRng.u32() | 0);
}

/** A set of configurations: bitset words + state id per entry, open addressing on a 32-bit hash. */
export class ConfigSet {
  private table: Int32Array;
  private mask: number;
  private data: Uint32Array;
  private hashes: Uint32Array;
  size = 0;
  constructor(private readonly words: number) {
    this.table = new Int32Array(1024);
    this.mask = 1023;
    this.data = new Uint32Array(256 * (words + 1));
    this.hashes = new Uint32Array(256);
  }
  get bytes(): number {
    return this.table.byteLength + this.data.byteLength + this.hashes.byteLength;
  }
  /** Adds (bits, state); false if it was there already. */
  add(bits: Uint32Array, state: number, hash: number): boolean {
    const stride = this.words + 1;
    let slot = hash & this.mask;
    for (;;) {
      const e = this.table[slot]!;
      if (e === 0) break;
      const idx = e - 1;
      if (this.hashes[idx] === hash) {
        const base = idx * stride;
        if (this.data[base] === state) {
          let same = true;
          for (let w = 0; w < this.words; w++) {
            if (this.data[base + 1 + w] !== bits[w]) {
              same = false;
              break;
            }
          }
          if (same) return false;
        }
      }
      slot = (slot + 1) & this.mask;
    }
    const idx = this.size++;
    if (idx >= this.hashes.length) {
      const grown = new Uint32Array(this.hashes.length * 2);
      grown.set(this.hashes);
      this.hashes = grown;
      const d = new Uint32Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    const base = idx * stride;
    this.data[base] = state;
    for (let w = 0; w < this.words; w++) this.data[base + 1 + w] = bits[w]!;
    this.hashes[idx] = hash;
    this.table[slot] = idx + 1;
    if (this.size * 2 > this.table.length) this.grow();
    return true;
  }
  /** Whether (bits with bit `flip` toggled, state) is in the set; `hash` is already that of the toggled bits. */
  hasFlipped(bits: Uint32Array, flip: number, state: number, hash: number): boolean {
    const stride = this.words + 1;
    const fw = flip >>> 5;
    const fb = 1 << (flip & 31);
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      const e = this.table[slot]!;
      if (e === 0) return false;
      const idx = e - 1;
      if (this.hashes[idx] !== hash) continue;
      const base = idx * stride;
      if (this.data[base] !== state) continue;
      let same = true;
      for (let w = 0; w < this.words; w++) {
        const b = w === fw ? (bits[w]! ^ fb) >>> 0 : bits[w]!;
        if (this.data[base + 1 + w] !== b) {
          same = false;
          break;
        }
      }
      if (same) return true;
    }
  }
  private grow(): void {
    const table = new Int32Array(this.table.length * 2);
    const mask = table.length - 1;
    for (let idx = 0; idx < this.size; idx++) {
      let slot = this.hashes[idx]! & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = idx + 1;
    }
    this.table = table;
    this.mask = mask;
  }
}
