// The breakpoint requests of a debug session: exception filters, line breakpoints (of the
// scenario, and of the trace's step documents), function breakpoints (events, rules) and data
// breakpoints (a value that changes) — checked and turned into the runtime's breakpoint specs.
// Line breakpoints usually come before launch has read the scenario: they wait for it (and get a
// provisional answer if no launch comes), then are answered for what the scenario can fire.
import { BreakpointEvent } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { REASONS } from '../core';
import { EXCEPTION_FILTERS, EVENT_NAMES, parseHitCondition, whyLineNeverFires, type BreakpointSpec } from './breakpoints';
import { AdapterError, ERR } from './errors';
import { Expr, isSeq } from './expr';
import { SEGMENT_STEPS, type SimRuntime } from './runtime';
import { simEnv } from './views';

/** What a breakpoint's source is to this session. */
export type SourceKind =
  | { readonly kind: 'scenario' }
  | { readonly kind: 'trace'; readonly segment: number }
  | { readonly kind: 'other'; readonly message: string };

/** What the breakpoint requests need of the session. */
export interface BreakpointHost {
  /** The runtime, once launch has made it. */
  readonly runtimeOrNull: SimRuntime | null;
  /** The runtime, or the session's "launch first" error. */
  runtime(): SimRuntime;
  /** Why there is no scenario to verify line breakpoints against (the launch failed, the session ended), if so. */
  readonly noScenario: string | null;
  readonly launchStarted: boolean;
  sourceKind(source: DebugProtocol.Source): SourceKind;
  sendResponse(response: DebugProtocol.Response): void;
  sendEvent(event: DebugProtocol.Event): void;
  /** Runs f and sends the response, or an error response if f throws. */
  guard(response: DebugProtocol.Response, f: () => void): void;
}

/**
 * How long line breakpoints sent before any launch request wait for one before a provisional
 * (unverified) answer: a client that sends launch only after its breakpoints are answered must
 * not wait forever. The honest answer follows as `breakpoint` events once the scenario is loaded.
 */
const EARLY_BREAKPOINTS_MS = 1000;

let nextBreakpointId = 1;

export class BreakpointRequests {
  /** Breakpoints set before launch (the client configures before the runtime exists). */
  private pending: (() => void)[] = [];
  /**
   * setBreakpoints requests that came before the scenario was loaded: nothing about their lines
   * can be known yet, so they are answered once launch has loaded it (or failed). `ids` are set
   * when a provisional answer went out (no launch came in time): the real one follows as events.
   */
  private early: { readonly response: DebugProtocol.SetBreakpointsResponse; readonly args: DebugProtocol.SetBreakpointsArguments; ids: number[] | null }[] = [];
  private earlyTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly host: BreakpointHost) {}

  /** Launch made the runtime: apply what was configured before. */
  flushPending(): void {
    for (const p of this.pending) p();
    this.pending = [];
  }

  private configure(f: () => void): void {
    if (this.host.runtimeOrNull === null) this.pending.push(f);
    else f();
  }

  exceptionFilters(filters: readonly string[]): DebugProtocol.Breakpoint[] {
    const known = new Set(EXCEPTION_FILTERS.map((f) => f.id));
    const unknown = filters.filter((f) => !known.has(f));
    if (unknown.length > 0) throw new AdapterError(ERR.request, `unknown exception filter(s): ${unknown.join(', ')}`);
    this.configure(() => {
      this.host.runtime().breakpoints.filters = new Set(filters);
    });
    return filters.map(() => ({ verified: true }));
  }

  /** setBreakpoints: answered now once the scenario is known (or cannot be), else when launch has read it. */
  lines(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    if (this.host.runtimeOrNull !== null || this.host.noScenario !== null) {
      this.host.guard(response, () => {
        response.body = { breakpoints: this.lineBreakpoints(args, null) };
      });
      return;
    }
    // VS Code sends breakpoints right after `initialized`, usually before launch has read the
    // scenario: whether a line can fire is not known yet. Launch answers them once it has.
    this.early.push({ response, args, ids: null });
    if (!this.host.launchStarted && this.earlyTimer === null) this.earlyTimer = setTimeout(() => this.answerProvisionally(), EARLY_BREAKPOINTS_MS);
  }

  /** No launch came: answers the waiting breakpoints as not verified yet (events follow once launched). */
  private answerProvisionally(): void {
    this.earlyTimer = null;
    if (this.host.launchStarted) return;
    for (const x of this.early) {
      if (x.ids !== null) continue;
      x.ids = (x.args.breakpoints ?? []).map(() => nextBreakpointId++);
      const ids = x.ids;
      x.response.body = {
        breakpoints: (x.args.breakpoints ?? []).map((b, k) => ({
          id: ids[k]!,
          verified: false,
          line: b.line,
          message: 'not verified yet: no scenario is loaded (waiting for the launch request)',
        })),
      };
      this.host.sendResponse(x.response);
    }
  }

  /**
   * Answers the breakpoints that came before the scenario was loaded (launch has loaded it, or
   * failed); `update`: those answered provisionally get the real answer as `breakpoint` events.
   */
  answerEarly(update = true): void {
    if (this.earlyTimer !== null) clearTimeout(this.earlyTimer);
    this.earlyTimer = null;
    const early = this.early;
    this.early = [];
    for (const x of early) {
      if (x.ids === null) {
        this.host.guard(x.response, () => {
          x.response.body = { breakpoints: this.lineBreakpoints(x.args, null) };
        });
      } else if (update) {
        for (const b of this.lineBreakpoints(x.args, x.ids)) this.host.sendEvent(new BreakpointEvent('changed', b));
      }
    }
  }

  /**
   * Sets the line breakpoints of one source and says which can fire. Each source keeps its own:
   * this session's scenario (its lines that cause steps on this seed) and each trace document
   * (one line = one step). Any other file is answered unverified and changes nothing here.
   */
  private lineBreakpoints(args: DebugProtocol.SetBreakpointsArguments, ids: readonly number[] | null): DebugProtocol.Breakpoint[] {
    const bps = args.breakpoints ?? [];
    const idOf = (k: number): number => ids?.[k] ?? nextBreakpointId++;
    const rt = this.host.runtimeOrNull;
    const refused = (message: string): DebugProtocol.Breakpoint[] => bps.map((b, k) => ({ id: idOf(k), verified: false, line: b.line, message }));
    if (rt === null) return refused(`not verified: ${this.host.noScenario ?? 'no scenario is loaded'}`);
    const where = this.host.sourceKind(args.source);
    if (where.kind === 'other') return refused(where.message);
    const specs: BreakpointSpec[] = [];
    const answers = bps.map((b, k): DebugProtocol.Breakpoint => {
      const id = idOf(k);
      try {
        const common = commonSpec(b.condition, b.hitCondition, b.logMessage, id);
        const why = where.kind === 'scenario' ? whyLineNeverFires(rt.scenario, rt.sim.swarm, rt.seed, b.line) : null;
        if (why !== null) return { id, verified: false, line: b.line, message: why };
        specs.push(
          where.kind === 'scenario'
            ? { ...common, type: 'scenario-line', line: b.line }
            : { ...common, type: 'step', step: where.segment * SEGMENT_STEPS + b.line },
        );
        return { id, verified: true, line: b.line };
      } catch (e) {
        return { id, verified: false, line: b.line, message: (e as Error).message };
      }
    });
    const bp = rt.breakpoints;
    if (where.kind === 'scenario') bp.replace('scenario-line', specs);
    else {
      // Trace-document breakpoints of the other segments stay.
      const lo = where.segment * SEGMENT_STEPS;
      const keep = bp.specs.filter((x) => x.type === 'step' && (x.step <= lo || x.step > lo + SEGMENT_STEPS));
      bp.replace('step', [...keep, ...specs]);
    }
    return answers;
  }

  functions(breakpoints: readonly DebugProtocol.FunctionBreakpoint[]): DebugProtocol.Breakpoint[] {
    const specs: BreakpointSpec[] = [];
    const answers = breakpoints.map((b): DebugProtocol.Breakpoint => {
      try {
        const name = b.name.trim();
        if (!isEventName(name))
          return { verified: false, message: `unknown event or rule "${name}" (e.g. becomeLeader, AppendEntries, vote.granted, crash, tick)` };
        const spec: BreakpointSpec = { ...commonSpec(b.condition, b.hitCondition, undefined), type: 'function', name };
        specs.push(spec);
        return { id: spec.id, verified: true };
      } catch (e) {
        return { verified: false, message: (e as Error).message };
      }
    });
    this.configure(() => this.host.runtime().breakpoints.replace('function', specs));
    return answers;
  }

  /** dataBreakpointInfo: whether the value at `path` can be watched. */
  dataInfo(path: string): DebugProtocol.DataBreakpointInfoResponse['body'] {
    const why = this.unwatchable(path);
    return why === null ? { dataId: path, description: `${path} changes`, accessTypes: ['write'], canPersist: true } : { dataId: null, description: why };
  }

  data(breakpoints: readonly DebugProtocol.DataBreakpoint[]): DebugProtocol.Breakpoint[] {
    const specs: BreakpointSpec[] = [];
    const answers = breakpoints.map((b): DebugProtocol.Breakpoint => {
      try {
        const why = this.unwatchable(b.dataId);
        if (why !== null) return { verified: false, message: why };
        const spec: BreakpointSpec = { ...commonSpec(b.condition, b.hitCondition, undefined), type: 'data', expr: Expr.parse(b.dataId), label: b.dataId };
        specs.push(spec);
        return { id: spec.id, verified: true };
      } catch (e) {
        return { verified: false, message: (e as Error).message };
      }
    });
    this.configure(() => this.host.runtime().breakpoints.replace('data', specs));
    return answers;
  }

  /** Null if `path` names a value a data breakpoint can watch (a number, string, boolean or null), else why not. */
  private unwatchable(path: string): string | null {
    let e: Expr;
    try {
      e = Expr.parse(path);
    } catch (err) {
      return (err as Error).message;
    }
    if (!e.isPath) return `${path}: only a path like n2.commit can be watched`;
    const rt = this.host.runtimeOrNull;
    if (rt === null) return null;
    try {
      const v = e.evaluate(simEnv(rt.sim));
      if (v !== null && typeof v === 'object')
        return `${path} is ${isSeq(v) || Array.isArray(v) ? 'a list' : 'a record'}: watch one of its values (e.g. n2.lastIndex, n2.commit)`;
    } catch (err) {
      return (err as Error).message;
    }
    return null;
  }
}

function commonSpec(
  condition: string | undefined,
  hit: string | undefined,
  log: string | undefined,
  id = nextBreakpointId++,
): Omit<BreakpointSpec & { type: 'step' }, 'type' | 'step'> {
  return {
    id,
    condition: condition === undefined || condition.trim() === '' ? null : Expr.parse(condition),
    hitCondition: hit === undefined || hit.trim() === '' ? null : parseHitCondition(hit),
    logMessage: log === undefined || log === '' ? null : log,
    hits: 0,
  };
}

function isEventName(name: string): boolean {
  return EVENT_NAMES.includes(name) || Object.hasOwn(REASONS, name);
}
