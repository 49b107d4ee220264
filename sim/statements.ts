// Every statement of the .raftsim language, once: its usage, what it means, its default, how its
// arguments are read into a scenario and how a scenario's value is written back. The parser
// (scenario.ts), the writer of shrunk scenarios (formatScenario), the language server (completion,
// hover) and sim/SCENARIOS.md (generated from this table; a test keeps it so) all read this table.
import { checkNodes, LineParser, type Token } from './scenario-lexer';
import { fmtAction, fmtDuration, fmtDurationRange, fmtRatio, fmtRatioRange } from './scenario-format';
import { DEFAULTS, FAULT_ACTIONS, type FaultAction, type Mutable, type RecurringFault, type Scenario, type ScheduledFault } from './scenario-model';

/** What a statement's reader may use besides its arguments. */
export interface StatementContext {
  readonly file: string;
  readonly line: number;
  /** The statement's own token (errors about the whole value point at it). */
  readonly head: Token;
  readonly tokens: readonly Token[];
  /** Invariant and bug names (they live in other modules). */
  readonly known: { readonly invariants: readonly string[]; readonly bugs: readonly string[] };
  /** The scheduled faults read so far (`at` lines). */
  readonly schedule: ScheduledFault[];
  /** Checks to run once the whole file is read (an `at` line's nodes depend on `nodes`, which may come later). */
  readonly later: (() => void)[];
}

export interface Statement {
  readonly usage: string;
  /** What it does, for hover, completion and SCENARIOS.md. */
  readonly doc: string;
  /** The default, as SCENARIOS.md shows it. */
  readonly default: string;
  /** A targeted fault (SCENARIOS.md lists them in a table of their own). */
  readonly targeted?: true;
  /** Reads the statement's arguments into the scenario being built. */
  readonly parse: (p: LineParser, s: Mutable<Scenario>, c: StatementContext) => void;
  /** The lines that write the scenario's value back; none when it is the default. */
  readonly format: (s: Scenario) => readonly string[];
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const when = (cond: boolean, line: () => string): readonly string[] => (cond ? [line()] : []);
const onOff = (x: number): string => (x === 1 ? 'on' : x === 0 ? 'off' : fmtRatio(x));
const weight = (w: number): string => (w === 0.5 ? '' : ` weight=${fmtRatio(w)}`);
const intRange = (r: { readonly min: number; readonly max: number }): string => (r.min === r.max ? `${r.min}` : `${r.min}..${r.max}`);

type RecurringKey = 'crash' | 'partition' | 'pause' | 'clog' | 'isolateLeader' | 'crashLeader';

/** A fault that recurs at random: `NAME every=MIN..MAX for=MIN..MAX [weight=P%]`. */
function recurring(name: string, key: RecurringKey, doc: string, targeted = false): Statement {
  return {
    usage: `${name} every=MIN..MAX for=MIN..MAX [weight=P%]`,
    doc,
    default: 'off',
    ...(targeted ? { targeted: true as const } : {}),
    parse: (p, s, c) => {
      s[key] = { line: c.line, ...p.recurring() };
    },
    format: (s) => {
      const f: RecurringFault | null = s[key];
      return f === null ? [] : [`${name} every=${fmtDurationRange(f.everyUs)} for=${fmtDurationRange(f.forUs)}${weight(f.weight)}`];
    },
  };
}

/** A targeted crash after a step: `NAME chance=P%[..Q%] for=MIN..MAX [weight=P%]`. */
function crashAfter(name: string, key: 'crashAfterVote' | 'crashAfterAppend', doc: string): Statement {
  return {
    usage: `${name} chance=P%[..Q%] for=MIN..MAX [weight=P%]`,
    doc,
    default: 'off',
    targeted: true,
    parse: (p: LineParser, s, c) => {
      const kv = p.pairs(['chance', 'for', 'weight']);
      const chance = kv.get('chance');
      const dur = kv.get('for');
      if (chance === undefined || dur === undefined) p.failLine('needs chance=P% and for=MIN..MAX');
      const w = kv.get('weight');
      s[key] = { chance: p.percentRange(chance), forUs: p.durationRange('a down time', 1, dur), weight: w === undefined ? 0.5 : p.percent(w), line: c.line };
    },
    format: (s) => {
      const f = s[key];
      return f === null ? [] : [`${name} chance=${fmtRatioRange(f.chance)} for=${fmtDurationRange(f.forUs)}${weight(f.weight)}`];
    },
  };
}

/** A switch: `NAME on|off|P%` (P%: the chance per seed that it is on). */
function onOffChance(name: string, key: 'preVote' | 'checkQuorum' | 'earlyAppends', doc: string): Statement {
  return {
    usage: `${name} on|off|P%`,
    doc,
    default: onOff(DEFAULTS[key]),
    parse: (p, s) => {
      s[key] = p.onOffChance();
    },
    format: (s) => when(s[key] !== DEFAULTS[key], () => `${name} ${onOff(s[key])}`),
  };
}

/** A rate the swarm draws per seed: `NAME P%[..Q%]`. */
function rate(name: string, key: 'drop' | 'duplicate' | 'corrupt', doc: string): Statement {
  return {
    usage: `${name} P%[..Q%]`,
    doc,
    default: '0%',
    parse: (p, s) => {
      s[key] = p.percentRange();
    },
    format: (s) => when(!same(s[key], DEFAULTS[key]), () => `${name} ${fmtRatioRange(s[key])}`),
  };
}

/** A targeted fault asked of the leader at random times, with no duration: `NAME every=MIN..MAX [weight=P%]`. */
function everyOnly(name: string, key: 'transferLeader' | 'churn', doc: string): Statement {
  return {
    usage: `${name} every=MIN..MAX [weight=P%]`,
    doc,
    default: 'off',
    targeted: true,
    parse: (p: LineParser, s, c) => {
      const kv = p.pairs(['every', 'weight']);
      const every = kv.get('every');
      if (every === undefined) p.failLine('needs every=MIN..MAX');
      const w = kv.get('weight');
      s[key] = { everyUs: p.durationRange('an interval', 1, every), forUs: { min: 0, max: 0 }, weight: w === undefined ? 0.5 : p.percent(w), line: c.line };
    },
    format: (s) => {
      const f = s[key];
      return f === null ? [] : [`${name} every=${fmtDurationRange(f.everyUs)}${weight(f.weight)}`];
    },
  };
}

/**
 * The statements, in the order of SCENARIOS.md and of completion. (formatScenario writes the pinned
 * `seed` first and the scheduled faults last, the others in this order.)
 */
export const STATEMENTS: Readonly<Record<string, Statement>> = {
  nodes: {
    usage: 'nodes N | nodes MIN..MAX',
    doc: 'Cluster size, 1–9 nodes named n1…nN; with a range each seed draws its size (`at` lines may name only nodes of the smallest size).',
    default: '5',
    parse: (p, s) => {
      const r = p.intRangeToken(p.next('a node count'), 'a node count', 1, 9);
      s.nodes = r.max;
      s.nodesMin = r.min;
    },
    format: (s) =>
      when(s.nodes !== DEFAULTS.nodes || s.nodesMin !== DEFAULTS.nodesMin, () =>
        s.nodesMin === s.nodes ? `nodes ${s.nodes}` : `nodes ${s.nodesMin}..${s.nodes}`,
      ),
  },
  spares: {
    usage: 'spares N',
    doc: 'Nodes outside the cluster at the start, waiting to be added (`add`, `churn`): with `nodes 3`, `spares 2` are n4 and n5 (numbered after the size each seed draws). At most 9 nodes in all.',
    default: '0',
    parse: (p, s, c) => {
      s.spares = p.int('a spare count', 0, 8);
      c.later.push(() => {
        if (s.nodes + s.spares > 9) new LineParser(c.file, c.line, c.tokens).failLine(`${s.nodes} nodes and ${s.spares} spares make more than 9 nodes`);
      });
    },
    format: (s) => when(s.spares !== DEFAULTS.spares, () => `spares ${s.spares}`),
  },
  tick: {
    usage: 'tick DURATION',
    doc: "Virtual length of one tick of a node's clock.",
    default: '10ms',
    parse: (p, s) => {
      s.tickUs = p.duration('a tick length', 1);
    },
    format: (s) => when(s.tickUs !== DEFAULTS.tickUs, () => `tick ${fmtDuration(s.tickUs)}`),
  },
  election: {
    usage: 'election MIN..MAX',
    doc: 'Randomized election timeout, in ticks (Raft §5.2).',
    default: '10..20',
    parse: (p, s, c) => {
      s.electionTicks = p.intRange('election ticks', 2, 1_000);
      if (s.electionTicks.max === s.electionTicks.min) p.fail(c.head, 'the election range needs MAX > MIN so timeouts can differ');
    },
    format: (s) => when(!same(s.electionTicks, DEFAULTS.electionTicks), () => `election ${s.electionTicks.min}..${s.electionTicks.max}`),
  },
  heartbeat: {
    usage: 'heartbeat TICKS',
    doc: 'Ticks between leader heartbeats.',
    default: '1',
    parse: (p, s) => {
      s.heartbeatTicks = p.int('heartbeat ticks', 1, 1_000);
    },
    format: (s) => when(s.heartbeatTicks !== DEFAULTS.heartbeatTicks, () => `heartbeat ${s.heartbeatTicks}`),
  },
  batch: {
    usage: 'batch N | batch MIN..MAX',
    doc: 'Most entries in one AppendEntries; with a range each seed draws its own (small batches give more interleavings).',
    default: '64',
    parse: (p, s) => {
      s.batch = p.intRangeToken(p.next('a batch size'), 'a batch size', 1, 10_000);
    },
    format: (s) => when(!same(s.batch, DEFAULTS.batch), () => `batch ${intRange(s.batch)}`),
  },
  snapshot: {
    usage: 'snapshot N | snapshot MIN..MAX [P%]',
    doc: 'Log compaction (Raft §7): every N applied entries a node snapshots its state machine and drops its log up to its previous snapshot; followers too far behind get InstallSnapshot. 0 = off; with a range each seed draws its own; with P%, only that share of the seeds compacts at all (the others repair logs without snapshots).',
    default: '0 (off)',
    parse: (p, s) => {
      s.snapshot = p.intRangeToken(p.next('a number of entries'), 'a number of entries between snapshots', 0, 1_000_000);
      s.snapshotChance = p.peek() === undefined ? 1 : p.onOffChance();
    },
    format: (s) =>
      when(
        !same(s.snapshot, DEFAULTS.snapshot) || s.snapshotChance !== DEFAULTS.snapshotChance,
        () => `snapshot ${intRange(s.snapshot)}${s.snapshotChance < 1 ? ` ${fmtRatio(s.snapshotChance)}` : ''}`,
      ),
  },
  prevote: onOffChance('prevote', 'preVote', 'Pre-vote before elections (thesis §9.6); with P%, each seed runs with it at that chance.'),
  checkquorum: onOffChance('checkquorum', 'checkQuorum', 'Leaders step down without a quorum (thesis §6.2); with P%, each seed runs with it at that chance.'),
  'early-appends': onOffChance(
    'early-appends',
    'earlyAppends',
    "A leader's AppendEntries, heartbeats and snapshots leave before its own fsync (the Persist contract's allowance, thesis §10.2.1, as etcd and `liferaft node` do); with P%, each seed runs with it at that chance.",
  ),
  latency: {
    usage: 'latency uniform MIN..MAX | latency exp MEAN cap CAP',
    doc: 'One-way message delay; reordering comes from it.',
    default: 'uniform 1ms..10ms',
    parse: (p, s) => {
      s.latency = p.latency();
    },
    format: (s) =>
      when(!same(s.latency, DEFAULTS.latency), () =>
        s.latency.kind === 'uniform'
          ? `latency uniform ${fmtDuration(s.latency.minUs)}..${fmtDuration(s.latency.maxUs)}`
          : `latency exp ${fmtDuration(s.latency.meanUs)} cap ${fmtDuration(s.latency.capUs)}`,
      ),
  },
  drop: rate('drop', 'drop', 'Chance a message is lost (the swarm draws one value per seed in the range).'),
  duplicate: rate('duplicate', 'duplicate', 'Chance a message is delivered twice (drawn per seed).'),
  drift: {
    usage: 'drift P%[..Q%]',
    doc: "Largest deviation of a node's tick length (clock drift), drawn per node; at most 50%.",
    default: '0%',
    parse: (p, s, c) => {
      s.drift = p.percentRange();
      if (s.drift.max > 0.5) p.fail(c.head, 'drift above 50% is not supported');
    },
    format: (s) => when(!same(s.drift, DEFAULTS.drift), () => `drift ${fmtRatioRange(s.drift)}`),
  },
  sync: {
    usage: 'sync MIN..MAX',
    doc: 'Time for a disk write to become durable (fsync); messages and replies wait for it.',
    default: '0 (immediate)',
    parse: (p, s) => {
      s.syncUs = p.durationRange('a sync time', 0);
    },
    format: (s) => when(!same(s.syncUs, DEFAULTS.syncUs), () => `sync ${fmtDurationRange(s.syncUs)}`),
  },
  torn: {
    usage: 'torn P%',
    doc: 'On a crash, the chance that the first unsynced write that did not reach the disk is torn.',
    default: '0%',
    parse: (p, s) => {
      s.torn = p.percent();
    },
    format: (s) => when(s.torn !== DEFAULTS.torn, () => `torn ${fmtRatio(s.torn)}`),
  },
  corrupt: rate('corrupt', 'corrupt', 'Chance per crash that a synced record rots (detected by checksum: the node then refuses to start).'),
  workload: {
    usage: 'workload clients=N keys=N think=MIN..MAX timeout=D attempts=N',
    doc: 'Key/value clients with sessions, timeouts and retries.',
    default: 'clients=3 keys=4 think=10ms..100ms timeout=500ms attempts=10',
    parse: (p, s) => {
      s.workload = p.workload(s.workload);
    },
    format: (s) => {
      const w = s.workload;
      const d = DEFAULTS.workload;
      const parts = [
        w.clients !== d.clients ? `clients=${w.clients}` : '',
        w.keys !== d.keys ? `keys=${w.keys}` : '',
        !same(w.thinkUs, d.thinkUs) ? `think=${fmtDurationRange(w.thinkUs)}` : '',
        w.timeoutUs !== d.timeoutUs ? `timeout=${fmtDuration(w.timeoutUs)}` : '',
        w.attempts !== d.attempts ? `attempts=${w.attempts}` : '',
      ].filter((x) => x !== '');
      return when(parts.length > 0, () => `workload ${parts.join(' ')}`);
    },
  },
  mix: {
    usage: 'mix get=W put=W append=W cas=W delete=W',
    doc: 'Relative weights of the operations.',
    default: 'get=40 put=20 append=15 cas=15 delete=10',
    parse: (p, s) => {
      s.workload = { ...s.workload, mix: p.mix() };
    },
    format: (s) =>
      when(
        !same(s.workload.mix, DEFAULTS.workload.mix),
        () =>
          `mix ${Object.entries(s.workload.mix)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`,
      ),
  },
  crash: recurring('crash', 'crash', 'Random crashes (volatile state and unsynced writes lost), restarted after `for`.'),
  partition: recurring('partition', 'partition', 'Random partitions: split the cluster, isolate one node, or cut one link one way.'),
  pause: recurring('pause', 'pause', 'Random process pauses (SIGSTOP-like): ticks stop, messages wait.'),
  clog: recurring('clog', 'clog', 'Random clogged links: messages wait until the clog clears.'),
  'isolate-leader': recurring(
    'isolate-leader',
    'isolateLeader',
    'Targeted: cut whichever node is leader off from everyone (deposed leaders, stale reads, conflicting suffixes).',
    true,
  ),
  'crash-leader': recurring(
    'crash-leader',
    'crashLeader',
    'Targeted: crash whichever node is leader, restart it after `for` (elections, Figure 8 histories).',
    true,
  ),
  'transfer-leader': everyOnly(
    'transfer-leader',
    'transferLeader',
    'Targeted: ask whichever node leads to hand leadership to another running node (thesis §3.10: it catches it up, takes no writes meanwhile, tells it to campaign; it gives up after an election timeout).',
  ),
  churn: everyOnly(
    'churn',
    'churn',
    'Targeted: ask whichever node leads to change the configuration by one server (thesis §4.1): add a node outside it (a spare, or one removed earlier) or remove a member (the leader too), keeping at least 3 voters (or the cluster size, if smaller).',
  ),
  delay: {
    usage: 'delay chance=P%[..Q%] by=MIN..MAX [weight=P%]',
    doc: 'Targeted: an election message or an acknowledgement (PreVote, RequestVote, their responses, append acks) is held back by `by`, past a term change; half of the time the original goes through and a late copy follows.',
    default: 'off',
    targeted: true,
    parse: (p: LineParser, s, c) => {
      const kv = p.pairs(['chance', 'by', 'weight']);
      const chance = kv.get('chance');
      const by = kv.get('by');
      if (chance === undefined || by === undefined) p.failLine('needs chance=P% and by=MIN..MAX');
      const w = kv.get('weight');
      s.delay = { chance: p.percentRange(chance), byUs: p.durationRange('a delay', 1, by), weight: w === undefined ? 0.5 : p.percent(w), line: c.line };
    },
    format: (s) => (s.delay === null ? [] : [`delay chance=${fmtRatioRange(s.delay.chance)} by=${fmtDurationRange(s.delay.byUs)}${weight(s.delay.weight)}`]),
  },
  'crash-after-vote': crashAfter('crash-after-vote', 'crashAfterVote', 'Targeted: a node crashes right after it granted a vote (durability of votes).'),
  'crash-after-append': crashAfter(
    'crash-after-append',
    'crashAfterAppend',
    'Targeted: a leader crashes right after a step that sent new entries — a chance on each of its first 16 such steps in a term (partial replication, Figure 8 histories).',
  ),
  'split-votes': {
    usage: 'split-votes P%[..Q%]',
    doc: 'Targeted: the chance per seed that all election timeouts are nearly equal, so elections collide (lifted in the liveness phase).',
    default: 'off',
    targeted: true,
    parse: (p, s) => {
      s.splitVotes = p.percentRange();
    },
    format: (s) => (s.splitVotes === null ? [] : [`split-votes ${fmtRatioRange(s.splitVotes)}`]),
  },
  scheduler: {
    usage: 'scheduler pct depth=MIN..MAX step=MIN..MAX',
    doc: "Targeted, PCT-style scheduling: nodes get priorities, lower ones' messages lag by `step` per rank, and priorities change at `depth` random points.",
    default: 'off',
    targeted: true,
    parse: (p: LineParser, s, c) => {
      p.keyword('pct');
      const kv = p.pairs(['depth', 'step']);
      const depth = kv.get('depth');
      const stepTok = kv.get('step');
      if (depth === undefined || stepTok === undefined) p.failLine('needs depth=MIN..MAX and step=MIN..MAX');
      s.pct = { depth: p.intRangeToken(depth, 'a depth', 0, 100), stepUs: p.durationRange('a delay step', 0, stepTok), line: c.line };
    },
    format: (s) => (s.pct === null ? [] : [`scheduler pct depth=${intRange(s.pct.depth)} step=${fmtDurationRange(s.pct.stepUs)}`]),
  },
  swarm: {
    usage: 'swarm on|off',
    doc: 'Each seed switches every recurring fault kind on or off at random (a targeted one is on at its `weight=`, default 50%).',
    default: 'on',
    parse: (p, s) => {
      s.swarm = p.onOff();
    },
    format: (s) => when(s.swarm !== DEFAULTS.swarm, () => `swarm ${s.swarm ? 'on' : 'off'}`),
  },
  safety: {
    usage: 'safety DURATION',
    doc: 'Length of the phase with faults.',
    default: '10s',
    parse: (p, s) => {
      s.safetyUs = p.duration('a phase length', 0);
    },
    format: (s) => when(s.safetyUs !== DEFAULTS.safetyUs, () => `safety ${fmtDuration(s.safetyUs)}`),
  },
  liveness: {
    usage: 'liveness DURATION',
    doc: 'After healing everything: time allowed to converge (one leader, every client operation answered, every replica caught up); the cluster must then stay converged for one more election timeout.',
    default: '10s',
    parse: (p, s) => {
      s.livenessUs = p.duration('a phase length', 1);
    },
    format: (s) => when(s.livenessUs !== DEFAULTS.livenessUs, () => `liveness ${fmtDuration(s.livenessUs)}`),
  },
  steps: {
    usage: 'steps N',
    doc: 'Step limit of a run; reaching it is a liveness failure.',
    default: '5000000',
    parse: (p, s) => {
      s.maxSteps = p.int('a step limit', 1, 1_000_000_000);
    },
    format: (s) => when(s.maxSteps !== DEFAULTS.maxSteps, () => `steps ${s.maxSteps}`),
  },
  at: {
    usage: 'at TIME ACTION',
    doc: `A scheduled fault inside the safety phase: ${Object.values(FAULT_ACTIONS)
      .map((d) => d.split(' — ')[0])
      .join(', ')}.`,
    default: '—',
    parse: (p, s, c) => {
      const atUs = p.duration('a time', 0);
      const action: FaultAction = p.action();
      c.schedule.push({ atUs, action, line: c.line });
      c.later.push(() => checkNodes(action, s.nodesMin, s.nodes, s.spares, new LineParser(c.file, c.line, c.tokens)));
    },
    format: (s) => s.schedule.map((f) => `at ${fmtDuration(f.atUs)} ${fmtAction(f.action)}`),
  },
  check: {
    usage: 'check all | check INVARIANT...',
    doc: 'Which invariants to check after every step.',
    default: 'all',
    parse: (p, s, c) => {
      const names = p.rest('an invariant name or "all"');
      if (names.length === 1 && names[0]!.text === 'all') {
        s.check = null;
        return;
      }
      for (const n of names) {
        if (n.text === 'all') p.fail(n, '"all" cannot be combined with names');
        if (c.known.invariants.length > 0 && !c.known.invariants.includes(n.text))
          p.fail(n, `unknown invariant "${n.text}" (known: ${c.known.invariants.join(', ')})`);
      }
      s.check = names.map((n) => n.text);
    },
    format: (s) => (s.check === null ? [] : [`check ${s.check.join(' ')}`]),
  },
  bugs: {
    usage: 'bugs NAME...',
    doc: 'Planted bugs to switch on ([BUGS.md](BUGS.md)); off by default.',
    default: 'none',
    parse: (p, s, c) => {
      const names = p.rest('a bug name');
      const known = c.known.bugs;
      for (const n of names) {
        if (!known.includes(n.text))
          p.fail(n, known.length === 0 ? `unknown bug "${n.text}" (no planted bugs exist yet)` : `unknown bug "${n.text}" (known: ${known.join(', ')})`);
      }
      s.bugs = names.map((n) => n.text);
    },
    format: (s) => (s.bugs.length === 0 ? [] : [`bugs ${s.bugs.join(' ')}`]),
  },
  node: {
    usage: 'node PATH',
    doc: "Run your own Raft instead of LifeRaft's core: a JavaScript or TypeScript module with the interface of sim/node-api.ts ([examples/your-node](../examples/your-node/README.md)); PATH is relative to the scenario's folder, without spaces. `--node` on the command line overrides it.",
    default: "LifeRaft's core",
    parse: (p, s, c) => {
      const t = p.next('the path of a node module (.js, .cjs, .mjs or .ts)');
      if (!/\.[cm]?[jt]s$/.test(t.text)) p.fail(t, `"${t.text}" is not a node module: a .js, .cjs, .mjs or .ts file`);
      s.node = { path: t.text, line: c.line };
    },
    format: (s) => (s.node === null ? [] : [`node ${s.node.path}`]),
  },
  seed: {
    usage: 'seed N',
    doc: 'The seed `liferaft run` uses when --seed is not given (shrunk regression scenarios pin theirs).',
    default: '—',
    parse: (p, s) => {
      s.seed = p.int('a seed', 0, Number.MAX_SAFE_INTEGER);
    },
    format: (s) => (s.seed === null ? [] : [`seed ${s.seed}`]),
  },
};

/** The two tables of SCENARIOS.md: every statement's usage, meaning and default. */
export function statementsMarkdown(): string {
  const cell = (t: string): string => t.replace(/\|/g, '\\|');
  const rows = (targeted: boolean): string[] =>
    Object.entries(STATEMENTS)
      .filter(([, st]) => (st.targeted === true) === targeted)
      .map(([, st]) => `| \`${cell(st.usage)}\` | ${cell(st.doc)} | ${cell(st.default)} |`);
  return [
    '| statement | meaning | default |',
    '|---|---|---|',
    ...rows(false),
    '',
    'Targeted faults, aimed at classes of Raft bugs. Under swarm each is on for a seed with chance',
    '`weight=` (default 50%); without swarm each is always on.',
    '',
    '| statement | meaning | default |',
    '|---|---|---|',
    ...rows(true),
  ].join('\n');
}
