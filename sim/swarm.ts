// Swarm testing (Groce et al., "Swarm Testing", ISSTA 2012): each seed draws its own fault mix —
// which recurring faults are on at all, and at what rates — from the scenario's ranges, so that
// some seeds hammer one fault kind and others never see it.
import { Rng } from './rng';
import type { Range, Scenario } from './scenario';

export interface RecurringDraw {
  /** Mean time between occurrences for this seed. */
  readonly meanUs: number;
  readonly forUs: Range;
}

/** The concrete settings of one seed. */
export interface SwarmDraw {
  readonly drop: number;
  readonly duplicate: number;
  readonly corrupt: number;
  /** Each node's tick length, with its clock drift applied. */
  readonly tickUs: readonly number[];
  readonly crash: RecurringDraw | null;
  readonly partition: RecurringDraw | null;
  readonly pause: RecurringDraw | null;
  readonly clog: RecurringDraw | null;
}

/** Always draws once, so the values drawn after it do not depend on whether the range is a point. */
function inRange(rng: Rng, r: Range): number {
  const u = rng.next();
  return r.min === r.max ? r.min : r.min + u * (r.max - r.min);
}

export function drawSwarm(s: Scenario, seed: number): SwarmDraw {
  const rng = Rng.stream(seed, 'swarm');
  // With swarm on, each recurring fault kind (and each message fault) is on for about half the seeds.
  // Every draw happens whatever the scenario says, so a scenario that pins a value (a shrunk one)
  // sees the same values for everything else.
  const on = (): boolean => {
    const u = rng.next();
    return !s.swarm || u < 0.5;
  };
  const recurring = (f: Scenario['crash']): RecurringDraw | null => {
    const enabled = on();
    const meanUs = Math.round(inRange(rng, f?.everyUs ?? { min: 0, max: 0 }));
    return f === null || !enabled ? null : { meanUs: Math.max(1, meanUs), forUs: f.forUs };
  };
  const pick = (r: Range): number => {
    const enabled = on();
    const v = inRange(rng, r);
    return enabled ? v : 0;
  };
  const drop = pick(s.drop);
  const duplicate = pick(s.duplicate);
  const corrupt = pick(s.corrupt);
  const tickUs = Array.from({ length: s.nodes }, () => {
    const d = inRange(rng, s.drift);
    const sign = rng.next() < 0.5 ? -1 : 1;
    return Math.max(1, Math.round(s.tickUs * (1 + sign * d)));
  });
  return {
    drop,
    duplicate,
    corrupt,
    tickUs,
    crash: recurring(s.crash),
    partition: recurring(s.partition),
    pause: recurring(s.pause),
    clog: recurring(s.clog),
  };
}
