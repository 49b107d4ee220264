// ProgressInv: a leader's bookkeeping of each follower (core/state.ts's Progress) keeps the rules its
// comments promise, step after step of the leader's term.
import type { NodeId, NodeState, Progress } from '../../core';
import type { Violation } from './catalog';
import { indexOf, type Judge } from './judge';

interface ProgressSeen {
  readonly term: number;
  /** The leader's configuration entry when last seen: a member removed (and maybe added again) starts afresh. */
  configIndex: number;
  selfMatch: number;
  /** By node index (arrays, not Maps: checked after every leader step). */
  readonly match: number[];
  readonly readAck: number[];
  readonly snapshotWait: number[];
}

export class ProgressRules {
  /** What each leader's progress said after its previous step in its term (null: not leading). */
  private readonly seen: (ProgressSeen | null)[];

  constructor(private readonly judge: Judge) {
    this.seen = judge.nodes.map(() => null);
  }

  /** Node i does not lead (or crashed): its next term as leader starts afresh. */
  forget(i: number): void {
    this.seen[i] = null;
  }

  /**
   * Node i is a leader: its bookkeeping of each follower (core/state.ts's Progress) holds the rules
   * its comments promise. A broken record rarely breaks safety at once (match is only counted, next
   * only chosen), so without this check a leader that lets its pipeline overflow, forgets what is in
   * flight, or moves a follower's match back passes every run while replicating badly.
   */
  check(i: number, tick: boolean): Violation | null {
    if (!this.judge.enabled.has('ProgressInv')) return null;
    const node = this.judge.nodes[i]!;
    const s = node.state;
    let seen = this.seen[i] ?? null;
    if (seen === null || seen.term !== s.term) {
      seen = {
        term: s.term,
        configIndex: s.configIndex,
        selfMatch: 0,
        match: this.judge.nodes.map(() => 0),
        readAck: this.judge.nodes.map(() => 0),
        snapshotWait: this.judge.nodes.map(() => 0),
      };
      this.seen[i] = seen;
    }
    if (seen.configIndex !== s.configIndex) {
      seen.configIndex = s.configIndex;
      for (let k = 0; k < this.judge.nodes.length; k++) {
        if (s.progress.has(this.judge.nodes[k]!.id)) continue;
        seen.match[k] = 0;
        seen.readAck[k] = 0;
        seen.snapshotWait[k] = 0;
      }
    }
    const last = s.logStart.index + s.log.length;
    const problem = this.selfProgressProblem(s, seen, last, node.disk.syncedLength) ?? this.followerProgressProblem(s, seen, last, tick);
    return problem === null ? null : this.judge.fail('ProgressInv', [i], `leader ${this.judge.name(i)} of term ${s.term}: ${problem}`);
  }

  private selfProgressProblem(s: NodeState, seen: ProgressSeen, last: number, synced: number): string | null {
    if (s.selfMatch > last) return `its own match ${s.selfMatch} is past its last index ${last}`;
    if (s.selfMatch > synced) return `its own match ${s.selfMatch} is past what its disk holds synced (${synced})`;
    if (s.selfMatch < seen.selfMatch) return `its own match went back from ${seen.selfMatch} to ${s.selfMatch}`;
    seen.selfMatch = s.selfMatch;
    return null;
  }

  private followerProgressProblem(s: NodeState, seen: ProgressSeen, last: number, tick: boolean): string | null {
    // (Map.forEach, not for-of: destructuring each entry allocates, after every leader step.)
    let problem: string | null = null;
    s.progress.forEach((pr, id) => {
      if (problem === null) problem = this.followerProblem(s, seen, last, id, pr, tick);
    });
    return problem;
  }

  private followerProblem(s: NodeState, seen: ProgressSeen, last: number, id: NodeId, pr: Progress, tick: boolean): string | null {
    const max = s.config.inflightAppendsMax;
    const wait = s.config.electionTicksMin;
    if (!(pr.match < pr.next && pr.next <= last + 1))
      return `${id} has match ${pr.match} and next ${pr.next}; match < next ≤ last index + 1 (${last + 1}) must hold`;
    const k = indexOf(id);
    const m0 = seen.match[k]!;
    if (pr.match < m0) return `${id}'s match went back from ${m0} to ${pr.match}`;
    seen.match[k] = pr.match;
    const r0 = seen.readAck[k]!;
    if (!(pr.readAck >= r0 && pr.readAck <= s.readSeq))
      return `${id}'s read acknowledgement went from ${r0} to ${pr.readAck} (read rounds started: ${s.readSeq})`;
    seen.readAck[k] = pr.readAck;
    const fl = pr.inflight;
    if (pr.mode === 'probe' ? fl.length > 0 : pr.probeSent)
      return `${id} is in ${pr.mode} mode with ${pr.mode === 'probe' ? `appends in flight (${fl.join(', ')})` : 'a probe outstanding'}`;
    if (fl.length > max) return `${id} has ${fl.length} appends in flight (${fl.join(', ')}), more than inflightAppendsMax ${max}`;
    let prev = pr.match;
    for (let j = 0; j < fl.length; j++) {
      const x = fl[j]!;
      if (!(x > prev && x < pr.next))
        return `${id} has appends in flight ending at ${fl.join(', ')}: each must be past match ${pr.match} and the one before, and before next ${pr.next}`;
      prev = x;
    }
    if (!(pr.snapshotWait >= 0 && pr.snapshotWait <= wait))
      return `${id} has a snapshot wait of ${pr.snapshotWait} ticks; it is at most one election timeout (${wait})`;
    if (pr.snapshotWait > 0 && !(pr.mode === 'probe' && pr.probeSent))
      return `${id} waits for a snapshot in ${pr.mode} mode${pr.probeSent ? '' : ' with no probe outstanding'}`;
    // The wait counts the leader's ticks down (a tick sends no snapshot and takes no answer): one that
    // never runs out leaves a follower whose snapshot was lost unrepaired for good.
    const w0 = seen.snapshotWait[k]!;
    if (tick && pr.snapshotWait !== Math.max(0, w0 - 1))
      return `${id}'s snapshot wait went from ${w0} to ${pr.snapshotWait} ticks over a tick; it counts down by one`;
    seen.snapshotWait[k] = pr.snapshotWait;
    return null;
  }
}
