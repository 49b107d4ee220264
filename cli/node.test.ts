// `--node FILE`: a user's Raft under run, explore and replay, as a user types them.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { planLaunch } from '../debug-adapter/launch';
import { STATE_REQUEST, type StateResponseBody } from '../debug-adapter/protocol';
import { capture, cli, root } from './cli.fixture';
import { EXIT } from './main';

const RAFT = 'examples/your-node/raft.js';
const BUGGY = 'examples/your-node/raft-bug-vote-any-log.js';

describe('liferaft --node (a user’s Raft)', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root });
    dir = mkdtempSync(join(tmpdir(), 'liferaft-node-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('run: the example is clean; its bug fails with a reproduce command that names the node; the trace replays', async () => {
    const ok = await capture(['run', '--node', join(root, RAFT), '--seed', '1', '--json']);
    assert.equal(ok.code, EXIT.ok, ok.out.join('\n'));
    assert.equal((JSON.parse(ok.out[0]!) as { linearizability: string }).linearizability, 'ok');
    const bad = await capture(['run', '--node', join(root, BUGGY), '--seed', '9']);
    assert.equal(bad.code, EXIT.safety, bad.out.join('\n'));
    const text = bad.out.join('\n');
    assert.match(text, /LeaderCompletenessInv at step \d+/);
    assert.match(text, new RegExp(`reproduce: .* run --seed 9 --node ${join(root, BUGGY).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} --trace seed-9\\.rafttrace`));
    const trace = join(dir, 'bug.rafttrace');
    assert.equal((await capture(['run', '--node', join(root, BUGGY), '--seed', '9', '--trace', trace])).code, EXIT.safety);
    const t = JSON.parse(readFileSync(trace, 'utf8')) as { node: { file: string; name: string; sha256: string } };
    assert.equal(t.node.name, 'raft-bug-vote-any-log.js');
    assert.match(t.node.sha256, /^[0-9a-f]{64}$/);
    const replay = await capture(['replay', trace]);
    assert.equal(replay.code, EXIT.ok, replay.out.join('\n'));
    assert.match(replay.out.join('\n'), /every hash matches .*verdict safety/);
  });

  it('replay: a node file that changed since the recording is named, and the replay says where it diverged', async () => {
    const node = join(dir, 'changing.js');
    copyFileSync(join(root, BUGGY), node);
    const trace = join(dir, 'changing.rafttrace');
    await capture(['run', '--node', node, '--seed', '9', '--trace', trace]);
    copyFileSync(join(root, RAFT), node); // the bug fixed
    const r = await capture(['replay', trace]);
    assert.equal(r.code, EXIT.diverged);
    assert.match(r.err.join('\n'), /changing\.js changed since .*changing\.rafttrace was recorded/);
    assert.match(r.out.join('\n'), /diverged from the recording at step \d+/);
  });

  it('explore on worker threads: the bug is found on several seeds, each with a trace; ESM and TypeScript nodes load', () => {
    const out = join(dir, 'failures');
    const r = spawnSync(
      process.execPath,
      [cli, 'explore', '--node', join(root, BUGGY), '--seeds', '8', '--workers', '2', '--out', out, '--shrink-seconds', '1', '--json'],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(r.status, EXIT.safety, r.stderr);
    const report = JSON.parse(r.stdout) as {
      seedsRun: number;
      failures: { seed: number; invariant: string; trace: string; reproduce: string }[];
      coverage: { rules: number; rulesNeverHit: string[] };
    };
    assert.equal(report.seedsRun, 8);
    // The node's own rules: its bug is the rule it never takes.
    assert.equal(report.coverage.rules, 23);
    assert.ok(report.coverage.rulesNeverHit.includes('vote.refuse.log-behind'), report.coverage.rulesNeverHit.join(', '));
    assert.ok(report.failures.length >= 2, r.stdout);
    for (const f of report.failures) {
      assert.equal(f.invariant, 'LeaderCompletenessInv');
      assert.match(f.reproduce, /--node /);
      assert.ok(readFileSync(f.trace, 'utf8').includes('"node"'));
    }
    // The same node as an ES module, and in TypeScript (compiled by esbuild as it loads).
    const esm = join(dir, 'raft.mjs');
    writeFileSync(
      esm,
      `import { createRequire } from 'node:module';\nconst raft = createRequire(import.meta.url)(${JSON.stringify(join(root, RAFT))});\nexport default { ...raft, name: 'esm' };\n`,
    );
    const ts = join(dir, 'raft.ts');
    writeFileSync(
      ts,
      `const raft = require(${JSON.stringify(join(root, RAFT))});\ntype Role = 'follower' | 'candidate' | 'leader';\nconst name: string = 'ts';\nexport const node = { ...raft, name, roles: ['follower'] as Role[] };\n`,
    );
    for (const [file, name] of [
      [esm, 'esm'],
      [ts, 'ts'],
    ] as const) {
      const x = spawnSync(process.execPath, [cli, 'explore', '--node', file, '--seeds', '2', '--workers', '2', '--json'], { encoding: 'utf8' });
      assert.equal(x.status, EXIT.ok, `${name}: ${x.stderr}${x.stdout}`);
      assert.equal((JSON.parse(x.stdout) as { seedsRun: number }).seedsRun, 2);
    }
  });

  it('--check-determinism names the first step where two runs of a node that uses Math.random differ', async () => {
    const leaky = join(dir, 'leaky.js');
    writeFileSync(
      leaky,
      `const raft = require(${JSON.stringify(join(root, RAFT))});\nmodule.exports = { ...raft, name: 'leaky', init: (id, peers, config, rng) => raft.init(id, peers, config, { int: (n) => rng.int(n), intIn: (a, b) => a + Math.floor(Math.random() * (b - a + 1)) }) };\n`,
    );
    // (A short run without split votes, where every node draws the same timeout and Math.random could not show.)
    const short = join(dir, 'short.raftsim');
    writeFileSync(
      short,
      readFileSync(join(root, 'examples/default.raftsim'), 'utf8')
        .replace(/^safety .*$/m, 'safety 2s')
        .replace(/^split-votes .*$/m, 'split-votes 0%'),
    );
    const r = await capture(['explore', short, '--node', leaky, '--seeds', '2', '--workers', '0', '--check-determinism', '--json']);
    const report = JSON.parse(r.out[0]!) as { failures: { seed: number; invariant: string; step: number; message: string }[] };
    assert.ok(report.failures.length >= 1, r.out.join('\n'));
    for (const f of report.failures) {
      assert.equal(f.invariant, 'Determinism');
      // The step, the node and the field where the two runs part: the timeout its init drew.
      assert.match(
        f.message,
        /^two runs of seed \d+ diverge at step 0 on n\d \(n\d's init\): its state\.timeout: \d+ in one run, \d+ in the other — leaky got an input other than/,
      );
    }
  });

  it('debugging a user node over DAP (liferaft dap): stops on its violation, steps back, forks; its trace opens too', async () => {
    const dc = new DebugClient('node', join(root, 'dist/debugAdapter.js'), 'liferaft');
    await dc.start();
    try {
      await dc.initializeRequest({ adapterID: 'liferaft', linesStartAt1: true, columnsStartAt1: true });
      const stopped = dc.waitForEvent('stopped', 60_000);
      await dc.launch({ scenario: join(root, 'examples/default.raftsim'), seed: 9, node: join(root, BUGGY), stopOnEntry: false } as never);
      await dc.configurationDoneRequest();
      const e = (await stopped) as DebugProtocol.StoppedEvent;
      assert.equal(e.body.reason, 'exception');
      const info = await dc.customRequest('exceptionInfo', { threadId: e.body.threadId! });
      assert.match(JSON.stringify(info.body), /LeaderCompletenessInv/);
      const threads = (await dc.threadsRequest()).body.threads.map((t) => t.name);
      assert.ok(threads.filter((n) => /^n\d \((follower|candidate|leader), t\d+\)$/.test(n)).length >= 2, threads.join(', '));
      // Time travel over a user's node: a step back, and the term of a node read at that step.
      const back = dc.waitForEvent('stopped', 30_000);
      await dc.stepBackRequest({ threadId: e.body.threadId! });
      await back;
      const term = await dc.evaluateRequest({ expression: 'n1.term', context: 'watch' });
      assert.match(term.body.result, /^\d+$/);
      // The node's own state, as its code keeps it, beside the view's fields: in Variables and expressions.
      const timeout = await dc.evaluateRequest({ expression: 'n1.state.timeout', context: 'watch' });
      assert.match(timeout.body.result, /^\d+$/);
      assert.equal((await dc.evaluateRequest({ expression: 'n1.state.role.name == n1.role', context: 'watch' })).body.result, 'true');
      const frame = (await dc.stackTraceRequest({ threadId: e.body.threadId! })).body.stackFrames[0]!;
      const scopes = (await dc.scopesRequest({ frameId: frame.id })).body.scopes;
      const names = async (ref: number): Promise<string[]> => (await dc.variablesRequest({ variablesReference: ref })).body.variables.map((v) => v.name);
      const fieldsOf = async (ref: number, name: string): Promise<DebugProtocol.Variable> =>
        (await dc.variablesRequest({ variablesReference: ref })).body.variables.find((v) => v.name === name)!;
      const nodeScope = scopes.find((x) => /^Node n\d$/.test(x.name));
      assert.ok(nodeScope !== undefined, scopes.map((x) => x.name).join(', '));
      const fields = await names(nodeScope.variablesReference);
      assert.ok(fields.includes('state') && !fields.includes('progress') && !fields.includes('electionTimeout'), fields.join(', '));
      const state = await fieldsOf(nodeScope.variablesReference, 'state');
      const stateFields = await names(state.variablesReference);
      for (const f of ['term', 'vote', 'log', 'elapsed', 'timeout', 'role', 'kv']) assert.ok(stateFields.includes(f), `${f} in ${stateFields.join(', ')}`);
      // The panels draw what the view says, and no timer arc (the node's timers are its own).
      const panel = (await dc.customRequest(STATE_REQUEST)).body as StateResponseBody;
      assert.ok(panel.nodes.every((n) => n.electionTimeout === 0 && Object.keys(n.progress).length === 0));
      assert.ok(panel.nodes.some((n) => n.logTerms.length > 0));
      // A membership fork is refused for a user's node, saying why.
      const fork = await dc.evaluateRequest({ expression: '.transfer n2', context: 'repl' }).then(
        (r) => r.body.result,
        (err: Error) => err.message,
      );
      assert.match(fork, /not with a user's node/);
      await dc.disconnectRequest({});
    } finally {
      await dc.stop();
    }
    // A trace that ran the node opens in the debugger with that node.
    const trace = join(dir, 'debug.rafttrace');
    await capture(['run', '--node', join(root, BUGGY), '--seed', '9', '--trace', trace]);
    const plan = await planLaunch(
      { trace },
      async (p) => readFileSync(p, 'utf8'),
      async (p) => ({ module: createRequire(__filename)(p) as never, file: p, name: 'n', sha256: '0'.repeat(64) }),
    );
    assert.equal(plan.node?.file, join(root, BUGGY));
    // A host without a loader says which have one.
    await assert.rejects(
      planLaunch({ trace }, async (p) => readFileSync(p, 'utf8')),
      /without a loader for a user's node \(`liferaft dap` and the VS Code extension have one\)/,
    );
  });

  it("a node that throws, over DAP: the thread's top frame is the node's own line, the run stops there as an exception", async () => {
    const thrower = join(dir, 'thrower.js');
    writeFileSync(
      thrower,
      [
        `const raft = require(${JSON.stringify(join(root, RAFT))});`,
        'function step(state, input) {',
        "  if (input.type === 'tick' && state.id === 'n2' && state.term > 0) throw new RangeError('n2 gave up');",
        '  return raft.step(state, input);',
        '}',
        "module.exports = { ...raft, name: 'thrower.js', step };",
        '',
      ].join('\n'),
    );
    const dc = new DebugClient('node', join(root, 'dist/debugAdapter.js'), 'liferaft');
    await dc.start();
    try {
      await dc.initializeRequest({ adapterID: 'liferaft', linesStartAt1: true, columnsStartAt1: true });
      const stopped = dc.waitForEvent('stopped', 60_000);
      await dc.launch({ scenario: join(root, 'examples/default.raftsim'), seed: 1, node: thrower, stopOnEntry: false } as never);
      await dc.configurationDoneRequest();
      const e = (await stopped) as DebugProtocol.StoppedEvent;
      assert.equal(e.body.reason, 'exception');
      const frames = (await dc.stackTraceRequest({ threadId: e.body.threadId! })).body;
      const top = frames.stackFrames[0]!;
      assert.equal(top.source?.path, thrower);
      // (Line 3, at `new RangeError`: where V8 says it was made.)
      assert.deepEqual([top.line, top.column], [3, 75]);
      assert.match(top.name, /^thrower\.js's step \(tick\) threw on n2: RangeError: n2 gave up$/);
      // Below it, the steps as ever; the frame's scopes are the step's.
      assert.ok(frames.stackFrames.length >= 2 && frames.totalFrames === frames.stackFrames.length, JSON.stringify(frames));
      const scopes = (await dc.scopesRequest({ frameId: top.id })).body.scopes.map((x) => x.name);
      assert.ok(scopes.includes('Node n2'), scopes.join(', '));
      // Another thread has no such frame.
      const other = (await dc.threadsRequest()).body.threads.find((t) => t.id !== e.body.threadId && /^n\d/.test(t.name))!;
      const theirs = (await dc.stackTraceRequest({ threadId: other.id })).body.stackFrames[0]!;
      assert.notEqual(theirs.source?.path, thrower);
      await dc.disconnectRequest({});
    } finally {
      await dc.stop();
    }
  });

  it("a TypeScript node that throws: the error names the .ts file's own line", async () => {
    const ts = join(dir, 'thrower.ts');
    writeFileSync(
      ts,
      [
        '// a TypeScript node that throws',
        `import raft = require(${JSON.stringify(join(root, RAFT))});`,
        '',
        'interface Input { type: string }',
        '',
        'function step(state: { role: { name: string } }, input: Input) {',
        "  if (input.type === 'tick' && state.role.name === 'leader') throw new RangeError('ts gave up');",
        '  return raft.step(state, input);',
        '}',
        "export const node = { ...raft, name: 'thrower.ts', step };",
        '',
      ].join('\n'),
    );
    const r = await capture(['run', '--node', ts, '--seed', '1']);
    assert.equal(r.code, EXIT.crash, r.out.join('\n'));
    assert.match(
      r.out.join('\n'),
      new RegExp(`thrower\\.ts's step \\(tick\\) threw on n\\d: RangeError: ts gave up \\(at ${ts.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:7:\\d+\\)`),
    );
  });

  it('a scenario with a `node` line runs that node (its path relative to the scenario); shrink writes a regression that keeps it', async () => {
    const sub = join(dir, 'project', 'scenarios');
    mkdirSync(join(dir, 'project', 'raft'), { recursive: true });
    mkdirSync(sub, { recursive: true });
    copyFileSync(join(root, BUGGY), join(dir, 'project', 'raft', 'buggy.js'));
    const scenario = join(sub, 'mine.raftsim');
    writeFileSync(scenario, `${readFileSync(join(root, 'examples/default.raftsim'), 'utf8')}\nnode ../raft/buggy.js\n`);
    const run = await capture(['run', scenario, '--seed', '9', '--trace', join(dir, 'mine.rafttrace')]);
    assert.equal(run.code, EXIT.safety, run.out.join('\n'));
    assert.match(run.out.join('\n'), /LeaderCompletenessInv/);
    // Shrunk beside another folder: the regression's `node` line points at the same file from there.
    const out = join(dir, 'regressions', 'mine.shrunk.raftsim');
    mkdirSync(join(dir, 'regressions'));
    const shrunk = await capture(['shrink', join(dir, 'mine.rafttrace'), '--seconds', '10', '--out', out]);
    assert.equal(shrunk.code, EXIT.ok, shrunk.out.join('\n'));
    assert.match(readFileSync(out, 'utf8'), /^node \.\.\/project\/raft\/buggy\.js$/m);
    const again = await capture(['run', out]);
    assert.equal(again.code, EXIT.safety, again.out.join('\n'));
    // A wrong path is reported at the scenario's line.
    writeFileSync(join(sub, 'wrong.raftsim'), 'nodes 3\nnode ../raft/missing.js\n');
    const wrong = await capture(['run', join(sub, 'wrong.raftsim'), '--seed', '1']);
    assert.equal(wrong.code, EXIT.usage);
    assert.match(wrong.err.join('\n'), /wrong\.raftsim:2: cannot read the node .*missing\.js: no such file/);
    // The debugger reads the line too.
    const plan = await planLaunch(
      { scenario, seed: 9 },
      async (p) => readFileSync(p, 'utf8'),
      async (p) => ({ module: createRequire(__filename)(p) as never, file: p, name: 'b', sha256: '0'.repeat(64) }),
    );
    assert.equal(resolve(plan.node!.file), join(dir, 'project', 'raft', 'buggy.js'));
  });

  it('bad input: no such file, not a node, a node that does not load, a scenario it cannot run yet — exit 64 and why', async () => {
    const cases: [string[], RegExp][] = [
      [['run', '--node', join(dir, 'nope.js'), '--seed', '1'], /cannot read the node .*nope\.js: no such file/],
      [['run', '--node', join(root, 'examples/README.md'), '--seed', '1'], /does not load|is not a LifeRaft node/],
      [['run', '--node', join(dir, 'empty.js'), '--seed', '1'], /empty\.js is not a LifeRaft node: it exports no init, step, view, classify/],
      [['run', '--node', join(dir, 'syntax.js'), '--seed', '1'], /the node .*syntax\.js does not load: SyntaxError/],
      [['run', 'examples/membership.raftsim', '--node', join(root, RAFT), '--seed', '1'], /membership changes.*not yet with a user's node \(raft\.js\)/],
      [['explore', 'examples/membership.raftsim', '--node', join(root, RAFT), '--seeds', '1'], /membership changes.*not yet with a user's node/],
    ];
    writeFileSync(join(dir, 'empty.js'), 'module.exports = {};\n');
    writeFileSync(join(dir, 'syntax.js'), 'module.exports = {\n');
    for (const [argv, message] of cases) {
      const r = await capture(argv);
      assert.equal(r.code, EXIT.usage, `${argv.join(' ')}: ${r.out.join('\n')}`);
      assert.match(r.err.join('\n'), message, argv.join(' '));
    }
  });
});
