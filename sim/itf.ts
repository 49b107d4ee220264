// A run as an ITF trace (the Informal Trace Format of Apalache's ADR-015, read by Quint, Apalache's
// tool chain and the ITF trace viewer): one state per simulation step, plus the initial state. The
// variables carry the names of etcd's TLA+ Raft spec where it has them (currentTerm, state,
// votedFor, log, commitIndex, config, messages), so a run reads next to the spec; the others are
// the simulator's (status, applied, leader, snapshotIndex) and the step that led to the state
// (action). Integers are written as {"#bigint": "…"}, as Quint writes them (ITF allows plain JSON
// integers only within ±(2^53 − 1)); functions of a node are #map, sets #set.
import { describeEntryData, type Entry, type Message, type Membership } from '../core';
import { describeSimMessage, foreignOf, isForeign } from './foreign-node';
import { EventKind } from './events';
import type { RaftNode } from './node-api';
import type { Scenario } from './scenario';
import { Simulation } from './simulation';
import { runWithForks, type TraceFork } from './tracefile';

export type ItfValue = string | boolean | number | ItfValue[] | { readonly [k: string]: ItfValue };

export interface ItfState {
  readonly '#meta': { readonly index: number; readonly step: number; readonly timeUs: number };
  readonly [v: string]: ItfValue;
}

export interface ItfTrace {
  readonly '#meta': Record<string, ItfValue>;
  readonly vars: readonly string[];
  readonly states: readonly ItfState[];
}

/** The variables of every state, in this order. */
export const ITF_VARS = [
  'action',
  'status',
  'currentTerm',
  'state',
  'votedFor',
  'leader',
  'log',
  'snapshotIndex',
  'commitIndex',
  'applied',
  'config',
  'messages',
] as const;

/** ITF's JSON integers stop at ±(2^53 − 1); Quint writes every integer in this form. */
export function bigint(n: number | bigint): { '#bigint': string } {
  if (typeof n === 'number' && !Number.isInteger(n)) throw new Error(`not an integer: ${n}`);
  return { '#bigint': typeof n === 'bigint' ? n.toString() : BigInt(n).toString() };
}

const ROLE: Record<string, string> = { follower: 'Follower', 'pre-candidate': 'PreCandidate', candidate: 'Candidate', leader: 'Leader' };
const NIL = '';

/** As etcd's spec's ENTRY, [term, value]: an entry's index is its place in the log after snapshotIndex. */
function entry(e: Entry): ItfValue {
  return { term: bigint(e.term), value: describeEntryData(e.data) };
}

function members(m: Membership): ItfValue {
  return { voters: { '#set': [...m.voters] }, learners: { '#set': [...m.learners] } };
}

function message(seq: number, m: Message): ItfValue {
  return {
    seq: bigint(seq),
    mtype: isForeign(m) ? foreignOf(m).kind : m.type,
    mterm: bigint(m.term),
    msource: m.from,
    mdest: m.to,
    text: describeSimMessage(m),
  };
}

/** The variables of the simulation as it stands (after a step); without the logs' entries when `logs` is false. */
function stateOf(sim: Simulation, action: string, logs = true): Record<string, ItfValue> {
  const per = (f: (i: number) => ItfValue): ItfValue => ({ '#map': sim.nodes.map((n, i) => [n.id, f(i)]) });
  const inFlight: [number, Message][] = [];
  for (const e of sim.queued) if (e.kind === EventKind.Deliver && !sim.isDropped(e.seq)) inFlight.push([e.seq, e.msg]);
  inFlight.sort((a, b) => a[0] - b[0]);
  return {
    action,
    status: per((i) => sim.nodes[i]!.status),
    currentTerm: per((i) => bigint(sim.nodes[i]!.state.term)),
    state: per((i) => ROLE[sim.nodes[i]!.state.role] ?? sim.nodes[i]!.state.role),
    votedFor: per((i) => sim.nodes[i]!.state.vote ?? NIL),
    leader: per((i) => sim.nodes[i]!.state.leader ?? NIL),
    log: per((i) => (logs ? sim.nodes[i]!.state.log.map(entry) : [])),
    snapshotIndex: per((i) => bigint(sim.nodes[i]!.state.logStart.index)),
    commitIndex: per((i) => bigint(sim.nodes[i]!.state.commit)),
    applied: per((i) => bigint(sim.nodes[i]!.state.applied)),
    config: per((i) => members(sim.nodes[i]!.state.members)),
    messages: inFlight.map(([seq, m]) => message(seq, m)),
  };
}

export interface ItfOptions {
  /** Stop after this step (the debugger's frontier); default: the end of the run. */
  readonly stopAtStep?: number;
  /** Changes made by hand in the debugger, applied after their step. */
  readonly forks?: readonly TraceFork[];
  /**
   * The steps to write, inclusive (0: the initial state). Default: every step when the file stays
   * under `maxBytes`, else the last steps that fit (a long run's states are large: each holds every
   * node's whole log).
   */
  readonly from?: number;
  readonly to?: number;
  /** The budget of the default window (bytes, estimated from the last state's size). */
  readonly maxBytes?: number;
  /** A user's node to run instead of the core. */
  readonly node?: { readonly module: RaftNode; readonly label: string };
}

export const ITF_DEFAULT_MAX_BYTES = 64_000_000;

export interface ItfSummary {
  readonly steps: number;
  /** The steps written (inclusive): the states are these steps' in order, `#meta.step` says which. */
  readonly from: number;
  readonly to: number;
  readonly states: number;
  readonly bytes: number;
  /** True when the default window left early steps out (the budget). */
  readonly windowed: boolean;
}

/** The UTF-8 size of a string (no Buffer here: the simulator runs in browsers too). */
function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      n += 1; // a surrogate pair: 4 bytes for 2 code units
      i++;
    } else if (c >= 0x800) n += 2;
    else if (c >= 0x80) n += 1;
  }
  return n;
}

function newRun(scenario: Scenario, seed: number, options: ItfOptions): Simulation {
  return new Simulation(scenario, seed, {
    record: true,
    ...(options.stopAtStep === undefined ? {} : { stopAtStep: options.stopAtStep }),
    ...(options.node === undefined ? {} : { node: options.node }),
  });
}

/**
 * Writes the run as ITF to `sink`, piece by piece (a long run's file never sits in memory whole).
 * Runs the seed again — twice when the window must be found (the size of the last state decides
 * how many steps fit). Deterministic: the same run gives the same bytes.
 */
export function writeItf(scenario: Scenario, seed: number, options: ItfOptions, sink: (chunk: string) => void): ItfSummary {
  const forks = options.forks ?? [];
  let from = options.from ?? 0;
  const to = options.to ?? Number.MAX_SAFE_INTEGER;
  let windowed = false;
  if (options.from === undefined) {
    // A first pass: how long the run is and how large each step's state (they grow with the logs).
    const probe = newRun(scenario, seed, options);
    // (Entries are immutable and shared between nodes and steps: each one's size is measured once.)
    const entrySize = new WeakMap<Entry, number>();
    const size = (): number => {
      let n = utf8Length(JSON.stringify(stateOf(probe, probe.lastStep?.text ?? 'init', false))) + 64;
      for (const node of probe.nodes) {
        for (const e of node.state.log) {
          let b = entrySize.get(e);
          if (b === undefined) entrySize.set(e, (b = utf8Length(JSON.stringify(entry(e))) + 1));
          n += b;
        }
      }
      return n;
    };
    const sizes: number[] = [size()];
    const end = Math.min(to, runWithForks(probe, forks, () => sizes.push(size())).steps);
    const budget = options.maxBytes ?? ITF_DEFAULT_MAX_BYTES;
    let total = 0;
    let k = end;
    for (; k >= 0; k--) {
      total += sizes[k]!;
      if (total > budget) break;
    }
    if (k >= 0) {
      from = Math.min(end, k + 1);
      windowed = true;
    }
  }
  if (from < 0 || to < from) throw new Error(`no steps to write: from ${from} to ${to}`);
  const sim = newRun(scenario, seed, options);
  let states = 0;
  let bytes = 0;
  const out = (s: string): void => {
    bytes += utf8Length(s);
    sink(s);
  };
  out(`{"vars":${JSON.stringify(ITF_VARS)},"states":[`);
  const push = (action: string): void => {
    if (sim.steps < from || sim.steps > to) return;
    const state = { '#meta': { index: states, step: sim.steps, timeUs: sim.time }, ...stateOf(sim, action) };
    out(`${states === 0 ? '\n' : ',\n'}${JSON.stringify(state)}`);
    states++;
  };
  push('init');
  const result = runWithForks(sim, forks, () => push(sim.lastStep?.text ?? ''));
  const last = Math.min(to, result.steps);
  const v = result.violation;
  const meta: Record<string, ItfValue> = {
    format: 'ITF',
    'format-description': 'https://apalache-mc.org/docs/adr/015adr-trace.html',
    source: scenario.file,
    description: `LifeRaft run of seed ${seed}: ${result.verdict} after ${result.steps} steps (trace ${result.traceHash}); states of steps ${from}–${last}`,
    seed: bigint(seed),
    verdict: result.verdict,
    traceHash: result.traceHash,
    steps: bigint(result.steps),
    ...(v === undefined ? {} : { violation: { invariant: v.invariant, step: bigint(v.step), nodes: { '#set': [...v.nodes] }, message: v.message } }),
  };
  out(`\n],"#meta":${JSON.stringify(meta)}}\n`);
  return { steps: result.steps, from, to: last, states, bytes, windowed };
}

/** The run as one ITF object (tests, small runs); `writeItf` streams. */
export function itfOfRun(scenario: Scenario, seed: number, options: ItfOptions = {}): ItfTrace {
  const parts: string[] = [];
  writeItf(scenario, seed, options, (c) => parts.push(c));
  return JSON.parse(parts.join('')) as ItfTrace;
}
