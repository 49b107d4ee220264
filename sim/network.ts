// The simulated network between nodes: latency (which also reorders), loss, duplication,
// partitions (symmetric, one-way, isolation) and clogged links. Links are directed: cut[a][b]
// means a's messages to b are lost; a message is lost if its link is cut when it is sent or when it
// would arrive.
import type { Latency } from './scenario';
import type { Rng } from './rng';

export interface NetworkRates {
  readonly drop: number;
  readonly duplicate: number;
}

export class Network {
  /** cut[from * n + to] = 1 when messages from → to are lost. */
  readonly cut: Uint8Array;
  /** Messages on the link from → to are held until this time (0: not clogged). */
  readonly clogUntil: Float64Array;
  /** PCT-style scheduling: extra delay of every message a node sends (0 for the top priority). */
  readonly priorityDelayUs: Float64Array;
  private cutCount = 0;

  constructor(
    readonly n: number,
    private readonly latency: Latency,
    private rates: NetworkRates,
    private readonly rng: Rng,
  ) {
    this.cut = new Uint8Array(n * n);
    this.clogUntil = new Float64Array(n * n);
    this.priorityDelayUs = new Float64Array(n);
  }

  setRates(rates: NetworkRates): void {
    this.rates = rates;
  }

  isCut(from: number, to: number): boolean {
    return this.cutCount > 0 && this.cut[from * this.n + to] === 1;
  }

  /**
   * Delivery times for one message sent at `now`, written into out[0..k); returns k (0: lost, 2:
   * duplicated). `out` holds at least two; nothing is allocated (a message or more per step).
   * Self-messages (a leader's self-acknowledgement) never touch the network.
   */
  deliveries(from: number, to: number, now: number, out: Float64Array): number {
    if (from === to) {
      out[0] = now;
      return 1;
    }
    if (this.isCut(from, to) || this.rng.chance(this.rates.drop)) return 0;
    const hold = this.clogUntil[from * this.n + to]!;
    const base = now + this.priorityDelayUs[from]!;
    out[0] = Math.max(base + this.sampleLatency(), hold);
    if (!this.rng.chance(this.rates.duplicate)) return 1;
    out[1] = Math.max(base + this.sampleLatency(), hold);
    return 2;
  }

  private sampleLatency(): number {
    const l = this.latency;
    if (l.kind === 'uniform') return this.rng.intIn(l.minUs, l.maxUs);
    return Math.min(this.rng.expInt(l.meanUs), l.capUs);
  }

  /** Cuts every link between different groups, both ways; nodes in no group keep their links. */
  partition(groups: readonly (readonly number[])[]): void {
    this.heal();
    for (let g = 0; g < groups.length; g++) {
      for (let h = 0; h < groups.length; h++) {
        if (g === h) continue;
        for (const a of groups[g]!) for (const b of groups[h]!) this.setCut(a, b);
      }
    }
  }

  /** One-way: from's messages to `to` are lost; the other direction still works. */
  cutLink(from: number, to: number): void {
    this.setCut(from, to);
  }

  isolate(node: number): void {
    const others = Array.from({ length: this.n }, (_, i) => i).filter((i) => i !== node);
    this.partition([[node], others]);
  }

  clog(a: number, b: number, until: number): void {
    this.clogUntil[a * this.n + b] = Math.max(this.clogUntil[a * this.n + b]!, until);
    this.clogUntil[b * this.n + a] = Math.max(this.clogUntil[b * this.n + a]!, until);
  }

  heal(): void {
    this.cut.fill(0);
    this.cutCount = 0;
  }

  unclog(): void {
    this.clogUntil.fill(0);
  }

  /** The cut links as "n1→n2" strings (for the debugger and reports). */
  cutLinks(): string[] {
    const links: string[] = [];
    for (let a = 0; a < this.n; a++) for (let b = 0; b < this.n; b++) if (this.cut[a * this.n + b] === 1) links.push(`n${a + 1}→n${b + 1}`);
    return links;
  }

  private setCut(a: number, b: number): void {
    if (a === b || this.cut[a * this.n + b] === 1) return;
    this.cut[a * this.n + b] = 1;
    this.cutCount++;
  }
}
