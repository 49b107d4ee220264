// Breakpoints as the runtime checks them after every step, forwards and backwards: invariant
// violations (exception filters), events and rules by name (function breakpoints), lines of the
// scenario and of the trace document, changes of a watched value (data breakpoints). Conditions,
// hit counts and logpoints use the expression language. No DAP here: the session translates.
import type { Role } from '../core';
import {
  describeAction,
  EventKind,
  FAULT_ACTIONS,
  INVARIANT_NAMES,
  INVARIANTS,
  KIND_NAMES,
  type NodeStatus,
  type Scenario,
  type Simulation,
  type SwarmDraw,
} from '../sim';
import { Expr, ExprError, fingerprint, show, type Value } from './expr';
import { simEnv } from './views';

/** Exception filters: one per invariant, any invariant, liveness, node crash, assertion in node code. */
export const EXCEPTION_FILTERS: readonly { readonly id: string; readonly label: string; readonly description: string; readonly default: boolean }[] = [
  { id: 'any-invariant', label: 'Any invariant violation', description: 'Stop when any safety invariant (or linearizability) is violated', default: true },
  { id: 'liveness', label: 'Liveness failure', description: 'Stop when the cluster does not converge after healing', default: true },
  { id: 'assertion', label: 'Assertion in node code', description: 'Stop when the Raft core throws (a violated assertion)', default: true },
  { id: 'node-crash', label: 'Node crash', description: 'Stop when a node crashes or refuses to start', default: false },
  ...INVARIANT_NAMES.map((name) => ({ id: `invariant:${name}`, label: name, description: INVARIANTS[name], default: false })),
];

/**
 * Names a function breakpoint can use besides reason codes: step kinds, message types, faults, role
 * changes, and configChange (any change of a node's configuration).
 */
export const EVENT_NAMES: readonly string[] = [
  ...new Set(KIND_NAMES),
  'PreVote',
  'PreVoteResp',
  'RequestVote',
  'RequestVoteResp',
  'AppendEntries',
  'AppendEntriesResp',
  'Heartbeat',
  'HeartbeatResp',
  'ClientForward',
  'TimeoutNow',
  'ClientForwardReply',
  ...Object.keys(FAULT_ACTIONS),
  'configChange',
  'becomeLeader',
  'becomeCandidate',
  'becomePreCandidate',
  'becomeFollower',
];

export type HitKind = 'exception' | 'breakpoint' | 'function breakpoint' | 'data breakpoint';

export interface Hit {
  readonly kind: HitKind;
  /** Ids of the breakpoints that fired (DAP hitBreakpointIds). */
  readonly ids: readonly number[];
  readonly description: string;
  /** For exceptions: the invariant, its nodes and explanation. */
  readonly exception?: { readonly id: string; readonly description: string; readonly nodes: readonly string[]; readonly step: number };
}

interface Common {
  readonly id: number;
  readonly condition: Expr | null;
  readonly hitCondition: HitCondition | null;
  readonly logMessage: string | null;
  hits: number;
}

export type BreakpointSpec =
  | (Common & { readonly type: 'step'; readonly step: number })
  | (Common & { readonly type: 'scenario-line'; readonly line: number })
  | (Common & { readonly type: 'function'; readonly name: string })
  | (Common & { readonly type: 'data'; readonly expr: Expr; readonly label: string });

export interface HitCondition {
  readonly op: '==' | '>=' | '>' | '%';
  readonly n: number;
}

export function parseHitCondition(text: string): HitCondition {
  const m = /^\s*(==|>=|>|%)?\s*(\d+)\s*$/.exec(text);
  if (m === null || Number(m[2]) < 1) throw new ExprError(`hit count "${text}": expected a number N (the Nth hit), >= N, > N or % N`, 0);
  return { op: (m[1] ?? '==') as HitCondition['op'], n: Number(m[2]) };
}

function hitMatches(c: HitCondition, hits: number): boolean {
  switch (c.op) {
    case '==':
      return hits === c.n;
    case '>=':
      return hits >= c.n;
    case '>':
      return hits > c.n;
    case '%':
      return hits % c.n === 0;
  }
}

/** Replaces `{expr}` in a logpoint message with values; errors are shown in place. */
export function interpolate(message: string, sim: Simulation): string {
  const env = simEnv(sim);
  return message.replace(/\{([^{}]+)\}/g, (_, src: string) => {
    try {
      return show(Expr.parse(src).evaluate(env));
    } catch (e) {
      return `<${(e as Error).message}>`;
    }
  });
}

/** What the runtime needs to know of a state before a step, to see what the step changed (reused: no allocation per step). */
interface Before {
  statuses: NodeStatus[];
  roles: string[];
  data: (string | null)[];
}

/** The set of breakpoints and filters, checked after each step. */
export class Breakpoints {
  filters = new Set(EXCEPTION_FILTERS.filter((f) => f.default).map((f) => f.id));
  specs: BreakpointSpec[] = [];
  private byStep = new Map<number, BreakpointSpec[]>();
  private byLine = new Map<number, BreakpointSpec[]>();
  private functions: BreakpointSpec[] = [];
  private data: (BreakpointSpec & { type: 'data' })[] = [];
  /** Log lines of logpoints hit since the caller last took them. */
  logs: { readonly step: number; readonly text: string }[] = [];

  /** Hit counts start again (the cursor moved back: the same steps will be hit again). */
  resetHits(): void {
    for (const s of this.specs) s.hits = 0;
  }

  replace(type: BreakpointSpec['type'], specs: BreakpointSpec[]): void {
    this.specs = [...this.specs.filter((s) => s.type !== type), ...specs];
    this.byStep = group(this.specs, 'step', (s) => s.step);
    this.byLine = group(this.specs, 'scenario-line', (s) => s.line);
    this.functions = this.specs.filter((s) => s.type === 'function');
    this.data = this.specs.filter((s): s is BreakpointSpec & { type: 'data' } => s.type === 'data');
  }

  private readonly scratch: Before = { statuses: [], roles: [], data: [] };

  /** Records what the checks compare against, before a step (valid until the next call). */
  before(sim: Simulation): Before {
    const b = this.scratch;
    const nodes = sim.nodes;
    b.statuses.length = nodes.length;
    b.roles.length = nodes.length;
    for (let i = 0; i < nodes.length; i++) {
      b.statuses[i] = nodes[i]!.status;
      b.roles[i] = nodes[i]!.state.role;
    }
    b.data.length = this.data.length;
    for (let k = 0; k < this.data.length; k++) b.data[k] = watch(this.data[k]!.expr, sim);
    return b;
  }

  /**
   * Checks the step just taken. `counting`: hit counts advance and logpoints log (going forwards);
   * a backward scan only asks where breakpoints would fire.
   */
  check(sim: Simulation, before: Before, counting: boolean): Hit | null {
    const ex = this.exception(sim, before);
    const hits: Hit[] = ex === null ? [] : [ex];
    const fire = (spec: BreakpointSpec, kind: HitKind, description: string): void => {
      if (!this.passes(spec, sim, counting)) return;
      hits.push({ kind, ids: [spec.id], description });
    };
    for (const spec of this.byStep.get(sim.steps) ?? []) fire(spec, 'breakpoint', `breakpoint at step ${sim.steps}`);
    const e = sim.lastEvent;
    const onLine = e === null || e.src === 0 ? undefined : this.byLine.get(e.src);
    if (e !== null && onLine !== undefined) {
      // Says which statement, and what it did this time (a recurring fault's victim).
      const a = sim.lastAction;
      const what = `scenario line ${e.src} (${statementAt(sim.scenario, e.src)})${a === null ? '' : `: ${describeAction(a)}`}`;
      for (const spec of onLine) fire(spec, 'breakpoint', what);
    }
    if (this.functions.length > 0) {
      const names = stepNames(sim, before);
      for (const spec of this.functions)
        if (spec.type === 'function' && names.has(spec.name)) fire(spec, 'function breakpoint', `function breakpoint ${spec.name}`);
    }
    this.data.forEach((spec, k) => {
      const now = watch(spec.expr, sim);
      const was = before.data[k]!;
      if (now !== was) fire(spec, 'data breakpoint', `${spec.label} changed: ${was ?? '(error)'} → ${now ?? '(error)'}`);
    });
    if (hits.length === 0) return null;
    const first = hits[0]!;
    return { ...first, ids: hits.flatMap((h) => h.ids), description: hits.map((h) => h.description).join('; ') };
  }

  private passes(spec: BreakpointSpec, sim: Simulation, counting: boolean): boolean {
    if (spec.condition !== null) {
      let v: Value;
      try {
        v = spec.condition.evaluate(simEnv(sim));
      } catch {
        return false;
      }
      if (v !== true) return false;
    }
    if (counting) spec.hits++;
    if (spec.hitCondition !== null && !(counting && hitMatches(spec.hitCondition, spec.hits))) return false;
    if (spec.logMessage !== null) {
      if (counting) this.logs.push({ step: sim.steps, text: interpolate(spec.logMessage, sim) });
      return false;
    }
    return true;
  }

  private exception(sim: Simulation, before: Before): Hit | null {
    const out = sim.outcome;
    const f = this.filters;
    if (out !== null && out.violation !== undefined && out.violation.step === sim.steps) {
      const v = out.violation;
      const on =
        (out.verdict === 'safety' && (f.has('any-invariant') || f.has(`invariant:${v.invariant}`))) ||
        (out.verdict === 'liveness' && (f.has('liveness') || f.has(`invariant:${v.invariant}`))) ||
        (out.verdict === 'crash' && f.has('assertion'));
      if (on)
        return {
          kind: 'exception',
          ids: [],
          description: `${v.invariant} violated`,
          exception: { id: v.invariant, description: v.message, nodes: v.nodes, step: v.step },
        };
    }
    if (f.has('node-crash')) {
      for (let i = 0; i < sim.nodes.length; i++) {
        const n = sim.nodes[i]!;
        const was = before.statuses[i]!;
        if ((n.status === 'down' || n.status === 'dead') && was !== n.status && was !== 'dead') {
          const what = n.status === 'dead' ? `${n.id} refused to start: ${n.deadReason ?? ''}` : `${n.id} crashed`;
          return { kind: 'exception', ids: [], description: what, exception: { id: 'NodeCrash', description: what, nodes: [n.id], step: sim.steps } };
        }
      }
    }
    return null;
  }
}

/** The statement on a line of the scenario, without its comment ('' for a blank line or a comment). */
export function statementAt(scenario: Scenario, line: number): string {
  const raw = scenario.text.split(/\r?\n/)[line - 1] ?? '';
  const hash = raw.indexOf('#');
  return (hash < 0 ? raw : raw.slice(0, hash)).trim().replace(/\s+/g, ' ');
}

/** Statements whose steps crash a node. */
const CRASHES: ReadonlySet<string> = new Set(['crash', 'crash-leader', 'crash-after-append', 'crash-after-vote']);

const LINE_HELP =
  'A line breakpoint stops on the steps a scenario line causes: `at` lines, and each occurrence of crash, partition, pause, clog, isolate-leader, crash-leader (every=…), ' +
  'crash-after-append, crash-after-vote and scheduler pct. For anything else, use a function breakpoint (crash, restart, becomeLeader, vote.granted, AppendEntries, tick…) or a condition (n1.term > 3).';

/**
 * Whether a line breakpoint on `line` of the scenario can fire on this seed (`swarm` is its draw):
 * null if it can, else why not — the message of an unverified breakpoint.
 */
export function whyLineNeverFires(scenario: Scenario, swarm: SwarmDraw, seed: number, line: number): string | null {
  if (scenario.schedule.some((f) => f.line === line)) return null;
  const s = scenario;
  const chance = (f: { readonly chance: { readonly max: number } } | null): string =>
    f !== null && f.chance.max === 0 ? 'its chance is 0%' : 'swarm testing switched it off';
  const faults: readonly { readonly name: string; readonly line: number | undefined; readonly on: boolean; readonly why: string }[] = [
    { name: 'crash', line: s.crash?.line, on: swarm.crash !== null, why: 'swarm testing switched it off' },
    { name: 'partition', line: s.partition?.line, on: swarm.partition !== null, why: 'swarm testing switched it off' },
    { name: 'pause', line: s.pause?.line, on: swarm.pause !== null, why: 'swarm testing switched it off' },
    { name: 'clog', line: s.clog?.line, on: swarm.clog !== null, why: 'swarm testing switched it off' },
    { name: 'isolate-leader', line: s.isolateLeader?.line, on: swarm.isolateLeader !== null, why: 'swarm testing switched it off' },
    { name: 'crash-leader', line: s.crashLeader?.line, on: swarm.crashLeader !== null, why: 'swarm testing switched it off' },
    { name: 'crash-after-append', line: s.crashAfterAppend?.line, on: swarm.crashAfterAppend !== null, why: chance(s.crashAfterAppend) },
    { name: 'crash-after-vote', line: s.crashAfterVote?.line, on: swarm.crashAfterVote !== null, why: chance(s.crashAfterVote) },
    {
      name: 'scheduler pct',
      line: s.pct?.line,
      on: swarm.pct !== null && swarm.pct.depth > 0,
      why: swarm.pct === null ? 'swarm testing switched it off' : 'it drew depth 0: no change of priorities',
    },
  ];
  const f = faults.find((x) => x.line === line);
  if (f !== undefined) {
    if (f.on) return null;
    const off = `${f.name} is off for seed ${seed} (${f.why}); it never fires on this seed.`;
    if (!CRASHES.has(f.name)) return off;
    // Crashes do happen on most seeds, by another statement: say which (the user wanted to stop on one).
    const others = [
      ...faults.filter((x) => CRASHES.has(x.name) && x.on && x.line !== undefined).map((x) => `${x.name} (line ${x.line})`),
      ...s.schedule.filter((x) => x.action.kind === 'crash').map((x) => `at (line ${x.line})`),
    ];
    return `${off} ${others.length === 0 ? 'No node crashes on this seed.' : `Nodes crash on this seed by ${others.join(', ')}; a function breakpoint on crash stops on every crash.`}`;
  }
  const lines = s.text.split(/\r?\n/);
  if (line < 1 || line > lines.length || (line === lines.length && lines[line - 1] === '')) return `line ${line} is past the end of the scenario. ${LINE_HELP}`;
  const stmt = statementAt(s, line);
  if (stmt === '') return `line ${line} is ${lines[line - 1]!.trim() === '' ? 'empty' : 'a comment'}. ${LINE_HELP}`;
  if (s.delay?.line === line) return `\`delay\` holds messages back: it is not a step of its own. ${LINE_HELP}`;
  return `\`${stmt}\` is a setting of the run, not a step of it. ${LINE_HELP}`;
}

function group<T extends BreakpointSpec['type']>(
  specs: readonly BreakpointSpec[],
  type: T,
  key: (s: BreakpointSpec & { type: T }) => number,
): Map<number, BreakpointSpec[]> {
  const m = new Map<number, BreakpointSpec[]>();
  for (const s of specs) {
    if (s.type !== type) continue;
    const k = key(s as BreakpointSpec & { type: T });
    m.set(k, [...(m.get(k) ?? []), s]);
  }
  return m;
}

function watch(expr: Expr, sim: Simulation): string | null {
  try {
    return fingerprint(expr.evaluate(simEnv(sim)));
  } catch {
    return null;
  }
}

const BECOME: Readonly<Record<Role, string>> = {
  follower: 'becomeFollower',
  'pre-candidate': 'becomePreCandidate',
  candidate: 'becomeCandidate',
  leader: 'becomeLeader',
};

/** The names a function breakpoint matches at this step. */
export function stepNames(sim: Simulation, before: { readonly roles: readonly string[] }): Set<string> {
  const names = new Set<string>(sim.lastReasons);
  // Any change of a node's configuration: started, appended, reverted, a promotion, a removed leader stepping down.
  for (const r of sim.lastReasons) if (r.startsWith('config.') && !r.startsWith('config.reject')) names.add('configChange');
  const e = sim.lastEvent;
  if (e !== null) {
    names.add(KIND_NAMES[e.kind]!);
    if (e.kind === EventKind.Deliver) names.add(e.msg.type);
    if (sim.lastAction !== null) names.add(sim.lastAction.kind);
  }
  const i = sim.lastNode;
  if (i >= 0) {
    const role = sim.nodes[i]!.state.role;
    if (role !== before.roles[i]) names.add(BECOME[role]);
  }
  return names;
}
