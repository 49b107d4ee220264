// What every rule needs to judge a step: the nodes, which invariants are on, and the
// step and time a violation is reported at. Each family of rules (checker.ts, timers.ts,
// progress.ts, exchanges.ts, state-machine.ts) holds its own memory and reports through one Judge.
import type { NodeId } from '../../core';
import type { CheckedNode, InvariantName, Violation } from './catalog';

/** "n3" → 2 (node names are n1…n9, as the simulator makes them). */
export function indexOf(id: NodeId): number {
  return id.charCodeAt(1) - 49;
}

export class Judge {
  step = 0;
  time = 0;

  constructor(
    readonly nodes: readonly CheckedNode[],
    readonly enabled: ReadonlySet<InvariantName>,
  ) {}

  /** A violation of `invariant` by `nodes` (indexes) at the current step, or null when it is off. */
  fail(invariant: InvariantName, nodes: number[], message: string): Violation | null {
    if (!this.enabled.has(invariant)) return null;
    return { invariant, step: this.step, time: this.time, nodes: nodes.map((i) => this.nodes[i]!.id), message };
  }

  name(i: number): string {
    return this.nodes[i]!.id;
  }

  /** Takes part: not a node that refused to start from a corrupt disk. */
  live(i: number): boolean {
    return this.nodes[i]!.status !== 'dead';
  }

  isLeader(i: number): boolean {
    const n = this.nodes[i]!;
    return (n.status === 'up' || n.status === 'paused') && n.state.role === 'leader';
  }

  /** A running node's commit index (0 for one that is down). */
  commitOf(i: number): number {
    const n = this.nodes[i]!;
    return n.status === 'up' || n.status === 'paused' ? n.state.commit : 0;
  }
}
