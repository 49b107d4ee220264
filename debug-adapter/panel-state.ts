// What the webview panels ask the adapter for (the custom requests of protocol.ts): the whole
// visible state at the current step — nodes, disks, messages in flight, cut links, invariants, the
// verdict — and step summaries for the timeline. Read from the runtime and its simulation here, so
// the session only translates requests.
import { describeSimMessage, KIND_NAMES, nodeName } from '../sim';
import { AdapterError, ERR } from './errors';
import * as protocol from './protocol';
import type { SimRuntime, Stop } from './runtime';
import { traceOf } from './trace-export';
import { inFlight, invariantStatus, invariantsOf, linearizabilityOf } from './views';

/**
 * Answers one of the panels' custom requests (protocol.ts) while stopped: a body, or, for
 * `liferaft/goto`, the stop the move made (the session reports it after answering). Arguments are
 * checked here; a bad one is refused with the request's name.
 */
export function panelRequest(rt: SimRuntime, command: string, args: unknown): { readonly body?: unknown; readonly stop?: Stop } {
  switch (command) {
    case protocol.STATE_REQUEST:
      return { body: stateBody(rt) };
    case protocol.STEPS_REQUEST: {
      const a = args as Partial<protocol.StepsArguments> | undefined;
      const from = Math.max(1, Math.floor(Number(a?.from ?? 1)));
      const count = Math.min(5000, Math.max(0, Math.floor(Number(a?.count ?? 100))));
      if (!Number.isFinite(from) || !Number.isFinite(count)) throw new AdapterError(ERR.request, 'liferaft/steps needs numbers from and count');
      return { body: stepsBody(rt, from, count) };
    }
    case protocol.GOTO_REQUEST: {
      const step = Number((args as Partial<protocol.GotoArguments> | undefined)?.step);
      if (!Number.isSafeInteger(step) || step < 0) throw new AdapterError(ERR.goto, 'liferaft/goto needs a step number ≥ 0');
      return { stop: rt.goto(step) };
    }
    case protocol.TRACE_REQUEST:
      return { body: traceOf(rt) };
    default:
      throw new AdapterError(ERR.request, `unknown request "${command}"`);
  }
}

/**
 * The configuration the panels show (the leader's; with none, the newest a running node holds), and
 * each node's place in it — only in runs that change membership (spares, or a configuration entry).
 */
function membershipView(sim: SimRuntime['sim']): {
  readonly config: NonNullable<protocol.StateResponseBody['config']>;
  readonly place: (n: SimRuntime['sim']['nodes'][number]) => NonNullable<protocol.NodeSnapshot['membership']>;
} | null {
  if (sim.scenario.spares === 0 && sim.nodes.every((n) => n.state.configIndex === 0)) return null;
  let ref = sim.currentLeader();
  if (ref === null) for (const n of sim.nodes) if (n.status !== 'dead' && (ref === null || n.state.configIndex > ref.state.configIndex)) ref = n;
  const s = (ref ?? sim.nodes[0]!).state;
  const voters = new Set<string>(s.members.voters);
  const learners = new Set<string>(s.members.learners);
  return {
    config: { voters: [...s.members.voters], learners: [...s.members.learners], index: s.configIndex, committed: s.configIndex <= s.commit },
    // (A node with an empty bootstrap configuration that never held one with itself in it was never added.)
    place: (n) =>
      voters.has(n.id)
        ? 'voter'
        : learners.has(n.id)
          ? 'learner'
          : n.state.config.peers.length === 0 && !n.state.members.voters.includes(n.id) && !n.state.members.learners.includes(n.id) && n.state.configIndex === 0
            ? 'spare'
            : 'removed',
  };
}

/** The `liferaft/state` answer: everything the panels draw at the current step. */
export function stateBody(rt: SimRuntime): protocol.StateResponseBody {
  const sim = rt.sim;
  const v = sim.outcome?.violation;
  const m = membershipView(sim);
  return {
    step: sim.steps,
    timeUs: sim.time,
    lastStep: rt.lastStep,
    frontier: rt.frontier,
    phase: sim.phase,
    event: rt.describe(sim.steps),
    nodes: sim.nodes.map((n) => ({
      id: n.id,
      status: n.status,
      role: n.state.role,
      term: n.state.term,
      vote: n.state.vote,
      leader: n.state.leader,
      commit: n.state.commit,
      applied: n.state.applied,
      // (A user's node keeps its timers in its own state: no arc rather than a frozen one.)
      electionElapsed: n.driver === null ? n.state.electionElapsed : 0,
      electionTimeout: n.driver === null ? n.state.electionTimeout : 0,
      logTerms: n.state.log.map((e) => e.term as number),
      logStart: n.state.logStart.index,
      progress: n.driver !== null ? {} : Object.fromEntries([...n.state.progress].map(([id, p]) => [id, { match: p.match as number, next: p.next as number }])),
      syncedLength: n.disk.syncedLength,
      ...(n.state.transferee === null ? {} : { transferee: n.state.transferee }),
      ...(m === null ? {} : { membership: m.place(n) }),
    })),
    ...(m === null ? {} : { config: m.config }),
    inFlight: inFlight(sim).map((e) => ({
      id: e.seq,
      from: e.msg.from,
      to: e.msg.to,
      type: e.msg.type,
      term: e.msg.term,
      text: describeSimMessage(e.msg),
      sentAtStep: e.cause,
      sentAtUs: rt.timeline.timeOf(e.cause),
      arrivesUs: e.time,
    })),
    cutLinks: sim.network.cutLinks(),
    invariants: invariantsOf(sim).map((name) => ({ name, status: invariantStatus(sim, name) })),
    violation: v === undefined ? null : { invariant: v.invariant, step: v.step, time: v.time, nodes: v.nodes, message: v.message },
    verdict: sim.outcome?.verdict ?? null,
    linearizability: linearizabilityOf(sim),
    forks: rt.forks.length,
    memory: rt.memory,
  };
}

export function stepsBody(rt: SimRuntime, from: number, count: number): protocol.StepsResponseBody {
  const steps: protocol.StepSummary[] = [];
  const to = Math.min(rt.frontier, from + count - 1);
  for (let s = from; s <= to; s++) {
    const node = rt.timeline.nodeOf(s);
    steps.push({
      step: s,
      timeUs: rt.timeline.timeOf(s),
      node: node < 0 ? null : nodeName(node),
      kind: KIND_NAMES[rt.timeline.kindOf(s)] ?? '?',
      cause: rt.timeline.causeOf(s),
      text: rt.describe(s),
    });
  }
  return { steps, frontier: rt.frontier };
}
