// One Raft node hosted for real: the same core as the simulator, driven by a real clock, with its
// state in a write-ahead log and its messages on a transport.
//
// The core's contract is kept with GROUP COMMIT: each step's Persist is appended to the WAL at once
// (a write, no fsync), and its messages and client replies are held. At the end of the event-loop
// turn one fsync (on the thread pool, so the node keeps accepting work meanwhile) makes every
// record appended so far durable, and only then are the outputs held before it released — so
// nothing leaves before every persist up to its step is durable, and one fsync serves every request
// of the turn (and of every turn that arrived while the previous fsync ran). Answers wait less:
// a reply resting only on what is already durable goes out at once (answersReady), and a follower
// relays requests to the leader and the leader's answers back without waiting for its own fsync.
// Messages a node sends itself (a leader's self-acknowledgement) are delivered on a later turn.
import {
  durableOf,
  lastIndex,
  makeConfig,
  mayLeaveBeforePersist,
  newNode,
  nodeId,
  step,
  type ClientReply,
  type ClientRequest,
  type Input,
  type Membership,
  type Message,
  REASONS,
  type ReasonCode,
  type NodeId,
  type NodeState,
  type Role,
  type StepOutputs,
  type Term,
} from '../core';
import type { NodeStatus } from './http-api';
import type { Submitter } from './requester';
import { Wal, type Recovery } from './wal';

export interface Transport {
  send(to: NodeId, m: Message): void;
}

export interface HostOptions {
  readonly id: string;
  readonly peers: readonly string[];
  readonly dataDir: string;
  readonly transport: Transport;
  /** Real milliseconds per core tick (election timeouts are counted in ticks). */
  readonly tickMs?: number;
  readonly seed?: number;
  /**
   * A leader's AppendEntries, heartbeats and snapshots leave before its own fsync (the Persist
   * contract's allowance, thesis §10.2.1): the leader's fsync and its followers' then overlap.
   * Default true.
   */
  readonly earlyAppends?: boolean;
  /** Log compaction every this many applied entries (core snapshotEntries); 0: never. Default 10,000. */
  readonly snapshotEntries?: number;
  /**
   * The WAL is rewritten (snapshot file + the log after it) when it passes this size, or 4× its size
   * after the last rewrite, whichever is larger — and always when a snapshot is installed from the
   * leader. Until then a compaction costs nothing on disk: the WAL still holds every entry since
   * the snapshot file's. Default 16 MiB.
   */
  readonly walRewriteBytes?: number;
  /** A failed fsync: the node cannot know what is durable and must stop (the default exits the process). */
  readonly onFatal?: (e: Error) => void;
}

/** What a hosted node tells the parts wired to it (listen()). */
export interface HostListener {
  /** Answers to client requests this node received. */
  readonly reply?: (r: ClientReply) => void;
  /** Role, term or leader changes. */
  readonly role?: (role: Role, term: Term, leader: NodeId | null) => void;
  /** A snapshot was taken (compaction) or installed from the leader. */
  readonly snapshot?: (how: 'taken' | 'installed', index: number, logStart: number) => void;
  /** This node, leading, started handing leadership to `to`, or gave a transfer up. */
  readonly transfer?: (what: 'started' | 'given-up', to: NodeId | null) => void;
  /** The configuration in force changed (an entry appended, reverted, installed with a snapshot, or recovered). */
  readonly config?: (members: Membership, index: number) => void;
}

export interface HostStats {
  steps: number;
  /** WAL records appended (steps that persisted something). */
  records: number;
  /** Snapshots taken or installed. */
  snapshots: number;
  /** Rewrites of the WAL and the snapshot file. */
  rewrites: number;
  fsyncs: number;
  /** Steps whose held outputs were released: after an fsync, or at once (see `early`). */
  released: number;
  /** Steps whose answers went out at once: what they rest on was already durable. */
  early: number;
}

export class NodeHost implements Submitter {
  readonly id: NodeId;
  readonly state: NodeState;
  readonly recovery: Recovery;
  readonly stats: HostStats = { steps: 0, records: 0, snapshots: 0, rewrites: 0, fsyncs: 0, released: 0, early: 0 };
  private rewriteAt: number;
  private readonly wal: Wal;
  private timer: ReturnType<typeof setInterval> | null = null;
  private stopped = false;
  /** Outputs of steps whose persists are not yet known durable, in step order. */
  private held: StepOutputs[] = [];
  private syncing = false;
  private scheduled = false;
  /** What was written since the last fsync started, and what the running fsync covers (see answersReady). */
  private unsynced: Unsynced = CLEAN;
  private covering: Unsynced = CLEAN;
  private listener: HostListener = {};

  constructor(private readonly o: HostOptions) {
    this.id = nodeId(o.id);
    const config = makeConfig({
      id: this.id,
      // (Sorted: every member then holds the bootstrap configuration in the same order.)
      peers: o.peers.map((p) => nodeId(p)).sort(),
      seed: o.seed ?? hashSeed(o.id),
      snapshotEntries: o.snapshotEntries ?? 10_000,
    });
    this.state = newNode(config);
    const { wal, recovery } = Wal.open(o.dataDir);
    this.wal = wal;
    this.rewriteAt = Math.max(o.walRewriteBytes ?? 16 * 1024 * 1024, 4 * wal.bytes);
    this.recovery = recovery;
    if (recovery.records > 0 || recovery.snapshotIndex !== null) {
      const out = step(this.state, { type: 'restart', durable: recovery.durable }).outputs;
      // The snapshot file was newer than the log (a crash between the rewrite's renames): the core
      // replaced the log by the snapshot, and the files must say so before anything is appended.
      if (out.persist?.compact != null) wal.rewrite(durableOf(this.state));
    }
  }

  /** Wires the node's replies and news to their receivers (once, before start()). */
  listen(l: HostListener): void {
    this.listener = l;
  }

  /** The leader this node knows of (itself when it leads: the core asserts a leader records itself). */
  leader(): NodeId | null {
    return this.state.leader;
  }

  /** The node's state for /status (`pendingRequests`: client requests waiting for their answer). */
  status(pendingRequests: number): NodeStatus {
    const s = this.state;
    const c = this.membership();
    return {
      id: this.id,
      role: s.role,
      term: s.term,
      leader: this.leader(),
      commit: s.commit,
      applied: s.applied,
      lastIndex: lastIndex(s),
      logStart: s.logStart.index,
      snapshot: s.snapshot?.index ?? null,
      keys: s.kv.data.size,
      wal: { bytes: this.walBytes, records: this.stats.records, fsyncs: this.stats.fsyncs, snapshots: this.stats.snapshots, rewrites: this.stats.rewrites },
      steps: this.stats.steps,
      pendingRequests,
      config: { voters: [...c.members.voters], learners: [...c.members.learners], index: c.index, committed: c.committed },
    };
  }

  /** `key` in this node's state machine now, and how far it has applied (a serializable read). */
  localRead(key: string): { value: string | null; applied: number } {
    return { value: this.state.kv.data.get(key) ?? null, applied: this.state.applied };
  }

  start(): void {
    this.timer = setInterval(() => this.input({ type: 'tick' }), this.o.tickMs ?? 50);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.held = [];
    this.wal.close();
  }

  get walBytes(): number {
    return this.wal.bytes;
  }

  receive(m: Message): void {
    this.input({ type: 'receive', message: m });
  }

  request(r: ClientRequest): void {
    this.input({ type: 'clientRequest', request: r });
  }

  /** This node's current term. */
  term(): number {
    return this.state.term;
  }

  /** Whether this node leads. */
  leads(): boolean {
    return this.state.role === 'leader';
  }

  /** Whether this node, leading, is handing leadership over. */
  transferring(): boolean {
    return this.state.transferee !== null;
  }

  /** Outside the configuration in force: removed, or started with --join and not added yet. */
  outsider(): boolean {
    const m = this.state.members;
    return !m.voters.includes(this.id) && !m.learners.includes(this.id);
  }

  /** The members of the configuration in force (voters, then learners). */
  members(): readonly NodeId[] {
    return [...this.state.members.voters, ...this.state.members.learners];
  }

  /** The configuration in force, the index of its entry (0: the bootstrap one) and whether this node has committed it. */
  membership(): { readonly members: Membership; readonly index: number; readonly committed: boolean } {
    const s = this.state;
    return { members: s.members, index: s.configIndex, committed: s.configIndex <= s.commit };
  }

  /**
   * Asks this node, which must lead, to hand leadership to `to` (thesis §3.10). Returns why it cannot
   * (null: the transfer started; the core gives it up after an election timeout).
   */
  transferLeadership(to: string): string | null {
    const s = this.state;
    if (!s.members.voters.includes(to as NodeId)) return `${to} is not a voter (voters: ${[...s.members.voters].sort().join(', ')})`;
    if (s.role !== 'leader') return `${this.id} does not lead`;
    if (to === this.id) return `${to} already leads`;
    this.input({ type: 'transferLeadership', to: to as NodeId });
    return null;
  }

  /**
   * Asks this node, which must lead, to change the configuration by one server (thesis §4.1): `add`
   * brings `node` in as a learner (promoted once it has caught up), `remove` takes it out.
   * `addresses` are the members' addresses this node knows (the new one's included), kept in the
   * configuration so every member can reach every other. Returns why the core refused (null: the
   * change is in the leader's log).
   */
  changeMembership(action: 'add' | 'remove', node: string, addresses: Readonly<Record<string, string>>): string | null {
    if (this.state.role !== 'leader') return `${this.id} does not lead`;
    const reasons = this.input({ type: 'changeMembership', action, node: node as NodeId, addresses });
    const refused = reasons.find((r) => r.startsWith('config.reject.'));
    return refused === undefined ? null : REASONS[refused];
  }

  private input(input: Input): readonly ReasonCode[] {
    if (this.stopped) return [];
    const before = { role: this.state.role, term: this.state.term, leader: this.state.leader, members: this.state.members };
    const out = step(this.state, input).outputs;
    this.stats.steps++;
    try {
      const p = out.persist;
      if (p?.compact != null) {
        this.stats.snapshots++;
        const installed = out.reasons.includes('snapshot.install');
        if (installed || this.wal.bytes >= this.rewriteAt) {
          // Rewrite the files from the node's durable state (which every persist so far, this one
          // included, describes) — durable when this returns. An installed snapshot must be: the
          // entries it replaces were never in this node's log.
          this.wal.rewrite(durableOf(this.state));
          this.stats.rewrites++;
          this.rewriteAt = Math.max(this.o.walRewriteBytes ?? 16 * 1024 * 1024, 4 * this.wal.bytes);
        } else if (p.hardState !== null || p.log !== null) {
          // A local compaction: the WAL keeps the entries it drops (so the older snapshot file plus
          // the WAL still give a consistent state); only this step's other writes are appended.
          this.wal.append({ hardState: p.hardState, log: p.log });
          this.stats.records++;
        }
        this.unsynced = { ...this.unsynced, other: true };
        this.listener.snapshot?.(installed ? 'installed' : 'taken', this.state.snapshot?.index ?? 0, this.state.logStart.index);
      } else if (p !== null) {
        this.wal.append(p);
        this.stats.records++;
        const u = this.unsynced;
        this.unsynced = {
          hardState: u.hardState || p.hardState !== null,
          logFrom: p.log === null ? u.logFrom : Math.min(u.logFrom, p.log.from),
          other: u.other,
        };
      }
    } catch (e) {
      // The state in memory is ahead of the disk (ENOSPC, EIO, a record over the limit): nothing of
      // this step may leave, and the node cannot go on as if it were durable. Stop; a restart
      // recovers from what is on disk.
      this.fail(new Error(`${this.wal.file}: writing the log failed (${(e as Error).message}); stopping — restart the node to recover from what is on disk`));
      return out.reasons;
    }
    if (before.members !== this.state.members) this.listener.config?.(this.state.members, this.state.configIndex);
    if (this.listener.transfer !== undefined) {
      if (input.type === 'transferLeadership' && out.reasons.includes('transfer.start')) this.listener.transfer('started', input.to);
      else if (out.reasons.includes('transfer.abort')) this.listener.transfer('given-up', null);
    }
    if (this.listener.role !== undefined && (before.role !== this.state.role || before.term !== this.state.term || before.leader !== this.state.leader)) {
      this.listener.role(this.state.role, this.state.term, this.state.leader);
    }
    if (out.messages.length === 0 && out.replies.length === 0) return out.reasons;
    let held = out;
    if (this.o.earlyAppends !== false && this.state.role === 'leader' && out.messages.some(mayLeaveBeforePersist)) {
      for (const m of out.messages) if (mayLeaveBeforePersist(m)) this.o.transport.send(m.to, m);
      held = { ...out, messages: out.messages.filter((m) => !mayLeaveBeforePersist(m)) };
      if (held.messages.length === 0 && held.replies.length === 0) return out.reasons;
    }
    // A client's request relayed to the leader says nothing of this node's state: it need not wait
    // for this node's fsync (a follower fsyncs the leader's entries all the time under load).
    if (held.messages.some((m) => m.type === 'ClientForward')) {
      for (const m of held.messages) if (m.type === 'ClientForward') this.o.transport.send(m.to, m);
      held = { ...held, messages: held.messages.filter((m) => m.type !== 'ClientForward') };
      if (held.messages.length === 0 && held.replies.length === 0) return out.reasons;
    }
    // Answers to clients about what is applied need only that applied part of the log durable (and
    // no term or vote change pending): they need not wait for an fsync of later entries.
    // A follower passing on the leader's answer (a ClientForwardReply) adds nothing of its own.
    const relayed = input.type === 'receive' && input.message.type === 'ClientForwardReply';
    if (out.persist === null && held.messages.every((m) => m.type === 'ClientForwardReply') && (relayed || this.answersReady())) {
      this.stats.early++;
      this.release([held]);
      return out.reasons;
    }
    this.held.push(held);
    if (!this.scheduled && !this.syncing) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.pump();
      });
    }
    return out.reasons;
  }

  /**
   * Whether everything an answer can rest on is durable: no term or vote written since the last
   * completed fsync, no compaction, and no log write at or below the applied index (an answer is
   * about entries up to it). (A leader counts its own log towards a commit only through its
   * self-acknowledgement, which waits for the fsync, so committed entries are durable here already;
   * the check does not rely on that.)
   */
  private answersReady(): boolean {
    const applied = this.state.applied;
    for (const u of [this.unsynced, this.covering]) if (u.hardState || u.other || u.logFrom <= applied) return false;
    return true;
  }

  /** Starts an fsync for everything appended so far and releases the outputs held up to now after it. */
  private pump(): void {
    if (this.stopped || this.syncing || this.held.length === 0) return;
    const batch = this.held;
    this.held = [];
    if (!this.wal.dirty) {
      // Everything written is durable (synced, or superseded by a rewrite).
      this.unsynced = CLEAN;
      this.release(batch);
      return;
    }
    this.syncing = true;
    this.stats.fsyncs++;
    this.covering = this.unsynced;
    this.unsynced = CLEAN;
    this.wal.syncAsync((e) => {
      this.syncing = false;
      this.covering = CLEAN;
      if (this.stopped) return;
      if (e !== null) {
        // After a failed fsync the kernel may have dropped the dirty pages: what is durable is unknown.
        // Retrying could "succeed" over lost data (PostgreSQL's fsyncgate), so the node stops.
        this.fail(new Error(`${this.wal.file}: fsync failed (${e.message}); stopping — restart the node to recover from what is on disk`));
        return;
      }
      this.release(batch);
      this.pump();
    });
  }

  /** Stops without syncing (the disk is not to be trusted) and reports. */
  private fail(e: Error): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.held = [];
    this.wal.abandon();
    (this.o.onFatal ?? defaultFatal)(e);
  }

  private release(batch: readonly StepOutputs[]): void {
    for (const out of batch) {
      this.stats.released++;
      for (const m of out.messages) {
        if (m.to === this.id) setImmediate(() => this.receive(m));
        else this.o.transport.send(m.to, m);
      }
      for (const r of out.replies) this.listener.reply?.(r);
    }
  }
}

function defaultFatal(e: Error): never {
  process.stderr.write(`liferaft: ${e.message}\n`);
  process.exit(70);
}

/** Writes not yet known durable: a term or vote, the lowest log index written, a compaction. */
interface Unsynced {
  readonly hardState: boolean;
  readonly logFrom: number;
  readonly other: boolean;
}
const CLEAN: Unsynced = { hardState: false, logFrom: Infinity, other: false };

/** A node's seed for its election timeouts, from its name (different nodes draw differently). */
function hashSeed(id: string): number {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return h >>> 0;
}
