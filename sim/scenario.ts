// The .raftsim scenario language: one statement per line, `#` starts a comment.
// One parser, shared by the CLI, the debug adapter and the language server; every error carries
// file:line:col. Each statement is defined once, in statements.ts (usage, meaning, default, reader,
// writer); this file reads a whole file with them and writes a scenario back. sim/SCENARIOS.md is
// generated from the same table.
import { LineParser, tokenize } from './scenario-lexer';
import { DEFAULTS, ScenarioError, type Mutable, type Scenario, type ScheduledFault } from './scenario-model';
import { STATEMENTS } from './statements';

export * from './scenario-model';
export { durationLiteralUs, percentLiteral } from './scenario-lexer';
export { STATEMENTS, type Statement } from './statements';

/** Parses a scenario. Known invariant and bug names are passed in (they live in other modules). */
export function parseScenario(
  text: string,
  file: string,
  known: { invariants: readonly string[]; bugs: readonly string[] } = { invariants: [], bugs: [] },
): Scenario {
  const s: Mutable<Scenario> = {
    file,
    text,
    ...DEFAULTS,
    crash: null,
    partition: null,
    pause: null,
    clog: null,
    isolateLeader: null,
    crashLeader: null,
    transferLeader: null,
    churn: null,
    delay: null,
    crashAfterVote: null,
    crashAfterAppend: null,
    splitVotes: null,
    pct: null,
    schedule: [],
    check: null,
    bugs: [],
    seed: null,
  };
  const seen = new Map<string, number>();
  const schedule: ScheduledFault[] = [];
  const lines = text.split(/\r?\n/);
  const later: (() => void)[] = [];
  lines.forEach((raw, i) => {
    const line = i + 1;
    const tokens = tokenize(raw);
    if (tokens.length === 0) return;
    const stmt = tokens[0]!.text;
    const first = stmt === 'at' ? undefined : seen.get(stmt);
    // A statement set twice is an error once its value is read: an error in the value comes with it.
    const duplicate = first === undefined ? null : new ScenarioError(file, line, tokens[0]!.col, `"${stmt}" already set on line ${first}`, stmt.length);
    const p: LineParser = new LineParser(file, line, tokens, duplicate);
    const head = p.next('a statement');
    if (!Object.hasOwn(STATEMENTS, stmt)) p.fail(head, `unknown statement "${stmt}" (expected one of: ${Object.keys(STATEMENTS).join(', ')})`);
    if (first === undefined) seen.set(stmt, line);
    STATEMENTS[stmt]!.parse(p, s, { file, line, head, tokens, known, schedule, later });
    p.end();
    if (duplicate !== null) throw duplicate;
  });
  // Node names depend on `nodes`, which may come after an `at` line.
  for (const check of later) check();
  if (s.heartbeatTicks >= s.electionTicks.min) {
    const line = seen.get('heartbeat') ?? seen.get('election') ?? 1;
    throw new ScenarioError(
      file,
      line,
      1,
      `heartbeat (${s.heartbeatTicks} ticks) must be shorter than the election timeout (${s.electionTicks.min}..${s.electionTicks.max} ticks)`,
    );
  }
  for (const f of schedule) {
    if (f.atUs >= s.safetyUs) {
      throw new ScenarioError(
        file,
        f.line,
        4,
        `at ${f.atUs / 1000}ms is not inside the safety phase (0..${s.safetyUs / 1000}ms); the liveness phase runs without faults`,
      );
    }
  }
  s.schedule = schedule.sort((a, b) => a.atUs - b.atUs || a.line - b.line);
  return s;
}

/**
 * Writes a scenario back as .raftsim text: only what differs from the defaults, the pinned seed
 * first and the scheduled faults last, so shrunk regression scenarios stay short and read well.
 * parseScenario(formatScenario(s)) describes the same run.
 */
export function formatScenario(s: Scenario, header: readonly string[] = []): string {
  const order = ['seed', ...Object.keys(STATEMENTS).filter((k) => k !== 'seed' && k !== 'at'), 'at'];
  const lines = [...header.map((h) => `# ${h}`), ...order.flatMap((k) => STATEMENTS[k]!.format(s))];
  return `${lines.join('\n')}\n`;
}
