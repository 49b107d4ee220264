// The configuration in force on a node (thesis chapter 4): the last configuration entry in its log,
// else its snapshot's, else its bootstrap one; and what a node computes from it. The changes
// themselves (one server at a time, the learner's promotion, the removed leader's step-down) are in
// membership.ts.
import { bootstrapMembers, type RaftConfig } from './config';
import type { NodeState, Progress, StepContext } from './state';
import { logIndex, type Entry, type LogIndex, type LogStart, type Membership, type NodeId, type Snapshot } from './types';

/** What the nodes compute from a configuration, once per configuration and node. */
export interface MembersView {
  /** The other members, voters first then learners, in configuration order. */
  readonly others: readonly NodeId[];
  /** The other voters, in configuration order. */
  readonly otherVoters: readonly NodeId[];
  /** This node is a voter. */
  readonly voter: boolean;
  /** Votes (or acknowledgements) that make a majority of the voters. */
  readonly quorum: number;
  readonly voterSet: ReadonlySet<NodeId>;
  readonly memberSet: ReadonlySet<NodeId>;
}

const views = new WeakMap<Membership, Map<NodeId, MembersView>>();

/** The view of `members` from node `self` (cached: configurations are immutable and shared). */
export function viewOf(members: Membership, self: NodeId): MembersView {
  let bySelf = views.get(members);
  if (bySelf === undefined) {
    bySelf = new Map();
    views.set(members, bySelf);
  }
  let v = bySelf.get(self);
  if (v === undefined) {
    const voterSet = new Set(members.voters);
    v = {
      others: [...members.voters, ...members.learners].filter((p) => p !== self),
      otherVoters: members.voters.filter((p) => p !== self),
      voter: voterSet.has(self),
      quorum: Math.floor(members.voters.length / 2) + 1,
      voterSet,
      memberSet: new Set([...members.voters, ...members.learners]),
    };
    bySelf.set(self, v);
  }
  return v;
}

/** The node's view of the configuration in force. */
export function membersOf(n: NodeState): MembersView {
  return viewOf(n.members, n.config.id);
}

/** Two configurations with the same voters and learners, in the same order. */
export function sameMembers(a: Membership, b: Membership): boolean {
  const same = (x: readonly NodeId[], y: readonly NodeId[]): boolean => x.length === y.length && x.every((id, i) => id === y[i]);
  return a === b || (same(a.voters, b.voters) && same(a.learners, b.learners));
}

/**
 * The configuration in force at `index` of the node's log: the last configuration entry at or
 * before it, else its snapshot's, else its bootstrap one. `from` is the entry's index (the
 * snapshot's index for a snapshot's configuration; 0 for the bootstrap one).
 */
export function configAt(
  n: { readonly log: readonly Entry[]; readonly logStart: LogStart; readonly snapshot: Snapshot | null; readonly config: RaftConfig },
  index: LogIndex,
): { readonly members: Membership; readonly from: LogIndex } {
  const off = n.logStart.index;
  for (let i = Math.min(index, off + n.log.length); i > off; i--) {
    const d = n.log[i - off - 1]!.data;
    if (d.type === 'config') return { members: d, from: logIndex(i) };
  }
  const s = n.snapshot;
  if (s?.config !== undefined) return { members: s.config, from: s.index };
  return { members: bootstrapMembers(n.config), from: logIndex(0) };
}

/**
 * Whether this node may campaign: a voter of its configuration — or a voter of the one before it
 * while the configuration that removes it is not committed here. A leader that removed itself and
 * stepped down (or crashed) before the removal committed may hold the only copy of entries the
 * others need to elect anyone; it campaigns, and leads the new configuration until that commits
 * (thesis §4.2.2). A learner never campaigns.
 */
export function mayCampaign(n: NodeState): boolean {
  if (membersOf(n).voter) return true;
  if (n.configIndex <= n.commit || n.configIndex === 0) return false;
  return configAt(n, logIndex(n.configIndex - 1)).members.voters.includes(n.config.id);
}

/** Puts a configuration in force; a leader starts or stops tracking the members that came or went. */
export function setMembers(n: NodeState, members: Membership, from: LogIndex): void {
  n.members = members;
  n.configIndex = from;
  if (n.role !== 'leader') return;
  const v = membersOf(n);
  for (const id of [...n.progress.keys()]) if (!v.memberSet.has(id)) n.progress.delete(id);
  for (const id of v.others) if (!n.progress.has(id)) n.progress.set(id, newProgress(logIndex(n.logStart.index + n.log.length + 1)));
  if (n.transferee !== null && !v.voterSet.has(n.transferee)) {
    n.transferee = null;
    n.transferElapsed = 0;
  }
}

/** A leader's record of a follower it knows nothing of yet: probe from the end of its own log. */
export function newProgress(next: LogIndex): Progress {
  return { match: logIndex(0), next, mode: 'probe', probeSent: false, inflight: [], recentActive: false, prevActive: false, readAck: 0, snapshotWait: 0 };
}

/**
 * After the log changed from index `from` on (entries appended, a conflicting suffix replaced):
 * puts in force the last configuration the log now holds. `from` null: the log may have changed
 * anywhere (a snapshot installed, a restart): look at all of it. `ctx` null: say nothing (a restart).
 */
export function refreshMembers(ctx: StepContext | null, n: NodeState, from: LogIndex | null): void {
  const off = n.logStart.index;
  const end = off + n.log.length;
  if (from !== null) {
    for (let i = end; i >= from && i > off; i--) {
      const d = n.log[i - off - 1]!.data;
      if (d.type !== 'config') continue;
      if (i !== n.configIndex || d !== n.members) {
        setMembers(n, d, logIndex(i));
        ctx?.note('config.append');
      }
      return;
    }
    // No configuration entry from `from` on: the one in force came before it, and still holds.
    if (n.configIndex < from) return;
  }
  const c = configAt(n, logIndex(end));
  if (c.from === n.configIndex && sameMembers(c.members, n.members)) return;
  const reverted = c.from < n.configIndex;
  setMembers(n, c.members, c.from);
  ctx?.note(reverted && from !== null ? 'config.revert' : 'config.append');
}
