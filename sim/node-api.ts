// Bring your own Raft: the interface a node written by a user implements so that LifeRaft's
// simulator runs it — seeded faults, invariants after every step, linearizability of the clients'
// history — as it runs its own core. Self-contained (no imports): the package's `types`, so a
// TypeScript node writes `import type { RaftNode } from 'liferaft'` and a JavaScript one
// `/** @type {import('liferaft').RaftNode} */`. The worked example is examples/your-node/.
//
// A node is a deterministic state machine. The simulator owns time, the network, the disk and the
// randomness; the node only reacts to inputs, and says what to send, write and answer:
//
//   init(id, peers, config, rng) → state            once per incarnation (boot, and each restart)
//   step(state, input) → { state, outputs }         a tick, a message, a client request, a restart
//   view(state) → { role, term, vote, log, … }      what the invariants, the panels and ITF see
//   classify(message) → 'vote' | 'append' | …       what targeted faults and the timeline see
//
// What a node must not do (determinism-ok: this says what a node must avoid): read a clock (Date, performance), draw randomness other than `rng`
// (Math.random, crypto), keep state outside `state` (module-level variables, closures over mutable
// data), or do I/O. The same seed must give the same run: `liferaft explore --check-determinism`
// runs each seed twice and names the first step, node and state field where they differ. The state may be mutated in
// place and returned; it must be plain data (objects, arrays, Maps, Sets, class instances —
// no functions), so the simulator can copy it for time travel.

/** A node's name: n1, n2, … */
export type NodeId = string;

export type Role = 'follower' | 'pre-candidate' | 'candidate' | 'leader';

/** The kinds of message targeted faults and the timeline know. */
export type MessageKind = 'vote' | 'append' | 'heartbeat' | 'snapshot' | 'other';

/** Timing, in ticks (the simulator ticks each node's clock; clocks may drift). */
export interface NodeConfig {
  /** An election timeout is drawn in [electionTicksMin, electionTicksMax). */
  readonly electionTicksMin: number;
  readonly electionTicksMax: number;
  /** A leader sends heartbeats every heartbeatTicks ticks (less than electionTicksMin). */
  readonly heartbeatTicks: number;
}

/** The node's seeded random stream: the only randomness it may use. Keep it in the state. */
export interface NodeRng {
  /** A uniform integer in [0, n). */
  int(n: number): number;
  /** A uniform integer in [min, max] (inclusive). */
  intIn(min: number, max: number): number;
}

// ---------------------------------------------------------------------------------------------
// The key/value workload: what clients send and must be answered.

export type KvOp =
  | { readonly type: 'get'; readonly key: string }
  | { readonly type: 'put'; readonly key: string; readonly value: string }
  | { readonly type: 'delete'; readonly key: string }
  /** Compare-and-set: succeeds only when the current value equals `expected` (null: the key is absent). */
  | { readonly type: 'cas'; readonly key: string; readonly expected: string | null; readonly value: string }
  | { readonly type: 'append'; readonly key: string; readonly value: string };

/**
 * A client's request. (client, seq) names it across retries: a client retries a request it got no
 * answer for with the same seq, possibly at another node, so a write must be applied at most once
 * (keep the last seq and result per client, and answer a duplicate with the first result).
 */
export interface ClientRequest {
  readonly client: string;
  /** A client's seqs grow; a retry reuses its seq. */
  readonly seq: number;
  readonly op: KvOp;
}

/**
 * get: ok, value = the current value (null: absent) · put and append: ok, value = the new value ·
 * delete: ok = whether the key existed, value = null · cas: ok = whether it matched, value = the
 * value after (the current one when it did not match). A put, append or cas that would make a value
 * longer than 1 MiB (1,048,576 characters) changes nothing: ok false, value = the current one.
 */
export interface KvResult {
  readonly ok: boolean;
  readonly value: string | null;
}

export type ClientOutcome =
  /** Applied (writes) or read linearizably (gets): the result. */
  | { readonly status: 'ok'; readonly result: KvResult }
  /** Not applied, and never will be: this node does not lead; `leaderHint` says who does (null: unknown). */
  | { readonly status: 'not-leader'; readonly leaderHint: NodeId | null }
  /** Leadership was lost before the answer: the write may or may not be applied (the client retries). */
  | { readonly status: 'leadership-lost' }
  /** Not applied: too many requests are pending. */
  | { readonly status: 'overloaded' };

/** The answer to a request, sent by the node the client asked (it may relay it from the leader). */
export interface ClientReply {
  readonly client: string;
  readonly seq: number;
  readonly outcome: ClientOutcome;
}

// ---------------------------------------------------------------------------------------------
// Steps

export type NodeInput<M> =
  /** The node's clock advanced one tick. */
  | { readonly type: 'tick' }
  /** A message from a peer (the network may lose, delay, duplicate and reorder them). */
  | { readonly type: 'message'; readonly from: NodeId; readonly message: M }
  /** A client's request, delivered to this node. */
  | { readonly type: 'request'; readonly request: ClientRequest }
  /**
   * The first input after a crash (the state is a fresh `init`): the records this node persisted
   * that reached its disk, in the order written. Records of writes that were not synced when the
   * node crashed may be lost (any suffix of whole writes). The node must come back a follower;
   * the messages and replies of this step are dropped.
   */
  | { readonly type: 'restart'; readonly durable: readonly unknown[] };

export interface NodeOutputs<M> {
  /** To peers. They leave once every record persisted so far is durable (as etcd raft's Ready). */
  readonly messages?: readonly { readonly to: NodeId; readonly message: M }[];
  /**
   * Records to append to the node's disk (any JSON values): the only thing a crash keeps, handed
   * back by the `restart` input. Messages and replies of this step wait until they are synced.
   */
  readonly persist?: readonly unknown[];
  /** Answers to clients, for requests this node received (or relays). */
  readonly replies?: readonly ClientReply[];
  /**
   * The rules this step took, by their names in the node's `rules` (coverage: exploring for a time
   * prefers seeds that take rules rarely taken, and `explore` names the rules never taken).
   */
  readonly rules?: readonly string[];
}

export interface StepResult<S, M> {
  readonly state: S;
  readonly outputs: NodeOutputs<M>;
}

/** One log entry as the invariants see it: its term, and the client request it carries (none: a no-op). */
export interface ViewEntry {
  readonly term: number;
  readonly request?: ClientRequest | null;
}

/** What the simulator reads of a node after each step (Raft Figure 2's state). */
export interface NodeView {
  readonly role: Role;
  readonly term: number;
  /** Who this node voted for in `term` (null: nobody). */
  readonly vote: NodeId | null;
  /**
   * The leader of `term` as far as this node knows (null: none). The liveness phase waits for every
   * follower to name the leader, as etcd raft's `lead` does.
   */
  readonly leader: NodeId | null;
  /** The whole log, index 1 first. */
  readonly log: readonly ViewEntry[];
  /** The highest index known committed. */
  readonly commit: number;
  /** The highest index applied to the state machine (≤ commit). */
  readonly applied: number;
}

/** A Raft node: the module's default export (or `module.exports`), or its export named `node`. */
export interface RaftNode<S = unknown, M = unknown> {
  /** Shown in reports and traces (default: the file's name). */
  readonly name?: string;
  init(id: NodeId, peers: readonly NodeId[], config: NodeConfig, rng: NodeRng): S;
  step(state: S, input: NodeInput<M>): StepResult<S, M>;
  view(state: S): NodeView;
  classify(message: M): MessageKind;
  /** A message in words for the timeline and traces (default: its JSON). */
  describe?(message: M): string;
  /** The names of the node's rules, which its steps report in `outputs.rules` (coverage). */
  readonly rules?: readonly string[];
}
