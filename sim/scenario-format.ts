// Writes a Scenario back as .raftsim text: only what differs from the defaults, in a fixed order,
// so shrunk regression scenarios stay short. parseScenario(formatScenario(s)) describes the same run.
import { DEFAULTS, nodeName, type FaultAction, type Range, type RecurringFault, type Scenario } from './scenario';

export function fmtDuration(us: number): string {
  if (us !== 0 && us % 60_000_000 === 0) return `${us / 60_000_000}m`;
  if (us !== 0 && us % 1_000_000 === 0) return `${us / 1_000_000}s`;
  if (us !== 0 && us % 1_000 === 0) return `${us / 1_000}ms`;
  return `${us}us`;
}

function fmtDurationRange(r: Range): string {
  return r.min === r.max ? fmtDuration(r.min) : `${fmtDuration(r.min)}..${fmtDuration(r.max)}`;
}

/** A percentage when it is exact with few digits, else the exact ratio. */
export function fmtRatio(x: number): string {
  for (let digits = 0; digits <= 4; digits++) {
    const pct = Number((x * 100).toFixed(digits));
    if (pct / 100 === x) return `${pct}%`;
  }
  return String(x);
}

function fmtRatioRange(r: Range): string {
  return r.min === r.max ? fmtRatio(r.min) : `${fmtRatio(r.min)}..${fmtRatio(r.max)}`;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export function fmtAction(a: FaultAction, duration: (us: number) => string = fmtDuration): string {
  switch (a.kind) {
    case 'partition':
      return `partition ${a.groups.map((g) => g.map(nodeName).join(' ')).join(' | ')}`;
    case 'cut':
      return `cut ${nodeName(a.from)} -> ${nodeName(a.to)}`;
    case 'heal':
      return 'heal';
    case 'clog':
      return `clog ${nodeName(a.a)} ${nodeName(a.b)} for ${duration(a.forUs)}`;
    default:
      return `${a.kind} ${nodeName(a.node)}`;
  }
}

export function formatScenario(s: Scenario, header: readonly string[] = []): string {
  const d = DEFAULTS;
  const lines = header.map((h) => `# ${h}`);
  const add = (cond: boolean, line: string): void => {
    if (cond) lines.push(line);
  };
  add(s.seed !== null, `seed ${s.seed}`);
  add(s.nodes !== d.nodes || s.nodesMin !== d.nodesMin, s.nodesMin === s.nodes ? `nodes ${s.nodes}` : `nodes ${s.nodesMin}..${s.nodes}`);
  add(s.tickUs !== d.tickUs, `tick ${fmtDuration(s.tickUs)}`);
  add(!same(s.electionTicks, d.electionTicks), `election ${s.electionTicks.min}..${s.electionTicks.max}`);
  add(s.heartbeatTicks !== d.heartbeatTicks, `heartbeat ${s.heartbeatTicks}`);
  add(!same(s.batch, d.batch), s.batch.min === s.batch.max ? `batch ${s.batch.min}` : `batch ${s.batch.min}..${s.batch.max}`);
  add(!same(s.snapshot, d.snapshot), s.snapshot.min === s.snapshot.max ? `snapshot ${s.snapshot.min}` : `snapshot ${s.snapshot.min}..${s.snapshot.max}`);
  const onOff = (x: number): string => (x === 1 ? 'on' : x === 0 ? 'off' : fmtRatio(x));
  add(s.preVote !== d.preVote, `prevote ${onOff(s.preVote)}`);
  add(s.checkQuorum !== d.checkQuorum, `checkquorum ${onOff(s.checkQuorum)}`);
  add(s.earlyAppends !== d.earlyAppends, `early-appends ${onOff(s.earlyAppends)}`);
  if (!same(s.latency, d.latency)) {
    lines.push(s.latency.kind === 'uniform'
      ? `latency uniform ${fmtDuration(s.latency.minUs)}..${fmtDuration(s.latency.maxUs)}`
      : `latency exp ${fmtDuration(s.latency.meanUs)} cap ${fmtDuration(s.latency.capUs)}`);
  }
  add(!same(s.drop, d.drop), `drop ${fmtRatioRange(s.drop)}`);
  add(!same(s.duplicate, d.duplicate), `duplicate ${fmtRatioRange(s.duplicate)}`);
  add(!same(s.drift, d.drift), `drift ${fmtRatioRange(s.drift)}`);
  add(!same(s.syncUs, d.syncUs), `sync ${fmtDurationRange(s.syncUs)}`);
  add(s.torn !== d.torn, `torn ${fmtRatio(s.torn)}`);
  add(!same(s.corrupt, d.corrupt), `corrupt ${fmtRatioRange(s.corrupt)}`);
  const w = s.workload;
  const dw = d.workload;
  const wparts = [
    w.clients !== dw.clients ? `clients=${w.clients}` : '',
    w.keys !== dw.keys ? `keys=${w.keys}` : '',
    !same(w.thinkUs, dw.thinkUs) ? `think=${fmtDurationRange(w.thinkUs)}` : '',
    w.timeoutUs !== dw.timeoutUs ? `timeout=${fmtDuration(w.timeoutUs)}` : '',
    w.attempts !== dw.attempts ? `attempts=${w.attempts}` : '',
  ].filter((p) => p !== '');
  add(wparts.length > 0, `workload ${wparts.join(' ')}`);
  add(!same(w.mix, dw.mix), `mix ${Object.entries(w.mix).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  const weight = (w: number): string => (w === 0.5 ? '' : ` weight=${fmtRatio(w)}`);
  const recurring = (name: string, f: RecurringFault | null): void => add(f !== null, `${name} every=${f === null ? '' : fmtDurationRange(f.everyUs)} for=${f === null ? '' : fmtDurationRange(f.forUs)}${f === null ? '' : weight(f.weight)}`);
  recurring('crash', s.crash);
  recurring('partition', s.partition);
  recurring('pause', s.pause);
  recurring('clog', s.clog);
  recurring('isolate-leader', s.isolateLeader);
  recurring('crash-leader', s.crashLeader);
  add(s.delay !== null, `delay chance=${s.delay === null ? '' : fmtRatioRange(s.delay.chance)} by=${s.delay === null ? '' : fmtDurationRange(s.delay.byUs)}${s.delay === null ? '' : weight(s.delay.weight)}`);
  add(s.crashAfterVote !== null, `crash-after-vote chance=${s.crashAfterVote === null ? '' : fmtRatioRange(s.crashAfterVote.chance)} for=${s.crashAfterVote === null ? '' : fmtDurationRange(s.crashAfterVote.forUs)}${s.crashAfterVote === null ? '' : weight(s.crashAfterVote.weight)}`);
  add(s.crashAfterAppend !== null, `crash-after-append chance=${s.crashAfterAppend === null ? '' : fmtRatioRange(s.crashAfterAppend.chance)} for=${s.crashAfterAppend === null ? '' : fmtDurationRange(s.crashAfterAppend.forUs)}${s.crashAfterAppend === null ? '' : weight(s.crashAfterAppend.weight)}`);
  add(s.splitVotes !== null, `split-votes ${s.splitVotes === null ? '' : fmtRatioRange(s.splitVotes)}`);
  add(s.pct !== null, `scheduler pct depth=${s.pct === null ? '' : s.pct.depth.min === s.pct.depth.max ? s.pct.depth.min : `${s.pct.depth.min}..${s.pct.depth.max}`} step=${s.pct === null ? '' : fmtDurationRange(s.pct.stepUs)}`);
  add(s.swarm !== d.swarm, `swarm ${s.swarm ? 'on' : 'off'}`);
  add(s.safetyUs !== d.safetyUs, `safety ${fmtDuration(s.safetyUs)}`);
  add(s.livenessUs !== d.livenessUs, `liveness ${fmtDuration(s.livenessUs)}`);
  add(s.maxSteps !== d.maxSteps, `steps ${s.maxSteps}`);
  add(s.check !== null, `check ${(s.check ?? []).join(' ')}`);
  add(s.bugs.length > 0, `bugs ${s.bugs.join(' ')}`);
  for (const f of s.schedule) lines.push(`at ${fmtDuration(f.atUs)} ${fmtAction(f.action)}`);
  return `${lines.join('\n')}\n`;
}
