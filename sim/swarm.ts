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
  /** This seed's cluster size. */
  readonly nodes: number;
  readonly drop: number;
  readonly duplicate: number;
  readonly corrupt: number;
  /** Each node's tick length, with its clock drift applied (the spares' after the members'). */
  readonly tickUs: readonly number[];
  readonly crash: RecurringDraw | null;
  readonly partition: RecurringDraw | null;
  readonly pause: RecurringDraw | null;
  readonly clog: RecurringDraw | null;
  readonly isolateLeader: RecurringDraw | null;
  readonly crashLeader: RecurringDraw | null;
  readonly transferLeader: RecurringDraw | null;
  readonly churn: RecurringDraw | null;
  readonly delay: { readonly chance: number; readonly byUs: Range } | null;
  readonly crashAfterVote: { readonly chance: number; readonly forUs: Range } | null;
  readonly pct: { readonly depth: number; readonly stepUs: number } | null;
  readonly crashAfterAppend: { readonly chance: number; readonly forUs: Range } | null;
  /** All nodes' election timeouts nearly equal for this seed. */
  readonly splitVotes: boolean;
  /** Entries per AppendEntries for this seed. */
  readonly batch: number;
  /** Entries between snapshots (0: no compaction). */
  readonly snapshotEntries: number;
  readonly preVote: boolean;
  /** A leader's appends leave before its fsync (the Persist contract's allowance). */
  readonly earlyAppends: boolean;
  readonly checkQuorum: boolean;
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
  const on = (weight = 0.5): boolean => {
    const u = rng.next();
    return !s.swarm || u < weight;
  };
  const recurring = (f: Scenario['crash']): RecurringDraw | null => {
    const enabled = on(f?.weight);
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
  const drawTick = (): number => {
    const d = inRange(rng, s.drift);
    const sign = rng.next() < 0.5 ? -1 : 1;
    return Math.max(1, Math.round(s.tickUs * (1 + sign * d)));
  };
  const tickUs = Array.from({ length: s.nodes }, drawTick);
  const crash = recurring(s.crash);
  const partition = recurring(s.partition);
  const pause = recurring(s.pause);
  const clog = recurring(s.clog);
  // (Drawn after the above so that adding them did not change what earlier scenarios draw.)
  const isolateLeader = recurring(s.isolateLeader);
  const crashLeader = recurring(s.crashLeader);
  const delayOn = on(s.delay?.weight);
  const delayChance = inRange(rng, s.delay?.chance ?? { min: 0, max: 0 });
  const cavOn = on(s.crashAfterVote?.weight);
  const cavChance = inRange(rng, s.crashAfterVote?.chance ?? { min: 0, max: 0 });
  const pctOn = on();
  const pctDepth = Math.round(inRange(rng, s.pct?.depth ?? { min: 0, max: 0 }));
  const pctStep = Math.round(inRange(rng, s.pct?.stepUs ?? { min: 0, max: 0 }));
  const batchDraw = rng.next();
  const batch = s.batch.min + Math.floor(batchDraw * (s.batch.max - s.batch.min + 1));
  const sizeDraw = rng.next();
  const nodes = s.nodesMin + Math.floor(sizeDraw * (s.nodes - s.nodesMin + 1));
  const caaOn = on(s.crashAfterAppend?.weight);
  const caaChance = inRange(rng, s.crashAfterAppend?.chance ?? { min: 0, max: 0 });
  const splitChance = inRange(rng, s.splitVotes ?? { min: 0, max: 0 });
  const splitDraw = rng.next();
  const preVoteDraw = rng.next();
  const checkQuorumDraw = rng.next();
  // Drawn last, and only for a range, so scenarios without one keep their seeds' exact runs.
  const snapshotEntries = s.snapshot.min === s.snapshot.max ? s.snapshot.min : s.snapshot.min + Math.floor(rng.next() * (s.snapshot.max - s.snapshot.min + 1));
  const earlyAppends = s.earlyAppends === 0 ? false : s.earlyAppends === 1 ? true : rng.next() < s.earlyAppends;
  // Drawn after everything else, and only for a chance below 100%, for the same reason.
  const compacts = s.snapshotChance >= 1 || (s.snapshotChance > 0 && rng.next() < s.snapshotChance);
  // Drawn after everything else, and only when the scenario has the line, for the same reason.
  const transferLeader = s.transferLeader === null ? null : recurring(s.transferLeader);
  const churn = s.churn === null ? null : recurring(s.churn);
  const spareTicks = Array.from({ length: s.spares }, drawTick);
  return {
    earlyAppends,
    snapshotEntries: compacts ? snapshotEntries : 0,
    preVote: preVoteDraw < s.preVote,
    checkQuorum: checkQuorumDraw < s.checkQuorum,
    nodes,
    drop,
    duplicate,
    corrupt,
    tickUs: [...tickUs.slice(0, nodes), ...spareTicks],
    crashAfterAppend: s.crashAfterAppend !== null && caaOn && caaChance > 0 ? { chance: caaChance, forUs: s.crashAfterAppend.forUs } : null,
    splitVotes: splitDraw < splitChance,
    batch,
    crash,
    partition,
    pause,
    clog,
    isolateLeader,
    crashLeader,
    transferLeader,
    churn,
    delay: s.delay !== null && delayOn && delayChance > 0 ? { chance: delayChance, byUs: s.delay.byUs } : null,
    crashAfterVote: s.crashAfterVote !== null && cavOn && cavChance > 0 ? { chance: cavChance, forUs: s.crashAfterVote.forUs } : null,
    pct: s.pct !== null && pctOn ? { depth: pctDepth, stepUs: pctStep } : null,
  };
}
