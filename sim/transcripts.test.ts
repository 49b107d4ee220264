// Golden transcripts of the simulator: fixed seeds of small scenarios, step by step, and the trace
// hashes of a sample of seeds of the default scenario. Any change of behaviour shows up as a diff
// (REWRITE=1 regenerates; review it).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runFile, type TestCase } from '../test/datadriven';
import { DEFAULT_SCENARIO, DEFAULT_SCENARIO_FILE, fmtUs, loadScenario, recordRun, Simulation, type Scenario } from './index';

function arg(tc: TestCase, key: string): string | undefined {
  return tc.args.find((a) => a.key === key)?.vals[0];
}

function range(text: string): [number, number] {
  const [a, b] = text.split('..').map(Number);
  return [a!, b ?? a!];
}

class Runner {
  private scenario: Scenario | null = null;

  run(tc: TestCase): string {
    switch (tc.cmd) {
      case 'scenario':
        this.scenario = loadScenario(tc.input, 'transcript.raftsim');
        return 'ok';
      case 'default-scenario':
        this.scenario = loadScenario(DEFAULT_SCENARIO, DEFAULT_SCENARIO_FILE);
        return 'ok';
      case 'run': {
        const seed = Number(arg(tc, 'seed'));
        const [from, to] = range(arg(tc, 'steps') ?? '1..1000000000');
        const [t0, t1] = range(arg(tc, 'ms') ?? '0..1000000000');
        const { result, sim } = recordRun(this.need(), seed);
        const lines: string[] = [];
        let quiet = 0;
        const flush = (): void => {
          if (quiet > 0) lines.push(`      (${quiet} quiet tick${quiet === 1 ? '' : 's'})`);
          quiet = 0;
        };
        for (const s of sim.trace.steps!) {
          if (s.step < from || s.step > to || s.time < t0 * 1000 || s.time > t1 * 1000) continue;
          if (s.kind === 'tick' && s.reasons.length === 1 && s.reasons[0] === 'tick') {
            quiet++;
            continue;
          }
          flush();
          lines.push(`${String(s.step).padStart(5)} ${fmtUs(s.time).padStart(9)}  ${s.text}${s.reasons.length > 0 ? `  [${s.reasons.join(' ')}]` : ''}`);
        }
        flush();
        lines.push(
          `verdict ${result.verdict} after ${result.steps} steps${result.violation ? `: ${result.violation.invariant}: ${result.violation.message}` : ''}`,
        );
        return lines.join('\n');
      }
      case 'hashes': {
        const [a, b] = range(arg(tc, 'seeds') ?? '1..10');
        const lines: string[] = [];
        for (let seed = a; seed <= b; seed++) {
          const r = new Simulation(this.need(), seed).run();
          lines.push(`seed ${seed}: ${r.verdict} ${r.steps} steps ${r.traceHash}`);
        }
        return lines.join('\n');
      }
      default:
        throw new Error(`unknown command ${tc.cmd}`);
    }
  }

  private need(): Scenario {
    if (this.scenario === null) throw new Error('no scenario yet');
    return this.scenario;
  }
}

describe('simulator transcripts', function () {
  this.timeout(60_000);
  const dir = join(__dirname, 'testdata');
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()) {
    it(file, () => {
      const r = new Runner();
      runFile(join(dir, file), (tc) => r.run(tc));
    });
  }
});
