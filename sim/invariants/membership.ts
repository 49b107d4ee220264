// The rules of membership changes (thesis chapter 4): one uncommitted change at a time in a leader's
// log (OneConfigChangeInv); each change one server (ConfigChangeInv); a leader is a voter, and a
// removed one steps down once its removal commits (LeaderIsVoterInv); a snapshot holds the
// configuration of the committed log at its index (part of SnapshotInv). The configurations of the
// committed log G are kept here, so the quorum rules (checker.ts) judge by the latest committed one.
import { describeMembers, mayCampaign, sameMembers, viewOf, type Entry, type Membership, type NodeId, type Snapshot } from '../../core';
import type { StepBefore, Violation } from './catalog';
import type { Judge } from './judge';

/** The servers whose place (voter, learner, out) differs between two configurations. */
function changed(a: Membership, b: Membership): NodeId[] {
  const place = (m: Membership, id: NodeId): string => (m.voters.includes(id) ? 'voter' : m.learners.includes(id) ? 'learner' : 'out');
  const all = new Set([...a.voters, ...a.learners, ...b.voters, ...b.learners]);
  return [...all].filter((id) => place(a, id) !== place(b, id));
}

/** A single-server change: one learner added, one learner promoted, or one member removed. */
function oneServer(a: Membership, b: Membership): boolean {
  const c = changed(a, b);
  if (c.length !== 1) return false;
  const id = c[0]!;
  const added = !a.voters.includes(id) && !a.learners.includes(id);
  // (Straight in as a voter skips the catch-up of thesis §4.2.1.)
  return !(added && b.voters.includes(id));
}

export class MembershipRules {
  /** The configuration entries of G, in log order. */
  private readonly configs: { readonly index: number; readonly members: Membership }[] = [];

  constructor(
    private readonly judge: Judge,
    /** The cluster's configuration before any change (what a snapshot without one stands for). */
    private readonly bootstrap: Membership,
  ) {}

  /** G took in entry e. */
  committedEntry(e: Entry): void {
    if (e.data.type === 'config') this.configs.push({ index: e.index, members: e.data });
  }

  /** The latest committed configuration. */
  get committed(): Membership {
    return this.configs.length === 0 ? this.bootstrap : this.configs[this.configs.length - 1]!.members;
  }

  /** The configuration of G at index k. */
  private configAt(k: number): Membership {
    for (let c = this.configs.length - 1; c >= 0; c--) if (this.configs[c]!.index <= k) return this.configs[c]!.members;
    return this.bootstrap;
  }

  /** After a step of node i, a leader now: see the rules above. `logFrom`: where the step wrote its log. */
  afterLeaderStep(i: number, before: StepBefore, becameLeader: boolean, logFrom: number | null): Violation | null {
    const n = this.judge.nodes[i]!;
    const s = n.state;
    // (No configuration entry in its log: the bootstrap configuration, which holds it as a voter.)
    if (s.configIndex === 0 && s.config.peers.length > 0) return null;
    const v = viewOf(s.members, n.id);
    if (!v.voter) {
      // (Elected as a voter of the configuration before, while the one that removes it is not
      // committed: it holds entries the others need, and leads until that commits — thesis §4.2.2.)
      if (becameLeader && !mayCampaign(s))
        return this.judge.fail(
          'LeaderIsVoterInv',
          [i],
          `${n.id} was elected leader of term ${s.term}, but it is not a voter of its configuration (${describeMembers(s.members)})`,
        );
      if (s.configIndex <= s.commit)
        return this.judge.fail(
          'LeaderIsVoterInv',
          [i],
          `${n.id} still leads term ${s.term}, but the configuration without it as a voter (${describeMembers(s.members)}, entry ${s.configIndex}) is committed (commit ${s.commit})`,
        );
    }
    if (logFrom === null || s.configIndex < logFrom) return null;
    // The step appended configuration entries: each one server from the one before it, and at most one uncommitted.
    let prev = before.members;
    let uncommitted = 0;
    const off = s.logStart.index;
    for (let k = Math.max(logFrom, off + 1); k <= off + s.log.length; k++) {
      const d = s.log[k - off - 1]!.data;
      if (d.type !== 'config') continue;
      if (!oneServer(prev, d))
        return this.judge.fail(
          'ConfigChangeInv',
          [i],
          `${n.id} appended configuration ${describeMembers(d)} at ${k} after ${describeMembers(prev)}: ${changed(prev, d).join(', ') || 'nothing'} changed place`,
        );
      prev = d;
    }
    for (let k = Math.max(s.commit + 1, off + 1); k <= off + s.log.length; k++) if (s.log[k - off - 1]!.data.type === 'config') uncommitted++;
    if (uncommitted > 1)
      return this.judge.fail('OneConfigChangeInv', [i], `${n.id}'s log holds ${uncommitted} configuration entries after its commit index ${s.commit}`);
    return null;
  }

  /** A snapshot taken or installed by node i holds the committed log's configuration at its index. */
  checkSnapshot(i: number, snap: Snapshot): Violation | null {
    const want = this.configAt(snap.index);
    const got = snap.config ?? this.bootstrap;
    if (sameMembers(want, got)) return null;
    return this.judge.fail(
      'SnapshotInv',
      [i],
      `${this.judge.name(i)}'s snapshot at ${snap.index} holds the configuration ${snap.config === undefined ? 'of no change (none recorded)' : describeMembers(got)}, but the committed log's there is ${describeMembers(want)}`,
    );
  }
}
