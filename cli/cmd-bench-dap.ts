// liferaft bench dap [--steps N] [--jumps N] [--json]: the debugger on a long run, driven over DAP
// in process (as VS Code drives an inline adapter): time to the first stop, forward speed against a
// plain simulation of the same run measured here (the baseline), jumps to random steps, step-backs,
// and memory. Targets (issue 6): jump p99 < 100 ms, stepBack < 20 ms, ≤ 300 MB, first stop < 500 ms.
import { parseArgs } from 'node:util';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { SimRuntime } from '../debug-adapter/runtime';
import { InlineClient } from '../debug-adapter/inline-client';
import { SimDebugSession } from '../debug-adapter/session';
import { DEFAULT_SCENARIO, loadScenario, Rng, Simulation } from '../sim';
import { intOption, type Io } from './args';

interface Stats {
  readonly n: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

function stats(ms: number[]): Stats {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number): number => round(s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!);
  return { n: s.length, p50: at(0.5), p99: at(0.99), max: round(s[s.length - 1]!) };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

function memoryMB(): { heap: number; heapTotal: number; rss: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { heap: Math.round(m.heapUsed / 2 ** 20), heapTotal: Math.round(m.heapTotal / 2 ** 20), rss: Math.round(m.rss / 2 ** 20) };
}

export async function benchDapCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean' }, steps: { type: 'string' }, jumps: { type: 'string' }, seed: { type: 'string' }, budget: { type: 'string' } },
  });
  const steps = intOption('steps', values.steps, 1_000_000, 1000, 50_000_000);
  const jumps = intOption('jumps', values.jumps, 200, 10, 100_000);
  const seed = intOption('seed', values.seed, 1, 0, Number.MAX_SAFE_INTEGER);
  const budget = intOption('budget', values.budget, 150, 1, 100_000);
  const say = (l: string): void => {
    if (values.json !== true) io.out(l);
  };
  // The default scenario with a safety phase long enough for `steps` steps.
  const text = DEFAULT_SCENARIO.replace(/^safety .*$/m, 'safety 1000000s').replace(/^steps .*$/m, `steps ${steps * 2}`);
  const file = 'bench-long.raftsim';
  say(`liferaft bench dap: ${file} (the default scenario, safety phase lengthened), seed ${seed}, ${fmt(steps)} steps`);

  const plain = baseline(text, file, seed, steps);
  const baselineMs = plain.ms;
  say(
    `  baseline, plain simulation:       ${fmt(plain.steps)} steps in ${(baselineMs / 1000).toFixed(2)} s (${fmt(plain.steps / (baselineMs / 1000))} steps/s)`,
  );
  const before = memoryMB();

  const session = new SimDebugSession({ readFile: async () => text });
  const dc = new InlineClient(session);
  await dc.request('initialize', { adapterID: 'liferaft', pathFormat: 'path' });
  let t0 = performance.now();
  const entry = dc.stopped();
  await dc.request('launch', { scenario: file, seed, stopOnEntry: true, maxSteps: steps, checkpointBudgetMB: budget });
  await dc.request('configurationDone');
  await entry;
  const firstStopMs = performance.now() - t0;
  say(`  launch → first stop (entry):      ${round(firstStopMs)} ms                      target < 500 ms`);

  t0 = performance.now();
  const end = await dc.stop('continue', { threadId: 1000 });
  const forwardMs = performance.now() - t0;
  const reached = Number((await dc.request('evaluate', { expression: 'step', context: 'watch' })).body.result);
  const afterRun = memoryMB();
  say(
    `  continue to step ${fmt(reached)} under the debugger: ${(forwardMs / 1000).toFixed(2)} s (${fmt(reached / (forwardMs / 1000))} steps/s), ratio to baseline ${(baselineMs / forwardMs).toFixed(2)}  [${end.body.reason}]`,
  );

  const rng = new Rng(`bench-dap/${seed}`);
  const { jump, refresh } = await timeJumps(dc, rng, reached, jumps);
  const naiveMs = (baselineMs / plain.steps) * (reached / 2);
  say(`  jump to a random step (goto):     p50 ${jump.p50} ms, p99 ${jump.p99} ms, max ${jump.max} ms (${jump.n} jumps)   target p99 < 100 ms`);
  say(`    vs. re-executing from step 0:   ${Math.round(naiveMs)} ms on average (baseline speed); ratio p50/naive ${(jump.p50 / naiveMs).toFixed(3)}`);
  say(`    then threads+stack+scopes+vars: p50 ${refresh.p50} ms, p99 ${refresh.p99} ms`);

  const { first, back } = await timeStepBacks(dc, rng, reached, jumps);
  say(`  stepBack right after a jump:      p50 ${first.p50} ms, p99 ${first.p99} ms, max ${first.max} ms (${first.n})   target < 20 ms`);
  say(`  stepBack again (2nd–8th):         p50 ${back.p50} ms, p99 ${back.p99} ms, max ${back.max} ms (${back.n})`);
  const after = memoryMB();
  const state = (await dc.request('liferaft/state')).body as { frontier: number; memory: SimRuntime['memory'] };
  const m = state.memory;
  say(
    `  memory: RSS ${before.rss} MB before launch, ${afterRun.rss} MB after the run; heap used ${before.heap} MB before launch → ${afterRun.heap} MB after the run → ${after.heap} MB after the jumps (V8 heap ${after.heapTotal} MB, RSS ${after.rss} MB)   target ≤ 300 MB`,
  );
  say(
    `    held: ${m.checkpoints} checkpoints every ${fmt(m.checkpointEvery)} steps (~${m.checkpointMB} MB), ${m.near} near snapshots, ${m.views} positioned copies, timeline ${Math.round(m.timelineBytes / 2 ** 20)} MB for ${fmt(state.frontier)} steps`,
  );
  await dc.request('disconnect');
  if (values.json === true) {
    io.out(
      JSON.stringify({
        steps: reached,
        baselineMs: round(baselineMs),
        firstStopMs: round(firstStopMs),
        forwardMs: round(forwardMs),
        jump,
        jumpRefresh: refresh,
        naiveJumpMs: Math.round(naiveMs),
        stepBackAfterJump: first,
        stepBack: back,
        memoryMB: { before, afterRun, after },
        held: m,
      }),
    );
  }
  return 0;
}

/**
 * `jumps` gotos to random steps, each followed by what VS Code asks for after a stop: threads, the
 * top frames, scopes, the node's variables.
 */
async function timeJumps(dc: InlineClient, rng: Rng, reached: number, jumps: number): Promise<{ jump: Stats; refresh: Stats }> {
  const jumpMs: number[] = [];
  const jumpRefreshMs: number[] = [];
  for (let i = 0; i < jumps; i++) {
    const target = rng.intIn(0, reached);
    let t = performance.now();
    await dc.stop('goto', { threadId: 1000, targetId: target });
    jumpMs.push(performance.now() - t);
    t = performance.now();
    await dc.request('threads');
    const st = (await dc.request('stackTrace', { threadId: 1000, startFrame: 0, levels: 20 })) as DebugProtocol.StackTraceResponse;
    const sc = (await dc.request('scopes', { frameId: st.body.stackFrames[0]!.id })) as DebugProtocol.ScopesResponse;
    await dc.request('variables', { variablesReference: sc.body.scopes[0]!.variablesReference });
    jumpRefreshMs.push(performance.now() - t);
  }
  return { jump: stats(jumpMs), refresh: stats(jumpRefreshMs) };
}

/** Eight step-backs after each of a quarter as many random jumps (at least 10): the first after a jump, and the rest. */
async function timeStepBacks(dc: InlineClient, rng: Rng, reached: number, jumps: number): Promise<{ first: Stats; back: Stats }> {
  const firstBackMs: number[] = [];
  const backMs: number[] = [];
  for (let i = 0; i < Math.max(10, Math.floor(jumps / 4)); i++) {
    await dc.stop('goto', { threadId: 1000, targetId: rng.intIn(10, reached) });
    for (let k = 0; k < 8; k++) {
      const t = performance.now();
      await dc.stop('stepBack', { threadId: 1000 });
      (k === 0 ? firstBackMs : backMs).push(performance.now() - t);
    }
  }
  return { first: stats(firstBackMs), back: stats(backMs) };
}

/** The same run without a debugger (the simulation is dropped before memory is measured). */
function baseline(text: string, file: string, seed: number, steps: number): { steps: number; ms: number } {
  const plain = new Simulation(loadScenario(text, file), seed);
  const t0 = performance.now();
  while (plain.steps < steps && plain.step());
  return { steps: plain.steps, ms: performance.now() - t0 };
}

function fmt(x: number): string {
  return x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(0)}k` : String(Math.round(x));
}
