// Golden DAP transcripts: a real DAP client (@vscode/debugadapter-testsupport's DebugClient)
// talks to dist/debugAdapter.js; each conversation is compared with test/testdata/dap/NAME.txt.
// REWRITE=1 regenerates them (review the diff).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { InlineClient } from '../debug-adapter/inline-client';
import { SimDebugSession } from '../debug-adapter/session';

const ROOT = join(__dirname, '..');
const ADAPTER = join(ROOT, 'dist/debugAdapter.js');
const GOLDEN = join(__dirname, 'testdata/dap');
const DEFAULT = join(ROOT, 'examples/default.raftsim');
/** A scenario with lines of every sort for line breakpoints (seed 2: crash on, pause off). */
const LINES = join(GOLDEN, 'lines.raftsim');

/** A conversation: requests, responses and the events the test waited for, as text. */
class Transcript {
  readonly lines: string[] = [];
  constructor(readonly dc: DebugClient) {}

  note(text: string): void {
    this.lines.push(`# ${text}`);
  }

  async req<T extends DebugProtocol.Response>(command: string, args: unknown, show: (body: T['body']) => unknown = (b) => b): Promise<T> {
    this.lines.push(`→ ${command} ${stable(args)}`);
    try {
      const r = (await this.dc.customRequest(command, args)) as T;
      this.lines.push(`← ${stable(show(r.body))}`);
      return r;
    } catch (e) {
      this.lines.push(`← error: ${machineFree((e as Error).message)}`);
      throw e;
    }
  }

  /** Sends a request without waiting for it: its answer goes into the transcript when it comes. */
  send<T extends DebugProtocol.Response>(command: string, args: unknown, show: (body: T['body']) => unknown = (b) => b): Promise<T> {
    this.lines.push(`→ ${command} ${stable(args)}`);
    return this.dc.customRequest(command, args).then((r) => {
      this.lines.push(`← (${command}) ${stable(show((r as T).body))}`);
      return r as T;
    });
  }

  /** A request expected to fail: the error goes into the transcript. */
  async bad(command: string, args: unknown): Promise<string> {
    this.lines.push(`→ ${command} ${stable(args)}`);
    try {
      const r = await this.dc.customRequest(command, args);
      this.lines.push(`← unexpected success ${stable(r.body)}`);
      throw new Error(`${command} should have failed`);
    } catch (e) {
      const m = (e as Error).message;
      this.lines.push(`← error: ${machineFree(m)}`);
      return m;
    }
  }

  /** Sends a request and waits for the stopped event it causes. */
  async stop(command: string, args: unknown): Promise<DebugProtocol.StoppedEvent> {
    const ev = this.dc.waitForEvent('stopped', 20_000);
    await this.req(command, args);
    const e = (await ev) as DebugProtocol.StoppedEvent;
    this.lines.push(`⇐ stopped ${stable(e.body)}`);
    return e;
  }

  check(name: string): void {
    const file = join(GOLDEN, `${name}.txt`);
    const text = `${this.lines.join('\n')}\n`;
    if (process.env['REWRITE'] === '1' || !existsSync(file)) {
      mkdirSync(GOLDEN, { recursive: true });
      writeFileSync(file, text);
      if (process.env['REWRITE'] !== '1') assert.fail(`${file} did not exist: written; review it and run again`);
      return;
    }
    assert.equal(text, readFileSync(file, 'utf8'), `transcript ${name} differs (REWRITE=1 to accept)`);
  }
}

/** JSON without sequence numbers, with the checkout's path replaced (transcripts are machine-independent). */
function stable(v: unknown): string {
  return machineFree(JSON.stringify(v ?? null, (k, x: unknown) => (k === 'seq' || k === 'request_seq' ? undefined : x)));
}

function machineFree(text: string): string {
  return text.split(ROOT).join('<root>');
}

async function session(f: (t: Transcript) => Promise<void>): Promise<void> {
  const dc = new DebugClient('node', ADAPTER, 'liferaft');
  await dc.start();
  try {
    await f(new Transcript(dc));
  } finally {
    await dc.stop();
  }
}

async function launch(t: Transcript, args: object, setup: () => Promise<void> = async () => undefined): Promise<DebugProtocol.StoppedEvent> {
  await t.req(
    'initialize',
    { adapterID: 'liferaft', linesStartAt1: true, columnsStartAt1: true, supportsVariablePaging: true },
    (b: DebugProtocol.Capabilities | undefined) => ({
      ...b,
      exceptionBreakpointFilters: `${b?.exceptionBreakpointFilters?.length ?? 0} filters`,
    }),
  );
  const stopped = t.dc.waitForEvent('stopped', 20_000);
  await t.req('launch', args);
  await setup();
  await t.req('configurationDone', {});
  const e = (await stopped) as DebugProtocol.StoppedEvent;
  t.lines.push(`⇐ stopped ${stable(e.body)}`);
  return e;
}

const frameNames = (b: DebugProtocol.StackTraceResponse['body']): unknown => ({
  totalFrames: b.totalFrames,
  frames: b.stackFrames.map((f) => `${f.name} @ ${f.source?.name ?? '-'}:${f.line}`),
});
const varList = (b: DebugProtocol.VariablesResponse['body']): unknown =>
  b.variables.map((v) => `${v.name} = ${v.value}${v.variablesReference > 0 ? ' …' : ''}`);

async function variablesOfNode(t: Transcript, thread: number): Promise<unknown> {
  const st = await t.req<DebugProtocol.StackTraceResponse>('stackTrace', { threadId: thread, levels: 3 }, frameNames);
  const sc = await t.req<DebugProtocol.ScopesResponse>('scopes', { frameId: st.body.stackFrames[0]!.id }, (b) => b.scopes.map((s) => s.name));
  const v = await t.req<DebugProtocol.VariablesResponse>('variables', { variablesReference: sc.body.scopes[0]!.variablesReference }, varList);
  return varList(v.body);
}

describe('debug adapter over DAP (golden transcripts)', function () {
  this.timeout(60_000);

  before(() => {
    assert.ok(existsSync(ADAPTER), 'dist/debugAdapter.js is built (npm run build)');
  });

  it('launches stopped on entry; threads are nodes; the stack is the causal chain; variables page the log', async () => {
    await session(async (t) => {
      await launch(t, { scenario: DEFAULT, seed: 3, stopOnEntry: true });
      await t.req('threads', {});
      t.note('go to step 1500 from the console');
      await t.stop('evaluate', { expression: '.goto 1500', context: 'repl' });
      await t.req('threads', {});
      const st = await t.req<DebugProtocol.StackTraceResponse>('stackTrace', { threadId: 1000, startFrame: 0, levels: 8 }, frameNames);
      const top = st.body.stackFrames[0]!;
      const sc = await t.req<DebugProtocol.ScopesResponse>('scopes', { frameId: top.id }, (b) =>
        b.scopes.map((s) => `${s.name}${s.indexedVariables === undefined ? '' : ` [${s.indexedVariables}]`}`),
      );
      const nodes = await t.req<DebugProtocol.VariablesResponse>('variables', { variablesReference: sc.body.scopes[0]!.variablesReference }, varList);
      const n1 = nodes.body.variables.find((v) => v.name === 'n1')!;
      const n1vars = await t.req<DebugProtocol.VariablesResponse>('variables', { variablesReference: n1.variablesReference }, varList);
      const log = n1vars.body.variables.find((v) => v.name === 'log')!;
      t.note('the log is paged: entries 3..4 only');
      await t.req('variables', { variablesReference: log.variablesReference, filter: 'indexed', start: 2, count: 2 }, varList);
      t.note('a lower frame shows the state at its step');
      const lower = st.body.stackFrames[st.body.stackFrames.length - 1]!;
      const lsc = await t.req<DebugProtocol.ScopesResponse>('scopes', { frameId: lower.id }, (b) => b.scopes.map((s) => s.name));
      await t.req('variables', { variablesReference: lsc.body.scopes[1]!.variablesReference }, varList);
      t.note('the trace document: one line per step');
      await t.req<DebugProtocol.SourceResponse>('source', { source: top.source, sourceReference: top.source!.sourceReference }, (b) =>
        b.content.split('\n').slice(1497, 1500),
      );
      t.check('entry-threads-stack');
    });
  });

  it('next then stepBack restores identical variables; goto targets and restartFrame', async () => {
    await session(async (t) => {
      await launch(t, { scenario: DEFAULT, seed: 5, stopOnEntry: true });
      await t.stop('goto', { threadId: 1000, targetId: 700 });
      const before = await variablesOfNode(t, 2);
      for (let i = 0; i < 3; i++) await t.stop('next', { threadId: 1000 });
      await variablesOfNode(t, 2);
      for (let i = 0; i < 3; i++) await t.stop('stepBack', { threadId: 1000 });
      const after = await variablesOfNode(t, 2);
      assert.deepEqual(after, before, 'stepBack restored the same variables');
      const st = await t.req<DebugProtocol.StackTraceResponse>('stackTrace', { threadId: 1000, levels: 2 }, frameNames);
      await t.req('gotoTargets', { source: st.body.stackFrames[0]!.source, line: 650 });
      await t.stop('restartFrame', { frameId: st.body.stackFrames[1]!.id });
      await t.req('evaluate', { expression: 'step', context: 'watch' });
      t.check('next-stepback-goto');
    });
  });

  it('reverse continue stops where a data breakpoint last changed; a conditional breakpoint stops forwards', async () => {
    await session(async (t) => {
      await launch(t, { scenario: DEFAULT, seed: 4, stopOnEntry: true });
      await t.stop('evaluate', { expression: '.goto 2500', context: 'repl' });
      await t.req('dataBreakpointInfo', { name: 'n2.commit' });
      await t.req('setDataBreakpoints', { breakpoints: [{ dataId: 'n2.commit' }] });
      await t.stop('reverseContinue', { threadId: 1000 });
      await t.req('evaluate', { expression: 'n2.commit', context: 'repl' });
      await t.req('setDataBreakpoints', { breakpoints: [] });
      await t.req('setFunctionBreakpoints', { breakpoints: [{ name: 'becomeLeader', condition: 'n1.term >= 3 && leader != null' }] });
      await t.stop('continue', { threadId: 1000 });
      await t.req('evaluate', { expression: 'leader', context: 'repl' });
      await t.req('evaluate', { expression: 'event.reasons', context: 'repl' });
      await t.req('completions', { text: 'n1.co', column: 6 });
      t.check('reverse-data-conditional');
    });
  });

  it('a planted bug stops on its invariant with exceptionInfo', async () => {
    await session(async (t) => {
      await launch(t, { scenario: DEFAULT, seed: 1, bugs: ['vote-without-log-check'] }, async () => {
        await t.req('setExceptionBreakpoints', { filters: ['any-invariant'] });
      });
      await t.req('exceptionInfo', { threadId: 1000 });
      await t.req<DebugProtocol.StackTraceResponse>('stackTrace', { threadId: 1000, levels: 4 }, frameNames);
      await t.req('evaluate', { expression: 'invariants.LeaderCompletenessInv', context: 'repl' });
      t.note('step back from the violation and look again');
      await t.stop('stepBack', { threadId: 1000 });
      await t.req('evaluate', { expression: 'violation', context: 'repl' });
      t.check('planted-bug-exception');
    });
  });

  it('line breakpoints set before launch: verified per source, only where a line causes steps on this seed', async () => {
    await session(async (t) => {
      await t.req('initialize', { adapterID: 'liferaft', linesStartAt1: true, columnsStartAt1: true }, () => 'capabilities');
      t.note('VS Code sends breakpoints as soon as the adapter is initialized, before launch has read the scenario');
      const lines = [1, 2, 8, 9, 10].map((line) => ({ line }));
      const a = t.send<DebugProtocol.SetBreakpointsResponse>('setBreakpoints', { source: { path: LINES }, breakpoints: lines });
      const b = t.send<DebugProtocol.SetBreakpointsResponse>('setBreakpoints', {
        source: { path: join(ROOT, 'examples/crashes.raftsim') },
        breakpoints: [{ line: 7 }],
      });
      const launched = t.send('launch', { scenario: LINES, seed: 2, stopOnEntry: true });
      const [ra, rb] = await Promise.all([a, b, launched]);
      assert.deepEqual(
        ra.body.breakpoints.map((x) => x.verified),
        [false, false, true, false, true],
        'comment, nodes, crash every=, pause (off on seed 2), at',
      );
      assert.ok(ra.body.breakpoints.every((x, k) => x.line === lines[k]!.line));
      assert.match(ra.body.breakpoints[1]!.message!, /^`nodes 3` is a setting of the run, not a step of it\. .*function breakpoint/);
      assert.equal(ra.body.breakpoints[3]!.message, 'pause is off for seed 2 (swarm testing switched it off); it never fires on this seed.');
      assert.deepEqual(
        rb.body.breakpoints.map((x) => [x.verified, x.message]),
        [[false, 'not the scenario of this debug session (it runs lines.raftsim)']],
      );
      const entry = t.dc.waitForEvent('stopped', 20_000);
      await t.req('configurationDone', {});
      t.lines.push(`⇐ stopped ${stable((await entry).body)}`);
      t.note('step 0 is a frame of its own, on the scenario');
      await t.req('stackTrace', { threadId: 1000 }, frameNames);
      t.note('the first occurrence of `crash every=`');
      const crash = await t.stop('continue', { threadId: 1000 });
      assert.equal(crash.body.reason, 'breakpoint');
      assert.match(crash.body.description!, /^scenario line 8 \(crash every=300ms\.\.1s for=50ms\.\.300ms\): crash n\d$/);
      const st = await t.req<DebugProtocol.StackTraceResponse>('stackTrace', { threadId: 1000, levels: 2 }, frameNames);
      assert.equal(st.body.stackFrames[0]!.source?.name, 'lines.raftsim');
      assert.equal(st.body.stackFrames[0]!.line, 8, 'the random crash is shown on its statement');
      t.note("breakpoints of another .raftsim file leave this scenario's alone");
      await t.req('setBreakpoints', { source: { path: join(ROOT, 'examples/crashes.raftsim') }, breakpoints: [{ line: 7 }] });
      const again = await t.stop('continue', { threadId: 1000 });
      assert.match(again.body.description!, /^scenario line 8 /, 'the next occurrence');
      await t.req('setBreakpoints', { source: { path: LINES }, breakpoints: [{ line: 10 }] });
      await t.req('setBreakpoints', { source: { path: join(ROOT, 'examples/crashes.raftsim') }, breakpoints: [] });
      const at = await t.stop('continue', { threadId: 1000 });
      assert.match(at.body.description!, /^scenario line 10 \(at 1500ms partition n1 \| n2 n3\): partition/);
      await t.req('stackTrace', { threadId: 1000, levels: 1 }, frameNames);
      t.note('back to step 0 after a step back');
      await t.stop('goto', { threadId: 1000, targetId: 1 });
      await t.stop('stepBack', { threadId: 1000 });
      const zero = await t.req<DebugProtocol.StackTraceResponse>('stackTrace', { threadId: 1000 }, frameNames);
      assert.equal(zero.body.stackFrames[0]!.name, '#0 start: before the first event');
      assert.equal(zero.body.stackFrames[0]!.source?.name, 'lines.raftsim');
      t.check('line-breakpoints');
    });
  });

  it('a fork made in the console replays from its trace', async () => {
    let trace: { forks: unknown[]; traceHash: string; steps: number } | undefined;
    await session(async (t) => {
      await launch(t, { scenario: DEFAULT, seed: 6, stopOnEntry: true });
      await t.stop('evaluate', { expression: '.goto 400', context: 'repl' });
      await t.stop('evaluate', { expression: '.crash n1', context: 'repl' });
      await t.stop('next', { threadId: 1000 });
      await t.req('threads', {});
      // n1 is down now: crashing it again would fork a step that changes nothing.
      await t.bad('evaluate', { expression: '.crash n1', context: 'repl' });
      await t.stop('evaluate', { expression: '.partition {n1} {n2 n3}', context: 'repl' });
      await t.req('evaluate', { expression: '.forks', context: 'repl' });
      await t.stop('continue', { threadId: 1000 });
      const r = await t.req<DebugProtocol.Response>('liferaft/trace', {}, (b: { forks: unknown[]; steps: number; traceHash: string }) => ({
        forks: b.forks,
        steps: b.steps,
        traceHash: b.traceHash,
      }));
      trace = r.body as typeof trace;
      t.check('fork');
    });
    const file = join(ROOT, '.test-tmp-fork.rafttrace');
    writeFileSync(file, JSON.stringify(trace));
    try {
      await session(async (t) => {
        const said: string[] = [];
        t.dc.on('output', (e: DebugProtocol.OutputEvent) => said.push(e.body.output));
        await launch(t, { trace: file });
        for (let i = 0; i < 100 && !said.some((x) => x.includes('reproduces the trace')); i++) await new Promise((r) => setTimeout(r, 20));
        assert.ok(
          said.some((x) => x.startsWith(`The run reproduces the trace: ${trace!.steps} steps`)),
          said.join(''),
        );
        const r = await t.req<DebugProtocol.Response>('liferaft/trace', {}, (b: { traceHash: string }) => b.traceHash);
        assert.equal((r.body as { traceHash: string }).traceHash, trace!.traceHash, 'the fork replays exactly');
      });
    } finally {
      writeFileSync(file, '');
      (await import('node:fs')).rmSync(file);
    }
  });

  it('a trace saved mid-run replays to its last recorded step and says it reproduces', async () => {
    let trace: { traceHash: string; steps: number } | undefined;
    await session(async (t) => {
      await launch(t, { scenario: DEFAULT, seed: 1, stopOnEntry: true });
      for (let i = 0; i < 5; i++) await t.stop('next', { threadId: 1000 });
      await t.stop('evaluate', { expression: '.crash n2', context: 'repl' });
      await t.stop('next', { threadId: 1000 });
      const r = await t.req<DebugProtocol.Response>('liferaft/trace', {}, () => null);
      trace = r.body as typeof trace;
    });
    assert.equal(trace!.steps, 6, 'the trace ends where the run was saved');
    const file = join(ROOT, '.test-tmp-midrun.rafttrace');
    writeFileSync(file, JSON.stringify(trace));
    try {
      await session(async (t) => {
        const said: string[] = [];
        t.dc.on('output', (e: DebugProtocol.OutputEvent) => said.push(e.body.output));
        await launch(t, { trace: file, stopOnEntry: true });
        await t.stop('continue', { threadId: 1000 });
        const st = await t.req<DebugProtocol.Response>('liferaft/state', {}, (b: { step: number }) => b.step);
        assert.equal((st.body as { step: number }).step, 6, 'the replay ends at the recorded last step');
        for (let i = 0; i < 100 && !said.some((x) => x.includes('reproduces the trace')); i++) await new Promise((r) => setTimeout(r, 20));
        assert.ok(
          said.some((x) => x.startsWith('The run reproduces the trace: 6 steps')),
          said.join(''),
        );
      });
    } finally {
      (await import('node:fs')).rmSync(file, { force: true });
    }
  });

  it('liferaft dap --server serves a session per connection on a TCP port', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'dist/cli.js'), 'dap', '--server=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let err = '';
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          const m = /listening on 127\.0\.0\.1:(\d+)/.exec(err);
          if (m !== null) resolve(Number(m[1]));
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
      });
      for (const seed of [1, 2]) {
        const dc = new DebugClient('node', '', 'liferaft');
        await dc.start(port);
        await dc.initializeRequest();
        const stopped = dc.waitForEvent('stopped');
        await dc.launch({ scenario: DEFAULT, seed, stopOnEntry: true } as DebugProtocol.LaunchRequestArguments);
        await dc.configurationDoneRequest();
        assert.equal((await stopped).body.reason, 'entry');
        const t = await dc.threadsRequest();
        assert.ok(t.body.threads.some((x) => /^n1 \(follower, t0\)$/.test(x.name)));
        await dc.disconnectRequest();
        await dc.stop();
      }
    } finally {
      child.kill();
    }
  });

  it('answers a request before the stop it causes, and survives a disconnect with a stop pending', async () => {
    const session = new SimDebugSession({ readFile: async () => readFileSync(DEFAULT, 'utf8') });
    const order: string[] = [];
    const dc = new InlineClient(session);
    dc.tap = (m): void => {
      const x = m as DebugProtocol.Response & DebugProtocol.Event;
      if (x.type === 'response') order.push(`response ${x.command}`);
      else if (x.event === 'stopped') order.push(`stopped ${(x as DebugProtocol.StoppedEvent).body.reason}`);
    };
    await dc.request('initialize', { adapterID: 'liferaft' });
    const entry = dc.stopped();
    await dc.request('launch', { scenario: 'default.raftsim', seed: 3, stopOnEntry: true });
    await dc.request('configurationDone');
    await entry;
    await dc.request('setFunctionBreakpoints', { breakpoints: [{ name: 'becomeLeader' }] });
    for (const command of ['continue', 'next', 'stepIn', 'stepOut', 'reverseContinue', 'stepBack']) {
      order.length = 0;
      await dc.stop(command, { threadId: 1 });
      assert.deepEqual(order.slice(0, 1), [`response ${command}`], `${command}: ${order.join(', ')}`);
      assert.match(order[1] ?? '', /^stopped /);
    }
    // Pause stops a long run where it is.
    await dc.request('setFunctionBreakpoints', { breakpoints: [] });
    await dc.stop('goto', { threadId: 1000, targetId: 0 });
    const paused = dc.stopped();
    await dc.request('continue', { threadId: 1000 });
    await dc.request('pause', { threadId: 1000 });
    const p = await paused;
    assert.equal(p.body.reason, 'pause');
    const at = Number((await dc.request('evaluate', { expression: 'step', context: 'watch' })).body.result);
    const end = (await dc.stop('continue', { threadId: 1000 })).body;
    assert.equal(end.reason, 'end');
    assert.ok(at < Number((await dc.request('evaluate', { expression: 'step', context: 'watch' })).body.result), 'paused before the end');
    // A stop is pending (reported on the next turn) when the client disconnects: nothing may throw.
    await dc.request('next', { threadId: 1000 });
    await dc.request('disconnect', {});
    await new Promise((r) => setTimeout(r, 50));
    await assert.rejects(dc.request('threads'), /launch first/);
  });

  it('step 0 is a frame named for what it is, on the scenario, also after a step back', async () => {
    const session = new SimDebugSession({ readFile: async () => readFileSync(DEFAULT, 'utf8') });
    const dc = new InlineClient(session);
    await dc.request('initialize', { adapterID: 'liferaft' });
    const entry = dc.stopped();
    await dc.request('launch', { scenario: DEFAULT, seed: 3, stopOnEntry: true });
    await dc.request('configurationDone');
    await entry;
    const frames = async (): Promise<string[]> =>
      ((await dc.request('stackTrace', { threadId: 1000 })) as DebugProtocol.StackTraceResponse).body.stackFrames.map(
        (f) => `${f.name} @ ${f.source?.name ?? 'Unknown Source'}:${f.line}`,
      );
    assert.deepEqual(await frames(), ['#0 start: before the first event @ default.raftsim:5']);
    await dc.stop('next', { threadId: 1000 });
    assert.equal((await frames())[0], '#1 c1 starts put k0=c1.1 @ seed 3 steps 1–10000.rafttrace-steps:1');
    await dc.stop('stepBack', { threadId: 1000 });
    assert.deepEqual(await frames(), ['#0 start: before the first event @ default.raftsim:5']);
    await dc.request('disconnect', {});
  });

  it('breakpoints sent before a launch that never comes get a provisional answer, then the real one', async () => {
    const session = new SimDebugSession({ readFile: async () => readFileSync(LINES, 'utf8') });
    const events: DebugProtocol.BreakpointEvent[] = [];
    const dc = new InlineClient(session);
    dc.tap = (m): void => {
      if (m.type === 'event' && (m as DebugProtocol.Event).event === 'breakpoint') events.push(m as DebugProtocol.BreakpointEvent);
    };
    await dc.request('initialize', { adapterID: 'liferaft' });
    // A client that waits for these answers before it launches must not wait forever.
    const r = (await dc.request('setBreakpoints', {
      source: { path: 'lines.raftsim' },
      breakpoints: [{ line: 8 }, { line: 2 }],
    })) as DebugProtocol.SetBreakpointsResponse;
    assert.deepEqual(
      r.body.breakpoints.map((b) => [b.verified, b.message]),
      [
        [false, 'not verified yet: no scenario is loaded (waiting for the launch request)'],
        [false, 'not verified yet: no scenario is loaded (waiting for the launch request)'],
      ],
    );
    const entry = dc.stopped();
    await dc.request('launch', { scenario: 'lines.raftsim', seed: 2, stopOnEntry: true });
    assert.deepEqual(
      events.map((e) => [e.body.reason, e.body.breakpoint.id, e.body.breakpoint.verified]),
      [
        ['changed', r.body.breakpoints[0]!.id, true],
        ['changed', r.body.breakpoints[1]!.id, false],
      ],
    );
    await dc.request('configurationDone');
    await entry;
    const hit = await dc.stop('continue', { threadId: 1000 });
    assert.deepEqual(hit.body.hitBreakpointIds, [r.body.breakpoints[0]!.id]);
    await dc.request('disconnect', {});
  });

  it('bad requests get errors and the adapter keeps running', async () => {
    await session(async (t) => {
      await t.req('initialize', { adapterID: 'liferaft' }, () => 'capabilities');
      await t.bad('launch', { scenario: DEFAULT, seed: -1, maxSteps: 'lots', bugs: ['no-such-bug'] });
      await t.bad('launch', { scenario: join(ROOT, 'no/such/file.raftsim') });
      await t.bad('threads', {});
      await launch(t, { scenario: DEFAULT, seed: 2, stopOnEntry: true });
      await t.bad('evaluate', { expression: 'n1.term >', context: 'repl' });
      await t.bad('evaluate', { expression: 'n7.term', context: 'repl' });
      await t.bad('evaluate', { expression: '.crash n9', context: 'repl' });
      await t.bad('scopes', { frameId: 424242 });
      await t.bad('variables', { variablesReference: 999999 });
      await t.bad('liferaft/nope', {});
      await t.bad('liferaft/goto', { step: 'x' });
      await t.req('setFunctionBreakpoints', { breakpoints: [{ name: 'noSuchRule' }, { name: 'tick', condition: 'n1.term >' }] });
      t.note('still alive');
      await t.stop('next', { threadId: 1000 });
      await t.req('liferaft/steps', { from: 1, count: 2 });
      t.check('bad-requests');
    });
  });
});
