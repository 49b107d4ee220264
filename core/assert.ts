// Assertions on the node's own invariants. A violated one throws RaftAssertionError naming it:
// a node never silently continues in an impossible state (TigerBeetle: assert both sides).

export const NODE_INVARIANTS = {
  'commit-within-log': 'commit index ≤ last log index',
  'applied-within-commit': 'applied index ≤ commit index',
  'commit-monotonic': 'the commit index never decreases (except on restart)',
  'term-monotonic': 'the current term never decreases',
  'one-vote-per-term': 'at most one vote is cast in a term',
  'no-truncate-committed': 'a committed entry is never deleted',
  'leader-append-only': 'a leader never overwrites or deletes entries in its own log (Raft §5.3)',
  'log-contiguous': "each entry's index equals its position in the log",
  'log-terms-valid': 'entry terms never decrease along the log and never exceed the current term',
  'one-leader-per-term': 'a leader never hears from another leader of its own term (Raft §5.2)',
  'message-addressed-here': 'a delivered message is addressed to this node',
  'proposal-matches-entry': "the entry applied at a proposal's index is the proposed request",
  'leader-knows-itself': 'a leader records itself as leader, holds progress for every peer, and counts no more of its own log as synced than it has',
  'progress-for-every-peer': 'a leader looks up progress only for its peers, and holds it for each',
  'self-ack-within-log': "a leader's acknowledgement of its own synced entries is within its log",
  'ack-within-log': "an index a follower acknowledged to the leader is within the leader's log",
  'next-within-log': "a peer's next index is at most the leader's last index + 1",
  'snapshot-covers-log-start': 'a node whose log starts after index 0 holds the snapshot that replaced the entries before it',
  'inflight-within-limit': 'at most inflightAppendsMax appends are in flight to a follower, and none while probing',
  'transferee-is-a-follower': 'only a leader hands leadership over, and only to one of its peers (thesis §3.10)',
} as const;

export type NodeInvariant = keyof typeof NODE_INVARIANTS;

export class RaftAssertionError extends Error {
  override readonly name = 'RaftAssertionError';
  constructor(
    readonly invariant: NodeInvariant,
    readonly node: string,
    readonly detail: string,
  ) {
    super(`${node}: invariant ${invariant} violated (${NODE_INVARIANTS[invariant]}): ${detail}`);
  }
}

/**
 * Throws the typed error for a violated invariant. Call sites test the condition themselves
 * (`if (!(cond)) raise(...)`), so the happy path builds no message and allocates nothing.
 */
export function raise(invariant: NodeInvariant, node: string, detail: string): never {
  throw new RaftAssertionError(invariant, node, detail);
}

export function assertNever(x: never, what: string): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(x)}`);
}
