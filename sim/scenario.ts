// The .raftsim scenario language: one statement per line, `#` starts a comment.
// One parser, shared by the CLI, the debug adapter and the language server; every error carries
// file:line:col. The statements are documented in sim/SCENARIOS.md (and STATEMENTS below, which the
// language server uses for completion and hover).

export interface Range {
  readonly min: number;
  readonly max: number;
}

export type Latency =
  | { readonly kind: 'uniform'; readonly minUs: number; readonly maxUs: number }
  | { readonly kind: 'exp'; readonly meanUs: number; readonly capUs: number };

/** A fault that recurs at random: the swarm draws a mean interval in `everyUs` for each seed. */
export interface RecurringFault {
  readonly everyUs: Range;
  readonly forUs: Range;
  /** With swarm on: the chance that a seed switches this fault on (default 50%). */
  readonly weight: number;
  readonly line: number;
}

export type FaultAction =
  | { readonly kind: 'partition'; readonly groups: readonly (readonly number[])[] }
  | { readonly kind: 'cut'; readonly from: number; readonly to: number }
  | { readonly kind: 'isolate'; readonly node: number }
  | { readonly kind: 'heal' }
  | { readonly kind: 'crash'; readonly node: number }
  | { readonly kind: 'restart'; readonly node: number }
  | { readonly kind: 'pause'; readonly node: number }
  | { readonly kind: 'resume'; readonly node: number }
  | { readonly kind: 'clog'; readonly a: number; readonly b: number; readonly forUs: number }
  | { readonly kind: 'corrupt'; readonly node: number };

export interface ScheduledFault {
  readonly atUs: number;
  readonly action: FaultAction;
  /** 1-based line in the scenario file (debugger frames point here). */
  readonly line: number;
}

export type OpKind = 'get' | 'put' | 'append' | 'cas' | 'delete';

export interface Workload {
  readonly clients: number;
  readonly keys: number;
  /** Time between the end of a client's operation and the start of its next. */
  readonly thinkUs: Range;
  /** A client gives up on one attempt after this long and retries (the same seq for writes). */
  readonly timeoutUs: number;
  /** Attempts per operation during the safety phase before it is abandoned (its outcome unknown). */
  readonly attempts: number;
  readonly mix: Readonly<Record<OpKind, number>>;
}

export interface Scenario {
  readonly file: string;
  readonly text: string;
  /** Largest cluster size; each seed draws its size in nodesMin..nodes. */
  readonly nodes: number;
  readonly nodesMin: number;
  readonly tickUs: number;
  readonly electionTicks: Range;
  readonly heartbeatTicks: number;
  /** Entries per AppendEntries (each seed draws one value). */
  readonly batch: Range;
  /** Log compaction every N applied entries (Raft §7); 0 = off (each seed draws one value in the range). */
  readonly snapshot: Range;
  /** Chance that a seed compacts at all (1 = every seed; with less, the others run without snapshots). */
  readonly snapshotChance: number;
  /** Chance that a seed runs with pre-vote (1 = on, 0 = off; in between, each seed draws). */
  readonly preVote: number;
  /** Chance that a seed runs with check-quorum (1 = on, 0 = off; in between, each seed draws). */
  readonly checkQuorum: number;
  /** Chance that a seed sends a leader's appends before its own fsync (the Persist allowance); default 0. */
  readonly earlyAppends: number;
  readonly latency: Latency;
  /** Ratios in [0, 1]; the swarm draws one value per seed in each range. */
  readonly drop: Range;
  readonly duplicate: Range;
  readonly drift: Range;
  readonly syncUs: Range;
  /** On a crash, the chance that the first unsynced write that did not reach the disk is torn. */
  readonly torn: number;
  /** Chance per crash that a synced record of the node's disk is corrupted (bit rot). */
  readonly corrupt: Range;
  readonly workload: Workload;
  readonly crash: RecurringFault | null;
  readonly partition: RecurringFault | null;
  readonly pause: RecurringFault | null;
  readonly clog: RecurringFault | null;
  // Targeted faults (nemeses aimed at classes of bugs).
  /** Isolate whichever node is leader. */
  readonly isolateLeader: RecurringFault | null;
  /** Crash whichever node is leader. */
  readonly crashLeader: RecurringFault | null;
  /** Hold some messages back long enough to arrive after a term change. */
  readonly delay: { readonly chance: Range; readonly byUs: Range; readonly weight: number; readonly line: number } | null;
  /** Crash a node right after it granted a vote. */
  readonly crashAfterVote: { readonly chance: Range; readonly forUs: Range; readonly weight: number; readonly line: number } | null;
  /** Crash a leader right after it sent new entries (partial replication, Figure 8 histories). */
  readonly crashAfterAppend: { readonly chance: Range; readonly forUs: Range; readonly weight: number; readonly line: number } | null;
  /** Chance per seed that every node's election timeout is nearly the same (elections collide: split votes). */
  readonly splitVotes: Range | null;
  /** PCT-style scheduling: nodes get priorities; lower priority = later delivery; priorities change at `depth` random points. */
  readonly pct: { readonly depth: Range; readonly stepUs: Range; readonly line: number } | null;
  /** Swarm testing: each seed also switches every recurring fault kind on or off at random. */
  readonly swarm: boolean;
  readonly safetyUs: number;
  readonly livenessUs: number;
  readonly maxSteps: number;
  readonly schedule: readonly ScheduledFault[];
  /** Invariant names to check; null = all. */
  readonly check: readonly string[] | null;
  readonly bugs: readonly string[];
  /** The seed `liferaft run` uses when none is given (shrunk regression scenarios pin theirs). */
  readonly seed: number | null;
}

export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    readonly detail: string,
    /** Length of the offending token (for editor diagnostics). */
    readonly length = 1,
    /** Other errors of the same line, each with its own place (a bad value of a statement set twice is also a duplicate). */
    readonly also: readonly ScenarioError[] = [],
  ) {
    super([`${file}:${line}:${col}: ${detail}`, ...also.map((e) => e.message)].join('\n'));
  }
}

/** Statement documentation: used by SCENARIOS.md and the language server. */
export const STATEMENTS: Readonly<Record<string, { readonly usage: string; readonly doc: string }>> = {
  nodes: { usage: 'nodes N | nodes MIN..MAX', doc: 'Cluster size (1–9 nodes, named n1…nN); with a range, each seed draws its size.' },
  tick: { usage: 'tick DURATION', doc: 'Virtual time of one tick of a node clock.' },
  election: { usage: 'election MIN..MAX', doc: 'Randomized election timeout, in ticks (Raft §5.2).' },
  heartbeat: { usage: 'heartbeat TICKS', doc: 'Ticks between leader heartbeats.' },
  batch: { usage: 'batch N | batch MIN..MAX', doc: 'Most entries in one AppendEntries; with a range each seed draws its own (small batches mean more interleavings).' },
  snapshot: { usage: 'snapshot N | snapshot MIN..MAX [P%]', doc: 'Log compaction (Raft §7): every N applied entries a node snapshots its state machine and drops its log up to its previous snapshot; followers too far behind get InstallSnapshot. 0 = off (the default); with a range each seed draws its own; with P%, only that share of the seeds compacts at all (swarm testing: the others exercise log repair without snapshots).' },
  prevote: { usage: 'prevote on|off|P%', doc: 'Pre-vote before elections (thesis §9.6); with P%, each seed runs with it at that chance.' },
  'early-appends': { usage: 'early-appends on|off|P%', doc: "A leader's AppendEntries, heartbeats and snapshots leave before its own fsync (thesis §10.2.1, as etcd and `liferaft node` do); with P%, each seed runs with it at that chance. Off by default." },
  checkquorum: { usage: 'checkquorum on|off|P%', doc: 'Leaders step down without a quorum (thesis §6.2); with P%, each seed runs with it at that chance.' },
  latency: { usage: 'latency uniform MIN..MAX | latency exp MEAN cap CAP', doc: 'One-way message delay; reordering comes from it.' },
  drop: { usage: 'drop P%[..Q%]', doc: 'Chance a message is lost (the swarm draws one value per seed).' },
  duplicate: { usage: 'duplicate P%[..Q%]', doc: 'Chance a message is delivered twice.' },
  drift: { usage: 'drift P%[..Q%]', doc: "Largest deviation of a node's tick length (clock drift), drawn per node." },
  sync: { usage: 'sync MIN..MAX', doc: 'Time for a disk write to become durable (fsync); messages wait for it.' },
  torn: { usage: 'torn P%', doc: 'On a crash, chance that the first unsynced write that did not reach the disk is torn.' },
  corrupt: { usage: 'corrupt P%[..Q%]', doc: 'Chance per crash that a synced record is corrupted (detected by checksum).' },
  workload: { usage: 'workload clients=N keys=N think=MIN..MAX timeout=D attempts=N', doc: 'KV clients with sessions, timeouts and retries.' },
  mix: { usage: 'mix get=W put=W append=W cas=W delete=W', doc: 'Relative weights of the operations.' },
  crash: { usage: 'crash every=MIN..MAX for=MIN..MAX [weight=P%]', doc: 'Random crashes (volatile state and unsynced writes lost), restarted after `for`.' },
  partition: { usage: 'partition every=MIN..MAX for=MIN..MAX [weight=P%]', doc: 'Random partitions: split, isolate one node, or cut one link one way.' },
  pause: { usage: 'pause every=MIN..MAX for=MIN..MAX [weight=P%]', doc: 'Random process pauses (SIGSTOP-like).' },
  clog: { usage: 'clog every=MIN..MAX for=MIN..MAX [weight=P%]', doc: 'Random clogged links: messages wait until the clog clears.' },
  'isolate-leader': { usage: 'isolate-leader every=MIN..MAX for=MIN..MAX [weight=P%]', doc: 'Targeted: isolate whichever node is leader (stale reads, deposed leaders, conflicting suffixes).' },
  'crash-leader': { usage: 'crash-leader every=MIN..MAX for=MIN..MAX [weight=P%]', doc: 'Targeted: crash whichever node is leader (elections, Figure 8 histories).' },
  delay: { usage: 'delay chance=P%[..Q%] by=MIN..MAX [weight=P%]', doc: 'Targeted: an election message or an acknowledgement arrives `by` late, after a term change (or a late copy of it is replayed).' },
  'crash-after-vote': { usage: 'crash-after-vote chance=P%[..Q%] for=MIN..MAX [weight=P%]', doc: 'Targeted: crash a node right after it granted a vote (durability of votes).' },
  'crash-after-append': { usage: 'crash-after-append chance=P%[..Q%] for=MIN..MAX [weight=P%]', doc: 'Targeted: crash a leader right after it sent new entries (partial replication, Figure 8).' },
  'split-votes': { usage: 'split-votes P%[..Q%]', doc: 'Targeted: chance per seed that all election timeouts are nearly equal, so elections collide.' },
  scheduler: { usage: 'scheduler pct depth=MIN..MAX step=MIN..MAX', doc: 'PCT-style delivery: messages of lower-priority nodes arrive later; priorities change at `depth` random points.' },
  swarm: { usage: 'swarm on|off', doc: 'Each seed switches every recurring fault kind on or off at random.' },
  safety: { usage: 'safety DURATION', doc: 'Length of the phase with faults.' },
  liveness: { usage: 'liveness DURATION', doc: 'After healing everything: time allowed to converge (one leader, every client operation answered, every replica caught up); the cluster must then stay converged for one more election timeout.' },
  steps: { usage: 'steps N', doc: 'Step limit of a run; reaching it is a liveness failure.' },
  at: { usage: 'at TIME ACTION', doc: 'A scheduled fault: partition A B | C, cut A -> B, isolate N, heal, crash N, restart N, pause N, resume N, clog A B for D, corrupt N.' },
  check: { usage: 'check all | check INVARIANT...', doc: 'Which invariants to check after every step.' },
  bugs: { usage: 'bugs NAME...', doc: 'Planted bugs to switch on (off by default).' },
  seed: { usage: 'seed N', doc: 'The seed `liferaft run` uses when --seed is not given (regression scenarios pin theirs).' },
};

export const DEFAULTS = {
  nodes: 5,
  nodesMin: 5,
  tickUs: 10_000,
  electionTicks: { min: 10, max: 20 },
  heartbeatTicks: 1,
  batch: { min: 64, max: 64 },
  snapshot: { min: 0, max: 0 },
  snapshotChance: 1,
  preVote: 1,
  checkQuorum: 1,
  earlyAppends: 0,
  latency: { kind: 'uniform', minUs: 1_000, maxUs: 10_000 } as Latency,
  drop: { min: 0, max: 0 },
  duplicate: { min: 0, max: 0 },
  drift: { min: 0, max: 0 },
  syncUs: { min: 0, max: 0 },
  torn: 0,
  corrupt: { min: 0, max: 0 },
  workload: {
    clients: 3, keys: 4, thinkUs: { min: 10_000, max: 100_000 }, timeoutUs: 500_000, attempts: 10,
    mix: { get: 40, put: 20, append: 15, cas: 15, delete: 10 },
  } as Workload,
  swarm: true,
  safetyUs: 10_000_000,
  livenessUs: 10_000_000,
  maxSteps: 5_000_000,
} as const;

interface Token {
  readonly text: string;
  readonly col: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The scenario with these planted bugs switched on as well (each named once, the scenario's first). */
export function withBugs(s: Scenario, bugs: readonly string[]): Scenario {
  return bugs.length === 0 ? s : { ...s, bugs: [...new Set([...s.bugs, ...bugs])] };
}

/** Parses a scenario. Known invariant and bug names are passed in (they live in other modules). */
export function parseScenario(text: string, file: string, known: { invariants: readonly string[]; bugs: readonly string[] } = { invariants: [], bugs: [] }): Scenario {
  const s: Mutable<Scenario> = {
    file, text, ...DEFAULTS,
    crash: null, partition: null, pause: null, clog: null, isolateLeader: null, crashLeader: null, delay: null, crashAfterVote: null, crashAfterAppend: null, splitVotes: null, pct: null,
    schedule: [], check: null, bugs: [], seed: null,
  };
  const seen = new Map<string, number>();
  const schedule: ScheduledFault[] = [];
  const lines = text.split(/\r?\n/);
  const pending: { token: Token; line: number; check: () => void }[] = [];
  lines.forEach((raw, i) => {
    const line = i + 1;
    const tokens = tokenize(raw);
    if (tokens.length === 0) return;
    const stmt = tokens[0]!.text;
    const first = stmt === 'at' ? undefined : seen.get(stmt);
    // A statement set twice is an error once its value is read: an error in the value comes with it.
    const duplicate = first === undefined ? null : new ScenarioError(file, line, tokens[0]!.col, `"${stmt}" already set on line ${first}`, stmt.length);
    const p: LineParser = new LineParser(file, line, tokens, duplicate);
    const head = p.next('a statement');
    if (!(stmt in STATEMENTS)) p.fail(head, `unknown statement "${stmt}" (expected one of: ${Object.keys(STATEMENTS).join(', ')})`);
    if (first === undefined) seen.set(stmt, line);
    switch (stmt) {
      case 'nodes':
        {
          const r = p.intRangeToken(p.next('a node count'), 'a node count', 1, 9);
          s.nodes = r.max;
          s.nodesMin = r.min;
        }
        break;
      case 'tick':
        s.tickUs = p.duration('a tick length', 1);
        break;
      case 'election':
        s.electionTicks = p.intRange('election ticks', 2, 1_000);
        if (s.electionTicks.max === s.electionTicks.min) p.fail(head, 'the election range needs MAX > MIN so timeouts can differ');
        break;
      case 'heartbeat':
        s.heartbeatTicks = p.int('heartbeat ticks', 1, 1_000);
        break;
      case 'batch':
        s.batch = p.intRangeToken(p.next('a batch size'), 'a batch size', 1, 10_000);
        break;
      case 'snapshot':
        s.snapshot = p.intRangeToken(p.next('a number of entries'), 'a number of entries between snapshots', 0, 1_000_000);
        s.snapshotChance = p.peek() === undefined ? 1 : p.onOffChance();
        break;
      case 'prevote':
        s.preVote = p.onOffChance();
        break;
      case 'early-appends':
        s.earlyAppends = p.onOffChance();
        break;
      case 'checkquorum':
        s.checkQuorum = p.onOffChance();
        break;
      case 'latency':
        s.latency = p.latency();
        break;
      case 'drop':
        s.drop = p.percentRange();
        break;
      case 'duplicate':
        s.duplicate = p.percentRange();
        break;
      case 'drift':
        s.drift = p.percentRange();
        if (s.drift.max > 0.5) p.fail(head, 'drift above 50% is not supported');
        break;
      case 'sync':
        s.syncUs = p.durationRange('a sync time', 0);
        break;
      case 'torn':
        s.torn = p.percent();
        break;
      case 'corrupt':
        s.corrupt = p.percentRange();
        break;
      case 'workload':
        s.workload = p.workload(s.workload);
        break;
      case 'mix':
        s.workload = { ...s.workload, mix: p.mix() };
        break;
      case 'crash':
      case 'partition':
      case 'pause':
      case 'clog':
        s[stmt] = { line, ...p.recurring() };
        break;
      case 'isolate-leader':
        s.isolateLeader = { line, ...p.recurring() };
        break;
      case 'crash-leader':
        s.crashLeader = { line, ...p.recurring() };
        break;
      case 'delay': {
        const kv = p.pairs(['chance', 'by', 'weight']);
        const chance = kv.get('chance');
        const by = kv.get('by');
        if (chance === undefined || by === undefined) p.failLine('needs chance=P% and by=MIN..MAX');
        const w = kv.get('weight');
        s.delay = { chance: p.percentRange(chance), byUs: p.durationRange('a delay', 1, by), weight: w === undefined ? 0.5 : p.percent(w), line };
        break;
      }
      case 'crash-after-vote':
      case 'crash-after-append': {
        const kv = p.pairs(['chance', 'for', 'weight']);
        const chance = kv.get('chance');
        const dur = kv.get('for');
        if (chance === undefined || dur === undefined) p.failLine('needs chance=P% and for=MIN..MAX');
        const w = kv.get('weight');
        const f = { chance: p.percentRange(chance), forUs: p.durationRange('a down time', 1, dur), weight: w === undefined ? 0.5 : p.percent(w), line };
        if (stmt === 'crash-after-vote') s.crashAfterVote = f;
        else s.crashAfterAppend = f;
        break;
      }
      case 'split-votes':
        s.splitVotes = p.percentRange();
        break;
      case 'scheduler': {
        p.keyword('pct');
        const kv = p.pairs(['depth', 'step']);
        const depth = kv.get('depth');
        const stepTok = kv.get('step');
        if (depth === undefined || stepTok === undefined) p.failLine('needs depth=MIN..MAX and step=MIN..MAX');
        s.pct = { depth: p.intRangeToken(depth, 'a depth', 0, 100), stepUs: p.durationRange('a delay step', 0, stepTok), line };
        break;
      }
      case 'swarm':
        s.swarm = p.onOff();
        break;
      case 'safety':
        s.safetyUs = p.duration('a phase length', 0);
        break;
      case 'liveness':
        s.livenessUs = p.duration('a phase length', 1);
        break;
      case 'steps':
        s.maxSteps = p.int('a step limit', 1, 1_000_000_000);
        break;
      case 'at': {
        const atTok = p.peek();
        const atUs = p.duration('a time', 0);
        const action = p.action();
        schedule.push({ atUs, action, line });
        pending.push({ token: atTok!, line, check: () => checkNodes(action, s.nodesMin, s.nodes, new LineParser(file, line, tokens)) });
        break;
      }
      case 'check': {
        const names = p.rest('an invariant name or "all"');
        if (names.length === 1 && names[0]!.text === 'all') {
          s.check = null;
        } else {
          for (const n of names) {
            if (n.text === 'all') p.fail(n, '"all" cannot be combined with names');
            if (known.invariants.length > 0 && !known.invariants.includes(n.text)) p.fail(n, `unknown invariant "${n.text}" (known: ${known.invariants.join(', ')})`);
          }
          s.check = names.map((n) => n.text);
        }
        break;
      }
      case 'seed':
        s.seed = p.int('a seed', 0, Number.MAX_SAFE_INTEGER);
        break;
      case 'bugs': {
        const names = p.rest('a bug name');
        for (const n of names) {
          if (!known.bugs.includes(n.text)) p.fail(n, known.bugs.length === 0 ? `unknown bug "${n.text}" (no planted bugs exist yet)` : `unknown bug "${n.text}" (known: ${known.bugs.join(', ')})`);
        }
        s.bugs = names.map((n) => n.text);
        break;
      }
    }
    p.end();
    if (duplicate !== null) throw duplicate;
  });
  // Node names depend on `nodes`, which may come after an `at` line.
  for (const p of pending) p.check();
  if (s.heartbeatTicks >= s.electionTicks.min) {
    const line = seen.get('heartbeat') ?? seen.get('election') ?? 1;
    throw new ScenarioError(file, line, 1, `heartbeat (${s.heartbeatTicks} ticks) must be shorter than the election timeout (${s.electionTicks.min}..${s.electionTicks.max} ticks)`);
  }
  for (const f of schedule) {
    if (f.atUs >= s.safetyUs) {
      throw new ScenarioError(file, f.line, 4, `at ${f.atUs / 1000}ms is not inside the safety phase (0..${s.safetyUs / 1000}ms); the liveness phase runs without faults`);
    }
  }
  s.schedule = schedule.sort((a, b) => a.atUs - b.atUs || a.line - b.line);
  return s;
}

function checkNodes(action: FaultAction, nodes: number, maxNodes: number, p: LineParser): void {
  const ids: number[] = [];
  switch (action.kind) {
    case 'partition':
      ids.push(...action.groups.flat());
      break;
    case 'cut':
      ids.push(action.from, action.to);
      break;
    case 'clog':
      ids.push(action.a, action.b);
      break;
    case 'heal':
      break;
    default:
      ids.push(action.node);
  }
  for (const id of ids) {
    if (id >= nodes) p.failLine(`node n${id + 1} does not exist (the cluster has ${nodes} nodes${maxNodes > nodes ? ' in its smallest size' : ''})`);
  }
}

function tokenize(raw: string): Token[] {
  const tokens: Token[] = [];
  const re = /(\S+)/g;
  const hash = raw.indexOf('#');
  const text = hash >= 0 ? raw.slice(0, hash) : raw;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) tokens.push({ text: m[1]!, col: m.index + 1 });
  return tokens;
}

const DURATION = /^(\d+(?:\.\d+)?)(us|µs|ms|s|m)$/;
const UNIT_US: Record<string, number> = { us: 1, µs: 1, ms: 1_000, s: 1_000_000, m: 60_000_000 };
const PERCENT = /^(\d+(?:\.\d+)?)%$/;

class LineParser {
  private i = 0;
  constructor(
    private readonly file: string,
    private readonly line: number,
    private readonly tokens: readonly Token[],
    /** The line's statement was already set: every error of the line reports that too. */
    private readonly duplicate: ScenarioError | null = null,
  ) {}

  private error(col: number, message: string, length = 1): ScenarioError {
    return new ScenarioError(this.file, this.line, col, message, length, this.duplicate === null ? [] : [this.duplicate]);
  }

  fail(t: Token, message: string): never {
    throw this.error(t.col, message, t.text.length);
  }

  failLine(message: string): never {
    throw this.error(this.tokens[0]?.col ?? 1, message);
  }

  peek(): Token | undefined {
    return this.tokens[this.i];
  }

  next(what: string): Token {
    const t = this.tokens[this.i];
    if (t === undefined) {
      const last = this.tokens[this.tokens.length - 1];
      throw this.error(last === undefined ? 1 : last.col + last.text.length + 1, `expected ${what}`);
    }
    this.i++;
    return t;
  }

  end(): void {
    const t = this.tokens[this.i];
    if (t !== undefined) this.fail(t, `unexpected "${t.text}"`);
  }

  rest(what: string): Token[] {
    if (this.i >= this.tokens.length) this.next(what);
    const r = this.tokens.slice(this.i);
    this.i = this.tokens.length;
    return r;
  }

  keyword(...options: string[]): Token {
    const t = this.next(options.map((o) => `"${o}"`).join(' or '));
    if (!options.includes(t.text)) this.fail(t, `expected ${options.map((o) => `"${o}"`).join(' or ')}, got "${t.text}"`);
    return t;
  }

  onOff(): boolean {
    return this.keyword('on', 'off').text === 'on';
  }

  /** on (1), off (0), or the chance per seed that it is on (`50%`). */
  onOffChance(): number {
    const t = this.next('"on", "off" or a chance per seed (e.g. 50%)');
    if (t.text === 'on') return 1;
    if (t.text === 'off') return 0;
    if (!/^[\d.]/.test(t.text)) this.fail(t, `expected "on", "off" or a chance per seed (e.g. 50%), got "${t.text}"`);
    return parsePercent(this, t, t.text);
  }

  int(what: string, min: number, max: number, t = this.next(what)): number {
    return parseIntToken(this, t, what, min, max);
  }

  intRange(what: string, min: number, max: number): Range {
    const t = this.next(`${what} as MIN..MAX`);
    return this.range(t, (part, tok) => parseIntToken(this, tok, what, min, max, part));
  }

  /** N or MIN..MAX, from a key=value token. */
  intRangeToken(t: Token, what: string, min: number, max: number): Range {
    return this.range(t, (part, tok) => parseIntToken(this, tok, what, min, max, part), true);
  }

  duration(what: string, minUs: number, t = this.next(`${what} (e.g. 10ms)`)): number {
    return parseDuration(this, t, t.text, what, minUs);
  }

  /** MIN..MAX, or one duration D meaning D..D. */
  durationRange(what: string, minUs: number, t = this.next(`${what} as MIN..MAX (e.g. 1ms..10ms)`)): Range {
    return this.range(t, (part, tok) => parseDuration(this, tok, part, what, minUs), true);
  }

  percent(t = this.next('a percentage (e.g. 2%) or a ratio (e.g. 0.02)')): number {
    return parsePercent(this, t, t.text);
  }

  percentRange(t = this.next('a percentage or range (e.g. 1% or 0%..2%)')): Range {
    return this.range(t, (part, tok) => parsePercent(this, tok, part), true);
  }

  private range(t: Token, parse: (part: string, t: Token) => number, single = false): Range {
    const parts = t.text.split('..');
    if (parts.length === 1 && single) {
      const v = parse(parts[0]!, t);
      return { min: v, max: v };
    }
    if (parts.length !== 2) this.fail(t, `expected MIN..MAX, got "${t.text}"`);
    const min = parse(parts[0]!, t);
    const max = parse(parts[1]!, t);
    if (min > max) this.fail(t, `range ${t.text} has MIN greater than MAX`);
    return { min, max };
  }

  latency(): Latency {
    const kind = this.keyword('uniform', 'exp');
    if (kind.text === 'uniform') {
      const r = this.durationRange('a latency range', 0);
      return { kind: 'uniform', minUs: r.min, maxUs: r.max };
    }
    const meanUs = this.duration('a mean latency', 1);
    this.keyword('cap');
    const capTok = this.next('a latency cap');
    const capUs = this.duration('a latency cap', 1, capTok);
    if (capUs < meanUs) this.fail(capTok, 'the cap must be at least the mean');
    return { kind: 'exp', meanUs, capUs };
  }

  /** key=value pairs; each key at most once. */
  pairs(allowed: readonly string[]): Map<string, Token> {
    const out = new Map<string, Token>();
    for (const t of this.rest(`one of ${allowed.map((a) => `${a}=`).join(' ')}`)) {
      const eq = t.text.indexOf('=');
      const key = eq < 0 ? t.text : t.text.slice(0, eq);
      if (eq < 0 || !allowed.includes(key)) this.fail(t, `expected one of ${allowed.map((a) => `${a}=…`).join(', ')}, got "${t.text}"`);
      if (out.has(key)) this.fail(t, `${key}= given twice`);
      out.set(key, { text: t.text.slice(eq + 1), col: t.col + eq + 1 });
    }
    return out;
  }

  workload(base: Workload): Workload {
    const kv = this.pairs(['clients', 'keys', 'think', 'timeout', 'attempts']);
    const get = <T>(k: string, parse: (t: Token) => T, fallback: T): T => {
      const t = kv.get(k);
      return t === undefined ? fallback : parse(t);
    };
    return {
      ...base,
      clients: get('clients', (t) => this.int('a client count', 0, 100, t), base.clients),
      keys: get('keys', (t) => this.int('a key count', 1, 1_000, t), base.keys),
      thinkUs: get('think', (t) => this.durationRange('a think time', 0, t), base.thinkUs),
      timeoutUs: get('timeout', (t) => this.duration('a timeout', 1, t), base.timeoutUs),
      attempts: get('attempts', (t) => this.int('an attempt count', 1, 1_000, t), base.attempts),
    };
  }

  mix(): Record<OpKind, number> {
    const kv = this.pairs(['get', 'put', 'append', 'cas', 'delete']);
    const mix: Record<OpKind, number> = { get: 0, put: 0, append: 0, cas: 0, delete: 0 };
    for (const [k, t] of kv) mix[k as OpKind] = this.int('a weight', 0, 1_000_000, t);
    if (Object.values(mix).every((w) => w === 0)) this.failLine('mix needs at least one operation with a weight above 0');
    return mix;
  }

  recurring(): { everyUs: Range; forUs: Range; weight: number } {
    const kv = this.pairs(['every', 'for', 'weight']);
    const every = kv.get('every');
    const dur = kv.get('for');
    if (every === undefined || dur === undefined) this.failLine('needs every=MIN..MAX and for=MIN..MAX');
    const w = kv.get('weight');
    return { everyUs: this.durationRange('an interval', 1, every), forUs: this.durationRange('a duration', 1, dur), weight: w === undefined ? 0.5 : this.percent(w) };
  }

  node(what = 'a node (e.g. n1)'): number {
    const t = this.next(what);
    const m = /^n([1-9])$/.exec(t.text);
    if (m === null) this.fail(t, `expected ${what}, got "${t.text}"`);
    return Number(m[1]) - 1;
  }

  action(): FaultAction {
    const t = this.keyword('partition', 'cut', 'isolate', 'heal', 'crash', 'restart', 'pause', 'resume', 'clog', 'corrupt');
    switch (t.text) {
      case 'partition': {
        const groups: number[][] = [[]];
        for (const g of this.rest('nodes separated by |')) {
          if (g.text === '|') {
            groups.push([]);
            continue;
          }
          const m = /^n([1-9])$/.exec(g.text);
          if (m === null) this.fail(g, `expected a node or "|", got "${g.text}"`);
          const id = Number(m[1]) - 1;
          if (groups.some((gr) => gr.includes(id))) this.fail(g, `${g.text} is in two groups`);
          groups[groups.length - 1]!.push(id);
        }
        if (groups.length < 2 || groups.some((g) => g.length === 0)) this.fail(t, 'a partition needs at least two non-empty groups separated by |');
        return { kind: 'partition', groups };
      }
      case 'cut': {
        const from = this.node();
        this.keyword('->');
        const to = this.node();
        return { kind: 'cut', from, to };
      }
      case 'heal':
        return { kind: 'heal' };
      case 'clog': {
        const a = this.node();
        const b = this.node();
        this.keyword('for');
        return { kind: 'clog', a, b, forUs: this.duration('a clog duration', 1) };
      }
      default:
        return { kind: t.text as 'isolate' | 'crash' | 'restart' | 'pause' | 'resume' | 'corrupt', node: this.node() };
    }
  }
}

function parseIntToken(p: LineParser, t: Token, what: string, min: number, max: number, text = t.text): number {
  if (!/^\d+$/.test(text)) p.fail(t, `expected ${what} (an integer), got "${text}"`);
  const v = Number(text);
  if (v < min || v > max) p.fail(t, `${what} must be from ${min} to ${max}, got ${v}`);
  return v;
}

/**
 * What a duration literal means, in microseconds ("1.5ms" → 1500), before any check: null when it is
 * not NUMBER UNIT, and possibly not a whole number. The scenario writer uses it to write only what
 * reads back as the same value.
 */
export function durationLiteralUs(text: string): number | null {
  const m = DURATION.exec(text);
  return m === null ? null : Number(m[1]) * UNIT_US[m[2]!]!;
}

function parseDuration(p: LineParser, t: Token, text: string, what: string, minUs: number): number {
  const us = durationLiteralUs(text);
  if (us === null) p.fail(t, `expected ${what} with a unit (us, ms, s, m), got "${text}"`);
  if (!Number.isInteger(us)) p.fail(t, `${text} is not a whole number of microseconds`);
  if (us < minUs) p.fail(t, `${what} must be at least ${minUs}us`);
  if (us > 1e12) p.fail(t, `${text} is too long`);
  return us;
}

/**
 * What a percentage literal means as a ratio ("2.5%" → 0.025; it divides the number by 100, so "0.7%"
 * is 0.006999999999999999, not 0.007), or null when it is not NUMBER%. The scenario writer uses it to
 * write only what reads back as the same value.
 */
export function percentLiteral(text: string): number | null {
  const m = PERCENT.exec(text);
  return m === null ? null : Number(m[1]) / 100;
}

/** "2%" or a ratio "0.02" (the writer uses a ratio for a value that no percentage reads back as exactly). */
function parsePercent(p: LineParser, t: Token, text: string): number {
  const ratio = /^(0(?:\.\d+)?|1(?:\.0+)?|\d*\.\d+(?:e-\d+)?)$/.exec(text);
  if (ratio !== null && !text.endsWith('%')) {
    const v = Number(text);
    if (!(v >= 0 && v <= 1)) p.fail(t, `${text} is not a ratio between 0 and 1`);
    return v;
  }
  const v = percentLiteral(text);
  if (v === null) p.fail(t, `expected a percentage like 2% or a ratio like 0.02, got "${text}"`);
  if (v > 1) p.fail(t, `${text} is above 100%`);
  return v;
}

/** Node index → name. */
export function nodeName(i: number): string {
  return `n${i + 1}`;
}
