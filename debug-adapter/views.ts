// The simulation's state as the debugger shows it: lazy records over one Simulation (nodes, the
// event of the step, the network, invariants, the clients' history). The same records serve the
// expression language (conditions, console, hovers), the Variables view, and the panels.
import { describeEntry, describeMembers, describeOp, describeReply, type Entry, type Message, type NodeState } from '../core';
import {
  checkHistory,
  describeAction,
  describeOperation,
  fromSimulator,
  describeSimMessage,
  INVARIANT_NAMES,
  INVARIANTS,
  EventKind,
  FOREIGN_INVARIANTS,
  KIND_NAMES,
  LIVENESS_INVARIANTS,
  nodeName,
  RecordDisk,
  type DeliverEvent,
  type HistoryOp,
  type Simulation,
} from '../sim';
import type { LinearizabilitySnapshot } from './protocol';
import type { Env, Rec, Seq, Value } from './expr';

export function rec(fields: Readonly<Record<string, () => Value>>, id?: string, summary?: string): Rec {
  const names = Object.keys(fields);
  return {
    kind: 'record',
    ...(id === undefined ? {} : { id }),
    ...(summary === undefined ? {} : { summary }),
    field: (name) => (Object.hasOwn(fields, name) ? fields[name]!() : undefined),
    fields: () => names,
  };
}

export function seq(length: number, at: (i: number) => Value): Seq {
  return { kind: 'seq', length, at: (i) => at(i) };
}

/**
 * Plain data (a message, a request, a user's node's state) as a record: own fields only, a Map's
 * entries by key, a Set's members in order.
 */
export function dataValue(v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  // (Each with its whole form: a data breakpoint sees a change at any depth.)
  const whole = (): string => wholeOf(v);
  if (Array.isArray(v)) return { ...seq(v.length, (i) => dataValue(v[i])), whole };
  if (v instanceof Map) return { ...rec(Object.fromEntries([...v].map(([k, x]) => [String(k), () => dataValue(x)]))), whole };
  if (v instanceof Set) {
    const members = [...v];
    return { ...seq(members.length, (i) => dataValue(members[i])), whole };
  }
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const fields: Record<string, () => Value> = {};
    for (const k of Object.keys(o)) if (typeof o[k] !== 'function') fields[k] = () => dataValue(o[k]);
    return { ...rec(fields), whole };
  }
  return null;
}

/** Plain data in one string, at every depth (Maps and Sets in order, a cycle cut short). */
function wholeOf(v: unknown, seen = new Set<unknown>()): string {
  if (v === null || v === undefined || typeof v !== 'object')
    return typeof v === 'bigint' ? `${v}n` : typeof v === 'function' ? 'ƒ' : (JSON.stringify(v) ?? 'undefined');
  if (seen.has(v)) return '↺';
  seen.add(v);
  const out = Array.isArray(v)
    ? `[${v.map((x) => wholeOf(x, seen)).join(',')}]`
    : v instanceof Map
      ? `Map[${[...v].map(([k, x]) => `${wholeOf(k, seen)}:${wholeOf(x, seen)}`).join(',')}]`
      : v instanceof Set
        ? `Set[${[...v].map((x) => wholeOf(x, seen)).join(',')}]`
        : `{${Object.keys(v)
            .map((k) => `${JSON.stringify(k)}:${wholeOf((v as Record<string, unknown>)[k], seen)}`)
            .join(',')}}`;
  seen.delete(v);
  return out;
}

function entryRec(e: Entry): Rec {
  return rec({ index: () => e.index, term: () => e.term, data: () => describeEntry(e) }, undefined, describeEntry(e));
}

type SimNode = Simulation['nodes'][number];

/** What Raft's Figure 2 says of a node, the core's or a user's (from its view): the same fields for both. */
function raftFields(n: SimNode): Record<string, () => Value> {
  const s = n.state;
  return {
    id: () => n.id,
    status: () => n.status,
    role: () => s.role,
    term: () => s.term,
    vote: () => s.vote,
    leader: () => s.leader,
    commit: () => s.commit,
    applied: () => s.applied,
    lastIndex: () => s.logStart.index + s.log.length,
    lastTerm: () => s.log[s.log.length - 1]?.term ?? s.logStart.term,
    log: () => seq(s.log.length, (k) => entryRec(s.log[k]!)),
  };
}

export function nodeRec(sim: Simulation, i: number): Rec {
  const n: SimNode = sim.nodes[i]!;
  if (n.driver !== null) return userNodeRec(n, n.driver);
  const s = n.state;
  const ids = sim.nodes.map((x) => x.id as string);
  return rec(
    {
      ...raftFields(n),
      ...(s.logStart.index === 0 && s.snapshot === null
        ? {}
        : {
            logStart: () => s.logStart.index,
            snapshot: () => rec({ index: () => s.snapshot?.index ?? 0, term: () => s.snapshot?.term ?? 0, keys: () => s.snapshot?.data.length ?? 0 }),
          }),
      electionElapsed: () => s.electionElapsed,
      electionTimeout: () => s.electionTimeout,
      heartbeatElapsed: () => s.heartbeatElapsed,
      // (Only while a leader hands over, thesis §3.10: a variable that appears and goes.)
      ...(s.transferee === null ? {} : { transferee: () => s.transferee }),
      config: () => configRec(s),
      progress: () =>
        rec(
          Object.fromEntries(
            ids
              .filter((id) => s.progress.has(id as never))
              .map((id) => [
                id,
                () => {
                  const p = s.progress.get(id as never)!;
                  return rec({ match: () => p.match, next: () => p.next, mode: () => p.mode, inflight: () => p.inflight.length, active: () => p.recentActive });
                },
              ]),
          ),
        ),
      kv: () => rec(Object.fromEntries([...s.kv.data].map(([k, v]) => [k, () => v]))),
      disk: () => rec({ synced: () => n.disk.syncedLength, pendingWrites: () => n.disk.pendingWrites, corrupted: () => n.corrupted }),
      ...(n.deadReason === null ? {} : { deadReason: () => n.deadReason }),
    },
    n.id,
  );
}

/**
 * A user's node: what its view says (the fields the invariants and the panels read, as the core's
 * are named), its disk, and its own state as its code keeps it (`state`: watch or break on
 * `n1.state.FIELD`).
 */
function userNodeRec(n: SimNode, driver: NonNullable<SimNode['driver']>): Rec {
  const s = n.state;
  return rec(
    {
      ...raftFields(n),
      config: () => configRec(s),
      state: () => dataValue(driver.userState),
      disk: () => {
        const durable = n.disk instanceof RecordDisk ? n.disk.records : [];
        return rec({ durable: () => seq(durable.length, (k) => dataValue(durable[k])), pendingWrites: () => n.disk.pendingWrites });
      },
      ...(n.deadReason === null ? {} : { deadReason: () => n.deadReason }),
    },
    n.id,
  );
}

/** The configuration in force on a node (thesis §4.1): its summary changes with it (data breakpoints on n1.config). */
export function configRec(s: NodeState): Rec {
  const from =
    s.configIndex === 0 ? 'bootstrap' : s.snapshot !== null && s.configIndex === s.snapshot.index ? `snapshot at ${s.configIndex}` : `entry ${s.configIndex}`;
  return rec(
    {
      voters: () => [...s.members.voters],
      learners: () => [...s.members.learners],
      index: () => s.configIndex,
      committed: () => s.configIndex <= s.commit,
    },
    undefined,
    `${describeMembers(s.members)} (${from}${s.configIndex > s.commit ? ', not committed' : ''})`,
  );
}

/** Messages in flight, by arrival time. */
export function inFlight(sim: Simulation): DeliverEvent[] {
  return sim.queued.filter((e): e is DeliverEvent => e.kind === EventKind.Deliver).sort((a, b) => a.time - b.time || a.seq - b.seq);
}

export function messageRec(m: Message, extra: Readonly<Record<string, () => Value>> = {}): Rec {
  const base = dataValue(m) as Rec;
  const fields: Record<string, () => Value> = { text: () => describeSimMessage(m), ...extra };
  for (const f of base.fields()) fields[f] = () => base.field(f)!;
  return rec(fields, undefined, describeSimMessage(m));
}

export function networkRec(sim: Simulation): Rec {
  return rec({
    inFlight: () => {
      const l = inFlight(sim);
      return seq(l.length, (k) => {
        const e = l[k]!;
        return messageRec(e.msg, { arrives: () => e.time, id: () => e.seq, sentAtStep: () => e.cause });
      });
    },
    cutLinks: () => sim.network.cutLinks(),
    paused: () => sim.nodes.filter((n) => n.status === 'paused').map((n) => n.id as string),
    down: () => sim.nodes.filter((n) => n.status === 'down').map((n) => n.id as string),
    dead: () => sim.nodes.filter((n) => n.status === 'dead').map((n) => n.id as string),
  });
}

/** What the event of the latest step was. */
export function eventRec(sim: Simulation): Rec {
  const e = sim.lastEvent;
  const kind = e === null ? 'start' : KIND_NAMES[e.kind]!;
  const fields: Record<string, () => Value> = {
    step: () => sim.steps,
    time: () => sim.time,
    kind: () => kind,
    node: () => (sim.lastNode < 0 ? null : nodeName(sim.lastNode)),
    reasons: () => [...sim.lastReasons],
    causedBy: () => e?.cause ?? null,
  };
  if (e?.kind === EventKind.Deliver) {
    const m = e.msg;
    fields['type'] = () => m.type;
    fields['message'] = () => messageRec(m);
  }
  if (e?.kind === EventKind.ClientRequest) {
    const r = e.request;
    fields['request'] = () => `${r.client}#${r.seq} ${describeOp(r.op)}`;
  }
  if (e?.kind === EventKind.ClientReply) {
    const r = e.reply;
    fields['reply'] = () => describeReply(r);
  }
  const a = sim.lastAction;
  if (a !== null) {
    fields['fault'] = () => a.kind;
    fields['faultText'] = () => describeAction(a);
  }
  if (e !== null && e.src > 0) fields['line'] = () => e.src;
  return rec(fields);
}

export function invariantStatus(sim: Simulation, name: string): string {
  const enabled = sim.scenario.check === null || sim.scenario.check.includes(name);
  const v = sim.outcome?.violation;
  if (v !== undefined && v.invariant === name) return `VIOLATED at step ${v.step}: ${v.message}`;
  if (!enabled) return 'not checked (scenario `check` line)';
  if (name === 'Linearizability') return sim.outcome === null ? 'checked at the end of the run' : `${sim.outcome.linearizability}`;
  return LIVENESS_INVARIANTS.has(name) ? 'holds so far (liveness rule)' : 'holds so far';
}

export function invariantsRec(sim: Simulation): Rec {
  return rec(Object.fromEntries(invariantsOf(sim).map((name) => [name, () => invariantStatus(sim, name)])));
}

/** The invariants a run checks: all of them for the core; for a user's node, those its view allows. */
export function invariantsOf(sim: Simulation): readonly string[] {
  return sim.nodes.some((n) => n.driver !== null) ? FOREIGN_INVARIANTS : INVARIANT_NAMES;
}

export function historyOpRec(h: HistoryOp): Rec {
  return rec(
    {
      client: () => h.client,
      op: () => h.op,
      key: () => h.key,
      ...(h.value === undefined ? {} : { value: () => h.value! }),
      ...(h.expected === undefined ? {} : { expected: () => h.expected! }),
      call: () => h.call,
      return: () => h.return,
      output: () => (h.output === undefined ? null : dataValue(h.output)),
    },
    undefined,
    `${h.client} ${h.op} ${h.key}${h.value === undefined ? '' : ` ${h.value}`} [${h.call}, ${h.return ?? '…'}]`,
  );
}

/** The currently running leader of the highest term, if any. */
export function leaderOf(sim: Simulation): string | null {
  let best: SimNode | null = null;
  for (const n of sim.nodes) if (n.status === 'up' && n.state.role === 'leader' && (best === null || n.state.term > best.state.term)) best = n;
  return best === null ? null : best.id;
}

/** The names an expression can use, over one simulation state. */
export function simEnv(sim: Simulation): Env {
  const roots: Record<string, () => Value> = {
    step: () => sim.steps,
    time: () => sim.time,
    timeMs: () => Math.floor(sim.time / 1000),
    phase: () => sim.phase,
    leader: () => leaderOf(sim),
    nodes: () => sim.nodes.map((_, i) => nodeRec(sim, i)),
    event: () => eventRec(sim),
    network: () => networkRec(sim),
    invariants: () => invariantsRec(sim),
    history: () => seq(sim.history.length, (k) => historyOpRec(sim.history[k]!)),
    verdict: () => sim.outcome?.verdict ?? null,
    violation: () => sim.outcome?.violation?.invariant ?? null,
  };
  sim.nodes.forEach((n, i) => {
    roots[n.id] = () => nodeRec(sim, i);
  });
  const names = Object.keys(roots);
  return {
    lookup: (name) => (Object.hasOwn(roots, name) ? roots[name]!() : undefined),
    names: () => names,
  };
}

export { INVARIANTS };

/** The clients' history checked for linearizability, with the failing key's operations (at the run's end). */
export function linearizabilityOf(sim: Simulation): LinearizabilitySnapshot {
  const o = sim.outcome;
  if (o === null) return { result: 'pending' };
  if (o.linearizability !== 'illegal') return { result: o.linearizability };
  const ops = sim.history.map(fromSimulator);
  const r = checkHistory(ops, { searchStepsMax: 5_000_000 });
  if (r.result !== 'illegal') return { result: r.result };
  const illegal = new Set(r.operations);
  const onKey = ops.map((op, index) => ({ op, index })).filter((x) => x.op.key === r.key);
  // Around the illegal ones: at most 200 operations of the key.
  const first = Math.min(...r.operations);
  const from = Math.max(0, onKey.findIndex((x) => x.index === first) - 50);
  const shown = onKey.slice(from, from + 200);
  return {
    result: 'illegal',
    key: r.key,
    operations: shown.map(({ op, index }) => ({
      index,
      client: op.client,
      text: describeOperation(op, index),
      call: op.call,
      return: op.return,
      illegal: illegal.has(index),
    })),
  };
}

/** The cluster scope: the leader, the phase, the time and each node. */
export function clusterRec(sim: Simulation): Rec {
  const fields: Record<string, () => Value> = { leader: () => leaderOf(sim), phase: () => sim.phase, time: () => sim.time };
  sim.nodes.forEach((n, i) => {
    fields[n.id] = () => nodeRec(sim, i);
  });
  return { kind: 'record', field: (f) => (Object.hasOwn(fields, f) ? fields[f]!() : undefined), fields: () => Object.keys(fields) };
}
