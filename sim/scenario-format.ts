// Writes a Scenario back as .raftsim text: only what differs from the defaults, in a fixed order,
// so shrunk regression scenarios stay short. parseScenario(formatScenario(s)) describes the same run.
import { DEFAULTS, durationLiteralUs, nodeName, percentLiteral, type FaultAction, type Range, type RecurringFault, type Scenario } from './scenario';

/**
 * A whole number of microseconds in the largest unit that says it exactly and that the parser reads
 * back as the same number: `2m`, `90s`, `1.5s`, `317.944ms`, `250us`.
 */
export function fmtDuration(us: number): string {
  if (!Number.isSafeInteger(us) || us < 0) throw new Error(`fmtDuration: ${us} is not a whole number of microseconds`);
  if (us !== 0 && us % 60_000_000 === 0) return `${us / 60_000_000}m`;
  for (const [unit, size] of [['s', 1_000_000], ['ms', 1_000]] as const) {
    if (us < size) continue;
    const text = `${exactQuotient(us, size)}${unit}`;
    if (durationLiteralUs(text) === us) return text;
  }
  return `${us}us`;
}

/** n / size written out exactly, for size a power of ten ("1500", 1000 → "1.5"). */
function exactQuotient(n: number, size: number): string {
  const whole = Math.floor(n / size);
  const rest = n - whole * size;
  if (rest === 0) return String(whole);
  return `${whole}.${String(rest).padStart(String(size).length - 1, '0').replace(/0+$/, '')}`;
}

function fmtDurationRange(r: Range): string {
  return r.min === r.max ? fmtDuration(r.min) : `${fmtDuration(r.min)}..${fmtDuration(r.max)}`;
}

/**
 * A ratio as the shortest percentage the parser reads back as exactly the same number (`2%`, `1.9%`,
 * `1.9075645334087312%`). A percentage means its number divided by 100, and about one ratio in eight
 * is no such quotient; those are written as the exact ratio (`0.007`), which reads back exactly too.
 */
export function fmtRatio(x: number): string {
  if (!(x >= 0 && x <= 1)) throw new Error(`fmtRatio: ${x} is not a ratio between 0 and 1`);
  const pct = shortestPercent(x);
  if (pct !== null) return pct;
  // (The parser takes an exponent only after a decimal point: 5.0e-324.)
  return shortestDecimal([x], (text) => Number(text) === x) ?? x.toExponential().replace(/^(\d)e/, '$1.0e');
}

function shortestPercent(x: number): string | null {
  // The numbers y whose y / 100 is x lie within an ulp or two of x * 100.
  const ys: number[] = [];
  for (let y = x * 100, k = 0; k < 4; k++, y = nextDown(y)) if (y / 100 === x) ys.push(y);
  for (let y = nextUp(x * 100), k = 0; k < 4; k++, y = nextUp(y)) if (y / 100 === x) ys.push(y);
  const text = shortestDecimal(ys, (t) => percentLiteral(`${t}%`) === x);
  return text === null ? null : `${text}%`;
}

/** The decimal with the fewest digits after the point (no exponent) that `ok` accepts, near one of `ys`. */
function shortestDecimal(ys: readonly number[], ok: (text: string) => boolean): string | null {
  for (let digits = 0; digits <= 100; digits++) {
    for (const y of ys) {
      const text = y.toFixed(digits).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
      if (ok(text)) return text;
    }
  }
  return null;
}

const bits = new DataView(new ArrayBuffer(8));
function nextUp(y: number): number {
  bits.setFloat64(0, y);
  bits.setBigUint64(0, bits.getBigUint64(0) + 1n);
  return bits.getFloat64(0);
}
function nextDown(y: number): number {
  if (y === 0) return 0;
  bits.setFloat64(0, y);
  bits.setBigUint64(0, bits.getBigUint64(0) - 1n);
  return bits.getFloat64(0);
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
  const onOff = (x: number): string => (x === 1 ? 'on' : x === 0 ? 'off' : fmtRatio(x));
  add(!same(s.snapshot, d.snapshot) || s.snapshotChance !== d.snapshotChance,
    `${s.snapshot.min === s.snapshot.max ? `snapshot ${s.snapshot.min}` : `snapshot ${s.snapshot.min}..${s.snapshot.max}`}${s.snapshotChance < 1 ? ` ${fmtRatio(s.snapshotChance)}` : ''}`);
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

/** A duration for reading: rounded to ms or s (`fmtDuration` writes them exactly). */
export function fmtUs(us: number): string {
  if (us >= 1_000_000) return `${(us / 1_000_000).toFixed(us % 1_000_000 === 0 ? 0 : 3)}s`;
  if (us >= 1_000) return `${(us / 1_000).toFixed(us % 1_000 === 0 ? 0 : 3)}ms`;
  return `${us}us`;
}

/** A fault in words, durations rounded for reading (fmtAction writes them exactly). */
export function describeAction(a: FaultAction): string {
  return fmtAction(a, fmtUs);
}
