// The first journeys of a user learning the tool: the walkthrough, and a scenario of their own from
// an untitled editor into the debugger, the panels following.
import assert from 'node:assert/strict';
import { waitUntil } from '../e2e/workbench';
import type { Journeys } from './journeys';

export function learningJourneys(j: Journeys): void {
  it('the walkthrough: every button does its job, every step ticks', async () => {
    const { wb } = j;
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
    const { wb } = j;
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
}
