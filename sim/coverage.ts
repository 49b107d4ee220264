// Cheap coverage signals of a run, for coverage-guided exploration: which Raft rules fired (reason
// codes), which role changes happened, which faults were injected — each with how often, in
// AFL-style buckets (1, 2–7, 8–63, 64+), so "this rule fired many times" is new too. A run's
// coverage is a set of small integers; `describeSignal` names one.
import { REASONS } from '../core';

const REASON_NAMES = Object.keys(REASONS);
const REASON_INDEX = new Map<string, number>(REASON_NAMES.map((r, i) => [r, i]));
const ROLES = ['follower', 'pre-candidate', 'candidate', 'leader'] as const;
// (In this order: a run's coverage signals number them. New kinds go last.)
const FAULTS = ['partition', 'cut', 'isolate', 'heal', 'crash', 'restart', 'pause', 'resume', 'clog', 'corrupt', 'transfer', 'add', 'remove'] as const;

const ROLE_BASE = REASON_NAMES.length;
const FAULT_BASE = ROLE_BASE + ROLES.length * ROLES.length;
/** Counters kept during a run. */
export const COUNTERS = FAULT_BASE + FAULTS.length;
const BUCKETS = 4;
/** Distinct coverage signals (counter × bucket). */
export const SIGNALS = COUNTERS * BUCKETS;

function bucket(count: number): number {
  return count === 1 ? 0 : count < 8 ? 1 : count < 64 ? 2 : 3;
}

/** The signals of a run's counters, ascending. */
export function signalsOf(counts: Uint32Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < counts.length; i++) if (counts[i]! > 0) out.push(i * BUCKETS + bucket(counts[i]!));
  return out;
}

export function reasonSignal(reason: string): number {
  return REASON_INDEX.get(reason) ?? 0;
}

export function roleSignal(from: string, to: string): number {
  return ROLE_BASE + ROLES.indexOf(from as (typeof ROLES)[number]) * ROLES.length + ROLES.indexOf(to as (typeof ROLES)[number]);
}

export function faultSignal(kind: string): number {
  return FAULT_BASE + FAULTS.indexOf(kind as (typeof FAULTS)[number]);
}

/** Names a counter (`signal / 4` for a signal); past the simulator's, a user's node's rule (its `rules` name it). */
export function describeCounter(i: number): string {
  if (i >= COUNTERS) return `rule #${i - COUNTERS} of the node's`;
  if (i < ROLE_BASE) return `rule ${REASON_NAMES[i]}`;
  if (i < FAULT_BASE) return `role ${ROLES[Math.floor((i - ROLE_BASE) / ROLES.length)]}→${ROLES[(i - ROLE_BASE) % ROLES.length]}`;
  return `fault ${FAULTS[i - FAULT_BASE]}`;
}

export function describeSignal(s: number): string {
  return `${describeCounter(Math.floor(s / BUCKETS))} ×${['1', '2–7', '8–63', '64+'][s % BUCKETS]}`;
}

/** The counter of a signal. */
export function counterOf(signal: number): number {
  return Math.floor(signal / BUCKETS);
}

/** Counters 0..REASON_COUNTERS-1 are the Raft rules (reason codes), for "never hit" reports. */
export const REASON_COUNTERS = REASON_NAMES.length;

/** A user's node's rule `i` (of its `rules`): its counter, after the simulator's. */
export function userRuleCounter(i: number): number {
  return COUNTERS + i;
}

/** The signals a run of a user's node with `rules` rules can have: faults, role changes and its rules (not the core's). */
export function userNodeSignals(rules: number): number {
  return (COUNTERS - REASON_COUNTERS + rules) * BUCKETS;
}
