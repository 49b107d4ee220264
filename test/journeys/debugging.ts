// Journeys of debugging a failure: from the Testing view's failing seed to a shrunk regression;
// breakpoints on every kind of scenario line, in two files at once; launch.json, forks and traces.
import assert from 'node:assert/strict';
import { waitUntil } from '../e2e/workbench';
import type { Journeys } from './journeys';

export function debuggingJourneys(j: Journeys): void {
  it('Testing view: run a buggy scenario → a failing seed → Debug → stops on the violation → Shrink → debug the shrunk scenario → the same invariant fails at its pinned seed', async () => {
    const { wb } = j;
    await wb.run(async (vs) => {
      await vs.workspace.getConfiguration('liferaft').update('explore.seeds', 3, vs.ConfigurationTarget.Workspace);
      await vs.workspace.getConfiguration('liferaft').update('shrink.seconds', 8, vs.ConfigurationTarget.Workspace);
    });
    await wb.command(['Testing: Focus on Test Explorer View', 'Test: Focus on Test Explorer View']);
    await wb.command('Test: Run All Tests');
    const rows = wb.page.locator('.test-explorer .monaco-list-row');
    await waitUntil(
      async () =>
        (await rows.allInnerTexts()).length >= 2 &&
        (await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''))).some((l) => /buggy\.raftsim \(Failed\)/.test(l)),
      60_000,
      async () =>
        `buggy.raftsim failed in the Testing view (rows: ${(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')))).join(' | ')})`,
    );
    await waitUntil(
      async () => !(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''))).some((l) => /Running|Queued|Enqueued/i.test(l)),
      60_000,
      'every scenario to finish',
    );
    // Expand it (the tree may re-render under the pointer as results come in: until it is open).
    await wb.expandRow(rows.filter({ hasText: 'buggy.raftsim' }).first(), 'buggy.raftsim');
    const seed1 = rows.filter({ hasText: 'seed 1: LeaderCompletenessInv' }).first();
    await seed1.waitFor({ state: 'visible', timeout: 10_000 });
    await seed1.hover();
    await seed1.locator('.action-label[aria-label="Debug Test"]').click();
    await wb.waitStatus(/LeaderCompletenessInv/);
    const exception = wb.page.locator('.exception-widget');
    await exception.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match((await exception.innerText()).replace(/\s+/g, ' '), /LeaderCompletenessInv at step \d+ \(n\d\): leader n\d of term \d+ lacks committed entry/);
    await wb.screenshot('violation');
    await wb.press('Shift+F5');

    // The Failing Seeds view lists it; Shrink opens a small regression scenario that pins a seed.
    const { pinned } = await wb.shrinkFailingSeed(['seed 1 — LeaderCompletenessInv'], 'LeaderCompletenessInv');
    const shrunk = await wb.run(async (vs) => ({
      scheme: vs.window.activeTextEditor?.document.uri.scheme,
      text: vs.window.activeTextEditor?.document.getText(),
    }));
    assert.equal(shrunk.scheme, 'untitled');
    assert.match(shrunk.text ?? '', new RegExp(`^seed ${pinned}$`, 'm'));
    assert.doesNotMatch(shrunk.text ?? '', /\d\.\d{5,}/, 'numbers as a person writes them');
    await wb.press('Escape');

    // The picker offers the pinned seed first…
    await wb.command('LifeRaft: Debug Scenario on a Seed…');
    const picker = await wb.quickInput();
    assert.match(picker.rows[0] ?? '', new RegExp(`^seed ${pinned} ?pinned by the scenario`), picker.rows.join(' | '));
    await wb.press('Escape');
    // …and F5 on the untitled shrunk scenario runs that seed: the same invariant fails.
    await wb.debugToFailure(pinned, /LeaderCompletenessInv/);
  });

  it('breakpoints on each kind of .raftsim line, in two files at once', async () => {
    const { wb } = j;
    const bp = async (file: string, lines: number[]): Promise<void> => {
      await wb.openFile(file);
      for (const l of lines) {
        await wb.gotoLine(l);
        await wb.toggleBreakpoint();
      }
    };
    // bp-a: a comment (1), nodes (2), the random crash (5), a scheduled crash (6), drop (8); bp-b: its scheduled partition (4).
    await bp('bp-a.raftsim', [1, 2, 5, 6, 8]);
    await bp('bp-b.raftsim', [4]);
    const set = await wb.run(async (vs) =>
      vs.debug.breakpoints
        .filter((b): b is InstanceType<typeof vs.SourceBreakpoint> => b instanceof vs.SourceBreakpoint)
        .map((b) => `${b.location.uri.path.split('/').pop()}:${b.location.range.start.line + 1}`),
    );
    assert.deepEqual(set.sort(), ['bp-a.raftsim:1', 'bp-a.raftsim:2', 'bp-a.raftsim:5', 'bp-a.raftsim:6', 'bp-a.raftsim:8', 'bp-b.raftsim:4']);

    // Session A on bp-a (F5 with it in front).
    await wb.openFile('bp-a.raftsim');
    await wb.press('F5');
    await wb.waitStopped(0);
    // The Breakpoints view: lines that can fire are verified; the others say why not.
    const states = await wb.breakpointsView();
    const of = (file: string, line: number): { verified: boolean; hover: string } => {
      const s = states.find((x) => x.label === `${file} ${line}`);
      assert.ok(s !== undefined, `${file} ${line} in the Breakpoints view: ${JSON.stringify(states)}`);
      return s;
    };
    assert.equal(of('bp-a.raftsim', 5).verified, true, JSON.stringify(states));
    assert.equal(of('bp-a.raftsim', 6).verified, true, JSON.stringify(states));
    for (const l of [1, 2, 8]) {
      assert.equal(of('bp-a.raftsim', l).verified, false, `line ${l} cannot fire: ${JSON.stringify(states)}`);
      assert.match(of('bp-a.raftsim', l).hover, /\w{4,}/, `line ${l}: the hover says why`);
    }
    assert.equal(of('bp-b.raftsim', 4).verified, false, `another scenario's line: ${JSON.stringify(states)}`);
    assert.match(of('bp-b.raftsim', 4).hover, /not the scenario of this debug session/);

    // Continue: the scheduled crash (150 ms) on line 6, then the random crash on line 5, on each occurrence.
    await wb.runTo('F5');
    await wb.expectFrameLine({ file: 'bp-a.raftsim', line: 6 }, 'stopped on the scheduled crash');
    await wb.runTo('F5');
    await wb.expectFrameLine({ file: 'bp-a.raftsim', line: 5 }, 'stopped on the random crash');
    // A breakpoint added in the other file meanwhile does not disturb this scenario's.
    await wb.breakpointAt('bp-b.raftsim', 5);
    // (The session's own breakpoint is still there.)
    assert.equal(
      await wb.run(async (vs) => vs.debug.breakpoints.filter((b) => b instanceof vs.SourceBreakpoint && b.location.uri.path.endsWith('/bp-a.raftsim')).length),
      5,
    );
    await wb.runTo('F5');
    await wb.expectFrameLine({ file: 'bp-a.raftsim', line: 5 }, 'stopped on the next occurrence of the random crash');
    await wb.screenshot('breakpoints-a');
    await wb.press('Shift+F5');
    await waitUntil(async () => await wb.run(async (vs) => vs.debug.activeDebugSession === undefined), 10_000, 'session A to end');

    // Session B on bp-b (its code lens): its two scheduled lines fire; bp-a's lines are not its own.
    await wb.openFile('bp-b.raftsim');
    await wb.page.locator('.codelens-decoration a', { hasText: 'Debug seed' }).first().click();
    await wb.answer('1');
    await wb.waitStopped(0);
    const inB = await wb.breakpointsView();
    assert.equal(inB.find((x) => x.label === 'bp-b.raftsim 4')?.verified, true, JSON.stringify(inB));
    assert.equal(inB.find((x) => x.label === 'bp-a.raftsim 5')?.verified, false, JSON.stringify(inB));
    await wb.runTo('F5');
    await wb.expectFrameLine({ file: 'bp-b.raftsim', line: 4 }, 'session B stops on its partition');
    await wb.runTo('F5');
    await wb.expectFrameLine({ file: 'bp-b.raftsim', line: 5 }, 'session B stops on its heal');
    await wb.press('Shift+F5');
    await wb.run(async (vs) => vs.debug.removeBreakpoints(vs.debug.breakpoints));
  });

  it('membership: a breakpoint on an `at … add n4` line stops on the change; the Cluster panel shows the learner; .remove in the console forks', async () => {
    const { wb } = j;
    await wb.openFile('members.raftsim');
    await wb.gotoLine(10);
    await wb.toggleBreakpoint();
    await wb.press('F5');
    await wb.waitStopped(0);
    await wb.runTo('F5');
    await wb.expectFrameLine({ file: 'members.raftsim', line: 10 }, 'stopped on the add');
    await wb.command('LifeRaft: Show All Panels');
    const cluster = await wb.panelFrame('cluster');
    const status = async (): Promise<string> =>
      (await cluster
        .locator('g.node[data-node="n4"] text.status')
        .textContent({ timeout: 1000 })
        .catch(() => '')) ?? '';
    await waitUntil(
      async () => /^learner · /.test(await status()),
      15_000,
      async () => `n4 drawn as a learner (it says: ${await status()})`,
    );
    assert.match((await cluster.locator('.config').textContent()) ?? '', /voters n1, n2, n3 · learners n4/);
    await wb.screenshot('membership-learner');
    // A fork from the console: the leader is asked to remove n1 (refused while the add is pending, or done).
    await wb.consoleInput('.remove n1');
    await waitUntil(
      async () => /remove n1/.test(await wb.debugConsole()),
      10_000,
      async () => `the fork (console: ${await wb.debugConsole()})`,
    );
    await wb.press('Shift+F5');
    await wb.run(async (vs) => vs.debug.removeBreakpoints(vs.debug.breakpoints));
  });

  it('create a launch.json; F5 with and without it; fork, save the run as a trace, open the trace and debug it', async () => {
    const { wb } = j;
    // F5 without a launch.json: the scenario in front, its pinned seed (none here: seed 1), stopped at step 0.
    await wb.openFile('default.raftsim');
    await wb.press('F5');
    await wb.waitStopped(0);
    assert.match(await wb.debugConsole(), /default\.raftsim, seed 1,/);
    await wb.press('Shift+F5');

    // Run and Debug → "create a launch.json file": one LifeRaft configuration.
    await wb.command('View: Show Run and Debug');
    await wb.page.locator('a', { hasText: 'create a launch.json file' }).click();
    const launch = await wb.run(async (vs, _a, ctx) =>
      ctx.waitFor(() =>
        vs.window.activeTextEditor?.document.uri.path.endsWith('/.vscode/launch.json') === true ? vs.window.activeTextEditor.document.getText() : undefined,
      ),
    );
    const configs = (JSON.parse(launch.replace(/^\s*\/\/.*$/gm, '')) as { configurations: { type: string; scenario?: string }[] }).configurations;
    assert.equal(configs.length, 1, launch);
    assert.equal(configs[0]!.type, 'liferaft');
    await wb.command('File: Save');

    // F5 with it: the configuration runs the scenario in front.
    await wb.openFile('default.raftsim');
    await wb.press('F5');
    await wb.waitStopped(0);
    for (let i = 1; i <= 5; i++) {
      await wb.press('F10');
      await wb.waitStopped(i);
    }
    // Fork the run from the console, then save it as a trace.
    await wb.consoleInput('.crash n2');
    await waitUntil(async () => /n2/.test(await wb.debugConsole()), 10_000, 'the fork');
    await wb.press('F10');
    await wb.waitStopped(6);
    await wb.command('LifeRaft: Save the Debugged Run as a Trace…');
    const saved = await wb.saveDialog();
    assert.match(saved, /\/default-seed-1\.rafttrace$/, 'the dialog offers a name beside the scenario');
    await wb.notification(/saved default-seed-1\.rafttrace/);
    // The same run for Quint and Apalache: an ITF file whose states are steps 0…6, the fork's crash in them.
    await wb.command('LifeRaft: Save the Debugged Run as ITF (Quint, Apalache)…');
    const itfPath = await wb.saveDialog();
    assert.match(itfPath, /\/default-seed-1\.itf\.json$/);
    await wb.notification(/saved default-seed-1\.itf\.json in the Informal Trace Format: every step to 6, 7 states/);
    const itf = await wb.run(async (vs) => {
      const folder = vs.workspace.workspaceFolders![0]!.uri;
      const t = JSON.parse(new TextDecoder().decode(await vs.workspace.fs.readFile(vs.Uri.joinPath(folder, 'default-seed-1.itf.json')))) as {
        vars: string[];
        states: { '#meta': { index: number; step: number }; status: { '#map': [string, string][] } }[];
      };
      return { vars: t.vars, steps: t.states.map((st) => st['#meta'].step), last: t.states[t.states.length - 1]!.status['#map'] };
    });
    assert.deepEqual(itf.steps, [0, 1, 2, 3, 4, 5, 6]);
    assert.ok(itf.vars.includes('currentTerm') && itf.vars.includes('log'), itf.vars.join(', '));
    assert.deepEqual(
      itf.last.find(([id]) => id === 'n2'),
      ['n2', 'down'],
    );
    await wb.press('Shift+F5');

    // Open the trace and press F5: it replays (forks and all) and says so at its end.
    await wb.openFile('default-seed-1.rafttrace');
    await wb.press('F5');
    await wb.waitStopped(0);
    await wb.press('F5');
    await waitUntil(
      async () => /The run reproduces the trace/.test(await wb.debugConsole()),
      60_000,
      async () => `the trace to replay (console: ${await wb.debugConsole()})`,
    );
    await wb.press('Shift+F5');
    // The trace says what it is and offers its actions above it: Debug replays it too.
    await wb.openFile('default-seed-1.rafttrace');
    await waitUntil(
      async () => /LifeRaft trace/.test(await wb.statusBar()),
      10_000,
      async () => `the trace's language in the status bar (${await wb.statusBar()})`,
    );
    await wb.page.locator('.codelens-decoration a', { hasText: 'Shrink into a regression scenario' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    await wb.page.locator('.codelens-decoration a', { hasText: 'Debug the trace' }).first().click();
    await waitUntil(async () => /LifeRaft step \d+/.test(await wb.statusBar()), 30_000, 'the trace to open in the debugger');
    await wb.press('Shift+F5');
  });
}
