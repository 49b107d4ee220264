// A user's Raft node (node-api.ts) inside the simulator. The simulator's parts read a node through
// the core's NodeState; for a user's node that state is a shadow, kept equal to the node's view
// after every step (role, term, vote, leader, log, commit, applied), so the invariants, the
// liveness phase, the trace hash and ITF read a user's node as they read the core. Its messages
// travel in an envelope ('Foreign', with the kind `classify` gives); its disk keeps the records it
// persisted (a crash loses those not synced) together with what its view held when it wrote
// them, for the invariants that judge a node that is down. Everything a node returns is checked:
// a node that throws, or returns what the contract does not allow, stops the run as a crash of
// that node at that step, with a message saying what was wrong — never a crash of the simulator.
import {
  clientId,
  describeMessage,
  type ClientRequest,
  type Entry,
  type EntryData,
  type Input,
  type LogIndex,
  type Message,
  type NodeId,
  type NodeState,
  type Persist,
  type Role,
  type StepOutputs,
  type Term,
} from '../core';
import { Disk, type CrashEffect } from './disk';
import type { MessageKind, NodeConfig, NodeInput, NodeView, RaftNode, ViewEntry } from './node-api';
import { Rng } from './rng';
import { CLONE, cloneGraph, SnapshotError, type SnapshotRules } from './snapshot';

const NO_RULES: SnapshotRules = new Map();

/** A user's message on the simulated network. */
export interface ForeignMessage {
  readonly type: 'Foreign';
  readonly from: NodeId;
  readonly to: NodeId;
  /** Unknown to the simulator (0: outside the term rules it checks on messages). */
  readonly term: Term;
  readonly kind: MessageKind;
  readonly body: unknown;
  /** The message in words (the node's `describe`, else its JSON). */
  readonly text: string;
  /**
   * Set when the message grants a vote: a vote-kind message to the node the sender's view says it
   * voted for in this term (a refusal, a request or a pre-vote is not one). OneVotePerTerm and
   * crash-after-vote read it.
   */
  readonly grantTerm?: number;
}

/** Whether a message on the network is a user's (the core's Message union does not know the envelope). */
export function isForeign(m: { readonly type: string }): boolean {
  return m.type === 'Foreign';
}

/** The envelope of a message known to be a user's. */
export function foreignOf(m: { readonly type: string }): ForeignMessage {
  return m as unknown as ForeignMessage;
}

/** A user's node broke its contract (threw, or returned what it may not): a crash of that node. */
export class ForeignNodeError extends Error {
  override readonly name = 'ForeignNodeError';
}

const KINDS: ReadonlySet<string> = new Set(['vote', 'append', 'heartbeat', 'snapshot', 'other']);
const ROLES: ReadonlySet<string> = new Set(['follower', 'pre-candidate', 'candidate', 'leader']);
const NO_REASONS: StepOutputs['reasons'] = [];

/** The invariants that judge a node by its view alone (the others read the core's own state). */
export const FOREIGN_INVARIANTS = [
  'LogInv',
  'MoreThanOneLeaderInv',
  'OneLeaderPerTerm',
  'ElectionSafetyInv',
  'LogMatchingInv',
  'QuorumLogInv',
  'MoreUpToDateCorrectInv',
  'LeaderCompletenessInv',
  'MonotonicTerm',
  'MonotonicCommit',
  'LeaderAppendOnly',
  'AckedWritesCommitted',
  'Linearizability',
  // Judged on the disk as the model keeps it: what the node's view held when it last persisted.
  'CommittedOnQuorumInv',
  // On the grants that leave the node (see ForeignMessage.grantTerm), across its restarts.
  'OneVotePerTerm',
] as const;

const NO_RULES_TAKEN: readonly number[] = [];

/** A node's rule names (its `rules`): the strings of the list, in order (none: not a list). */
export function nodeRules(module: { readonly rules?: unknown }): readonly string[] {
  return Array.isArray(module.rules) ? module.rules.filter((r): r is string => typeof r === 'string') : [];
}

/** A disk that also keeps a user's records: those of synced writes survive a crash, in order. */
export class RecordDisk extends Disk {
  private pendingRecords: { readonly seq: number; readonly records: readonly unknown[] }[] = [];
  private durableRecords: unknown[] = [];

  writeRecords(p: Persist, records: readonly unknown[]): number {
    const seq = this.write(p);
    this.pendingRecords.push({ seq, records });
    return seq;
  }

  override sync(seq: number): void {
    super.sync(seq);
    let n = 0;
    while (n < this.pendingRecords.length && this.pendingRecords[n]!.seq <= seq) this.durableRecords.push(...this.pendingRecords[n++]!.records);
    if (n > 0) this.pendingRecords.splice(0, n);
  }

  /** As Disk.crash: the writes that reached the disk keep their records; a torn one and the rest are lost. */
  override crash(rng: Rng, _tornChance: number): CrashEffect {
    // A write of records reaches the disk whole or not at all (the records are the node's, not
    // entries the model could cut in the middle): no torn writes here.
    const effect = super.crash(rng, 0);
    for (let i = 0; i < effect.reached; i++) this.durableRecords.push(...this.pendingRecords[i]!.records);
    this.pendingRecords = [];
    return effect;
  }

  /** The records a restart hands the node. */
  get records(): readonly unknown[] {
    return this.durableRecords;
  }
}

/** What one step of a user's node gives the simulator. */
export interface ForeignStep {
  /** As the core's: persist is the change of the view (for the invariants), not a disk write. */
  readonly outputs: StepOutputs;
  /** The disk write of the step (null: it persisted nothing). */
  readonly write: { readonly persist: Persist; readonly records: readonly unknown[] } | null;
  /** The rules the step took, as indexes into the node's `rules` (coverage). */
  readonly rules: readonly number[];
}

/** Drives one node of a user's module; `shadow` is the simulator's NodeState for it. */
export class ForeignDriver {
  private state: unknown;
  /** The view's log as of the last disk write (what the write's Persist is computed against). */
  private written: { term: number; vote: NodeId | null; log: readonly Entry[] } = { term: 0, vote: null, log: [] };
  private readonly ids: ReadonlySet<string>;
  /** The clients whose requests reached this node: a node answers only those. */
  private readonly clients = new Set<string>();

  private readonly id: NodeId;
  /** The node's rule names (its `rules`), by name: their indexes are its coverage counters. */
  private readonly ruleIndex: ReadonlyMap<string, number>;

  constructor(
    private readonly module: RaftNode,
    readonly label: string,
    shadow: NodeState,
    private readonly peers: readonly NodeId[],
    private readonly config: NodeConfig,
    private readonly seed: number,
    clusterIds: readonly NodeId[],
  ) {
    this.ids = new Set(clusterIds);
    this.id = shadow.config.id;
    this.ruleIndex = new Map(nodeRules(module).map((r, i) => [r, i]));
    try {
      this.state = this.init(0);
      this.refresh(shadow);
    } catch (e) {
      if (!(e instanceof ForeignNodeError)) throw e;
      this.initError = e.message;
    }
  }

  /** The node's own state, as its last step returned it (the debugger shows it; read it, never change it). */
  get userState(): unknown {
    return this.state;
  }

  /** Why the node could not start (its init or view threw, or gave what it may not): the run ends at step 0. */
  readonly initError: string | null = null;

  /**
   * A copy for the debugger's snapshots: the module and the settings are shared; the node's state
   * is copied whole, with no field shared by name as the simulator's own are (a user's `log` or
   * `messages` may be mutated in place), class instances keeping their prototypes.
   */
  [CLONE](): ForeignDriver {
    const copy = Object.create(ForeignDriver.prototype) as ForeignDriver;
    let state: unknown;
    try {
      state = cloneGraph(this.state, NO_RULES);
    } catch (e) {
      if (!(e instanceof SnapshotError)) throw e;
      throw new SnapshotError(
        `${this.label}'s state on ${this.id} cannot be copied for time travel: ${e.message.replace(/: keep state in data.*$/, '')} (a node's state must be plain data)`,
      );
    }
    Object.assign(copy, this, { state, written: { ...this.written, log: this.written.log.slice() }, clients: new Set(this.clients) });
    return copy;
  }

  private init(incarnation: number): unknown {
    const rng = Rng.stream(this.seed, `node/${this.id}/${incarnation}`);
    return this.call('init', () => this.module.init(this.id, [...this.peers], { ...this.config }, rng));
  }

  /** Runs `f` (a call into the user's code); what it throws becomes a ForeignNodeError naming the call. */
  private call<T>(what: string, f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof ForeignNodeError) throw e;
      const err = e instanceof Error ? `${e.name}: ${e.message}${whereThrown(e)}` : String(e);
      throw new ForeignNodeError(`${this.label}'s ${what} threw on ${this.id}: ${err}`);
    }
  }

  private bad(what: string, detail: string): never {
    throw new ForeignNodeError(`${this.label}'s ${what} on ${this.id} ${detail}`);
  }

  /** One input through the node (tick, message, client request); `shadow` is its NodeState in the simulation. */
  step(shadow: NodeState, input: Input): ForeignStep {
    let nodeInput: NodeInput<unknown>;
    switch (input.type) {
      case 'tick':
        nodeInput = { type: 'tick' };
        break;
      case 'receive': {
        const m = input.message as unknown as ForeignMessage;
        nodeInput = { type: 'message', from: m.from, message: structuredClone(m.body) };
        break;
      }
      case 'clientRequest':
        // (A copy: the client keeps its request for retries, and snapshots share it.)
        this.clients.add(input.request.client);
        nodeInput = { type: 'request', request: structuredClone(input.request) };
        break;
      default:
        throw new ForeignNodeError(`${this.label} on ${this.id}: the simulator has no ${input.type} input for a user's node`);
    }
    return this.run(shadow, input.type === 'receive' ? 'step (message)' : `step (${nodeInput.type})`, nodeInput);
  }

  /**
   * A restart after a crash: a fresh init (a new random stream), then the records on its disk.
   * Returns the step's outputs; its disk write is made durable at once (part of recovery), and its
   * messages and replies are dropped (a restarted node speaks from its next step on).
   */
  restart(shadow: NodeState, incarnation: number, disk: RecordDisk): ForeignStep {
    this.state = this.init(incarnation);
    // What the disk holds is what the view held at its last write that survived.
    this.written = { term: disk.term, vote: disk.vote, log: disk.log.slice() };
    const step = this.run(shadow, 'step (restart)', { type: 'restart', durable: structuredClone(disk.records) });
    // (Raft Figure 2: a server starts as a follower; what it did before the crash is volatile.)
    if (shadow.role !== 'follower') this.bad('step (restart)', `came back as ${shadow.role}: a restarted node starts as a follower`);
    return step;
  }

  private run(shadow: NodeState, what: string, input: NodeInput<unknown>): ForeignStep {
    const result = this.call(what, () => this.module.step(this.state, input)) as unknown;
    if (result === null || typeof result !== 'object' || !('state' in result)) this.bad(what, `returned ${show(result)}, not { state, outputs }`);
    const r = result as { state: unknown; outputs?: unknown };
    this.state = r.state;
    const out = (r.outputs ?? {}) as Record<string, unknown>;
    if (typeof out !== 'object' || out === null) this.bad(what, `returned outputs ${show(out)}, not an object`);
    const persist = out.persist ?? [];
    if (!Array.isArray(persist)) this.bad(what, `returned persist ${show(persist)}, not a list of records`);
    let records: unknown[];
    try {
      records = structuredClone(persist);
    } catch (e) {
      this.bad(what, `persisted a record that cannot be stored (${(e as Error).message})`);
    }
    const rules = this.rulesOf(what, out.rules);
    const replies = out.replies ?? [];
    if (!Array.isArray(replies)) this.bad(what, `returned replies ${show(replies)}, not a list`);
    replies.forEach((r: unknown, i) => this.checkReply(what, r, i));
    const before = { term: shadow.term, vote: shadow.vote };
    const logFrom = this.refresh(shadow);
    const messages = this.messages(what, out.messages, shadow);
    const hardState = before.term !== shadow.term || before.vote !== shadow.vote ? { term: shadow.term, vote: shadow.vote } : null;
    const viewChange: Persist | null =
      hardState === null && logFrom === null
        ? null
        : { hardState, log: logFrom === null ? null : { from: logFrom as LogIndex, entries: shadow.log.slice(logFrom - 1) } };
    let write: ForeignStep['write'] = null;
    if (records.length > 0) {
      const w = this.written;
      const from = firstDifference(w.log, shadow.log);
      write = {
        persist: {
          hardState: w.term !== shadow.term || w.vote !== shadow.vote ? { term: shadow.term, vote: shadow.vote } : null,
          log: from === null ? null : { from: from as LogIndex, entries: shadow.log.slice(from - 1) },
        },
        records,
      };
      this.written = { term: shadow.term, vote: shadow.vote, log: shadow.log.slice() };
    }
    return { outputs: { persist: viewChange, messages, applied: [], replies: replies as StepOutputs['replies'], reasons: NO_REASONS }, write, rules };
  }

  /** A step's `rules`, checked against the node's list: their indexes. */
  private rulesOf(what: string, raw: unknown): readonly number[] {
    if (raw === undefined) return NO_RULES_TAKEN;
    if (!Array.isArray(raw)) this.bad(what, `returned rules ${show(raw)}, not a list of rule names`);
    const out: number[] = [];
    for (const r of raw) {
      const i = typeof r === 'string' ? this.ruleIndex.get(r) : undefined;
      if (i === undefined)
        this.bad(
          what,
          this.ruleIndex.size === 0
            ? `reported rule ${show(r)}, but the node exports no \`rules\` list to name its rules`
            : `reported rule ${show(r)}, which its \`rules\` list does not name`,
        );
      out.push(i);
    }
    return out;
  }

  /** A reply as node-api.ts allows it: to a client that asked this node, with an outcome it knows. */
  private checkReply(what: string, raw: unknown, i: number): void {
    const r = raw as {
      client?: unknown;
      seq?: unknown;
      outcome?: { status?: unknown; leaderHint?: unknown; result?: { ok?: unknown; value?: unknown } };
    } | null;
    const no = (detail: string): never => this.bad(what, `answered with reply ${i} ${show(raw)}: ${detail}`);
    if (r === null || typeof r !== 'object') no('not { client, seq, outcome }');
    if (typeof r!.client !== 'string' || !this.clients.has(r!.client)) no(`no client ${show(r!.client)} asked this node anything`);
    if (!Number.isSafeInteger(r!.seq)) no('seq is not an integer');
    const o = r!.outcome;
    if (o === null || typeof o !== 'object') no('no outcome');
    switch (o!.status) {
      case 'ok': {
        const res = o!.result;
        if (res === null || typeof res !== 'object' || typeof res.ok !== 'boolean' || !(res.value === null || typeof res.value === 'string'))
          no('an ok outcome carries result { ok: boolean, value: string | null }');
        break;
      }
      case 'not-leader':
        if (o!.leaderHint !== null && (typeof o!.leaderHint !== 'string' || !this.ids.has(o!.leaderHint)))
          no(`leaderHint is null or a node of the cluster (${[...this.ids].join(', ')})`);
        break;
      case 'leadership-lost':
      case 'overloaded':
        break;
      default:
        no('status is one of ok, not-leader, leadership-lost, overloaded');
    }
  }

  private messages(what: string, raw: unknown, shadow: NodeState): Message[] {
    if (raw === undefined) return [];
    if (!Array.isArray(raw)) this.bad(what, `returned messages ${show(raw)}, not a list of { to, message }`);
    const from = this.id;
    return raw.map((m: unknown, i) => {
      if (m === null || typeof m !== 'object') this.bad(what, `returned message ${i} as ${show(m)}, not { to, message }`);
      const { to, message } = m as { to?: unknown; message?: unknown };
      if (typeof to !== 'string' || !this.ids.has(to))
        this.bad(what, `sent message ${i} to ${show(to)}, not a node of the cluster (${[...this.ids].join(', ')})`);
      if (message === undefined) this.bad(what, `sent message ${i} to ${to} without a message`);
      let body: unknown;
      try {
        body = structuredClone(message);
      } catch (e) {
        this.bad(what, `sent message ${i} that cannot be copied (${(e as Error).message})`);
      }
      const kind = this.call('classify', () => this.module.classify(body));
      if (typeof kind !== 'string' || !KINDS.has(kind)) this.bad('classify', `returned ${show(kind)} for ${show(body)}: one of ${[...KINDS].join(', ')}`);
      const text = this.module.describe === undefined ? JSON.stringify(body) : String(this.call('describe', () => this.module.describe!(body)));
      const grant = kind === 'vote' && to !== from && shadow.vote === to;
      const env: ForeignMessage = {
        type: 'Foreign',
        from,
        to: to as NodeId,
        term: 0 as Term,
        kind: kind as MessageKind,
        body,
        text,
        ...(grant ? { grantTerm: shadow.term } : {}),
      };
      return env as unknown as Message;
    });
  }

  /** Copies the node's view into the shadow; returns the first log index that changed (null: none). */
  private refresh(s: NodeState): number | null {
    const v = this.call('view', () => this.module.view(this.state)) as NodeView;
    if (v === null || typeof v !== 'object') this.bad('view', `returned ${show(v)}, not a view`);
    if (!ROLES.has(v.role)) this.bad('view', `gave role ${show(v.role)}: one of ${[...ROLES].join(', ')}`);
    if (!isCount(v.term)) this.bad('view', `gave term ${show(v.term)}: a whole number ≥ 0`);
    for (const [k, x] of [
      ['vote', v.vote],
      ['leader', v.leader],
    ] as const)
      if (x !== null && (typeof x !== 'string' || !this.ids.has(x))) this.bad('view', `gave ${k} ${show(x)}: null or a node of the cluster`);
    if (!Array.isArray(v.log)) this.bad('view', `gave log ${show(v.log)}: a list of { term, request? }`);
    if (!isCount(v.commit) || v.commit > v.log.length) this.bad('view', `gave commit ${show(v.commit)}: a whole number ≤ the log's length (${v.log.length})`);
    if (!isCount(v.applied)) this.bad('view', `gave applied ${show(v.applied)}: a whole number`);
    if (v.applied > v.commit)
      this.bad(
        'view',
        `gave applied ${v.applied} above commit ${v.commit}: it applied entries not known committed, or its commit index went back (it was ${s.commit})`,
      );
    if (v.role === 'leader' && v.leader !== s.config.id) this.bad('view', `says it leads term ${v.term} but names ${show(v.leader)} as leader`);
    s.role = v.role as Role;
    s.term = v.term as Term;
    s.vote = v.vote as NodeId | null;
    s.leader = v.leader as NodeId | null;
    let from: number | null = null;
    const log = s.log;
    const n = v.log.length;
    for (let i = 0; i < Math.max(n, log.length); i++) {
      if (i >= n) {
        from ??= n + 1;
        break;
      }
      const e = v.log[i] as ViewEntry;
      const old = log[i];
      if (old !== undefined && sameEntry(old, e)) continue;
      if (e === null || typeof e !== 'object' || !isCount(e.term) || e.term > v.term)
        this.bad('view', `gave log entry ${i + 1} as ${show(e)}: { term ≤ the node's term (${v.term}), request? }`);
      from ??= i + 1;
      log[i] = { index: (i + 1) as LogIndex, term: e.term as Term, data: entryData((e.request ?? null) as ClientRequest | null) };
    }
    if (log.length > n) log.length = n;
    s.commit = v.commit as LogIndex;
    s.applied = v.applied as LogIndex;
    return from;
  }
}

function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/** Whether a view entry is the shadow's entry (field by field: a user may rebuild or edit its entries). */
function sameEntry(a: Entry, e: ViewEntry): boolean {
  if (e === null || typeof e !== 'object' || a.term !== e.term) return false;
  const r = e.request ?? null;
  if (a.data.type !== 'command') return r === null;
  if (r === null || typeof r !== 'object' || r.client !== a.data.client || r.seq !== a.data.seq) return false;
  const x = r.op as Partial<Record<'type' | 'key' | 'value' | 'expected', unknown>> | null;
  const y = a.data.op as Partial<Record<'type' | 'key' | 'value' | 'expected', unknown>>;
  return x !== null && typeof x === 'object' && x.type === y.type && x.key === y.key && x.value === y.value && x.expected === y.expected;
}

function entryData(r: ClientRequest | null): EntryData {
  if (r === null) return { type: 'noop' };
  if (typeof r !== 'object' || typeof r.client !== 'string' || !Number.isSafeInteger(r.seq) || r.op === null || typeof r.op !== 'object')
    throw new ForeignNodeError(`a log entry's request ${show(r)} is not a client request { client, seq, op }`);
  // (The op copied: the shadow and the committed log must not change when the node edits its own.)
  return { type: 'command', client: clientId(r.client), seq: r.seq, op: { ...r.op } as (EntryData & { type: 'command' })['op'] };
}

function firstDifference(a: readonly Entry[], b: readonly Entry[]): number | null {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i + 1;
  return a.length === b.length ? null : n + 1;
}

function show(x: unknown): string {
  let s: string;
  try {
    s = x === undefined ? 'undefined' : typeof x === 'function' ? 'a function' : (JSON.stringify(x) ?? String(x));
  } catch {
    s = String(x);
  }
  return s.length > 120 ? `${s.slice(0, 117)}…` : s;
}

/** A message on the simulated network in words: the core's, or a user's (its envelope's text). */
export function describeSimMessage(m: Message): string {
  return isForeign(m) ? `${foreignOf(m).kind}: ${foreignOf(m).text}` : describeMessage(m);
}

/**
 * The last `(at FILE:LINE:COL)` of a message (whereThrown's), FILE as a path (a `file://` URL
 * decoded, an ES module's `?query` dropped); null when it names none.
 */
export function thrownLocation(message: string): { readonly file: string; readonly line: number; readonly column: number } | null {
  const m = [...message.matchAll(/\(at ((?:file:\/\/)?[^()\s]+?)(?:\?[^()\s:]*)?:(\d+):(\d+)\)/g)].pop();
  if (m === undefined) return null;
  const file = m[1]!.startsWith('file://') ? decodeURIComponent(m[1]!.slice('file://'.length)) : m[1]!;
  return { file, line: Number(m[2]), column: Number(m[3]) };
}

/**
 * Where an error was thrown, from its stack: " (at FILE:LINE:COL)", or nothing. With `file`, the
 * first frame in that file (a node's own line, not the host's code it called), else nothing.
 */
export function whereThrown(e: Error, file?: string): string {
  for (const frame of (e.stack ?? '').split('\n')) {
    if (!/^\s+at /.test(frame)) continue;
    const m = /\(?((?:file:\/\/)?[^()\s]+:\d+:\d+)\)?\s*$/.exec(frame);
    if (m === null) continue;
    if (file === undefined || m[1]!.startsWith(`${file}:`)) return ` (at ${m[1]})`;
  }
  return '';
}
