// The event queue: a binary min-heap ordered by (time, insertion sequence), so events at the same
// virtual time run in the order they were scheduled — deterministic, unlike a sort of a flat list.

export interface Timed {
  /** Virtual time in microseconds. Invariant: a non-negative integer. */
  time: number;
  /** Set by the heap on push: the tie-breaker between events at the same time. */
  seq: number;
}

export class EventHeap<T extends Timed> {
  private items: T[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    item.seq = this.nextSeq++;
    const a = this.items;
    let i = a.length;
    a.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = a[parent]!;
      if (p.time < item.time || (p.time === item.time && p.seq < item.seq)) break;
      a[i] = p;
      i = parent;
    }
    a[i] = item;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (top === undefined || last === undefined || a.length === 0) return top;
    const n = a.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      let ci = a[l]!;
      if (r < n) {
        const ri = a[r]!;
        if (ri.time < ci.time || (ri.time === ci.time && ri.seq < ci.seq)) {
          c = r;
          ci = ri;
        }
      }
      if (last.time < ci.time || (last.time === ci.time && last.seq < ci.seq)) break;
      a[i] = ci;
      i = c;
    }
    a[i] = last;
    return top;
  }

  /** Every queued item, in no particular order (inspection and checkpoints). */
  items_(): readonly T[] {
    return this.items;
  }

  clear(): void {
    this.items = [];
  }

  get sequence(): number {
    return this.nextSeq;
  }
}
