// The journey of a user who brings their own Raft (examples/your-node/): a scenario names it with a
// `node` line; the Testing view explores it, Debug opens a failing seed with time travel; a node
// that cannot be found is an error at that line. In both hosts: on the web the node is evaluated
// from the editor's text in the worker extension host and the explore web worker.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, waitUntil } from '../e2e/workbench';
import type { Journeys } from './journeys';

const DEFAULT = readFileSync(join(ROOT, 'examples/default.raftsim'), 'utf8');
const BUGGY = readFileSync(join(ROOT, 'examples/your-node/raft-bug-vote-any-log.js'), 'utf8');

export function yourNodeJourneys(j: Journeys): void {
  it('your own Raft: a `node` line → the Testing view finds its bug → Debug the seed → stops on the violation, steps back → Shrink → the regression reproduces; a missing node is an error at its line', async () => {
    const { wb } = j;
    // As a user saves files: their node, a scenario that runs it, and one whose node is not there.
    await wb.run(
      async (vs, files) => {
        await vs.workspace.getConfiguration('liferaft').update('explore.seeds', 2, vs.ConfigurationTarget.Workspace);
        await vs.workspace.getConfiguration('liferaft').update('shrink.seconds', 5, vs.ConfigurationTarget.Workspace);
        const folder = vs.workspace.workspaceFolders![0]!.uri;
        for (const [name, text] of Object.entries(files)) await vs.workspace.fs.writeFile(vs.Uri.joinPath(folder, name), new TextEncoder().encode(text));
      },
      {
        'my-raft/raft-bug.js': BUGGY,
        'my-raft/mine.raftsim': `# my Raft, under the default scenario\nnode ./raft-bug.js\n${DEFAULT}`,
        'my-raft/lost.raftsim': `# a node that is not there\nnodes 3\nnode ../elsewhere/raft.js\n`,
      },
    );
    await wb.command(['Testing: Focus on Test Explorer View', 'Test: Focus on Test Explorer View']);
    const rows = wb.page.locator('.test-explorer .monaco-list-row');
    const labels = async (): Promise<string[]> => rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    const runTest = async (name: string, outcome: RegExp): Promise<void> => {
      const row = rows.filter({ hasText: name }).first();
      await row.waitFor({ state: 'visible', timeout: 30_000 });
      await row.hover();
      await row.locator('.action-label[aria-label="Run Test"]').click();
      await waitUntil(
        async () => (await labels()).some((l) => outcome.test(l)),
        60_000,
        async () => `${name} to end as ${outcome} (rows: ${(await labels()).join(' | ')})`,
      );
    };
    await runTest('mine.raftsim', /mine\.raftsim \(Failed\)/);
    const mine = rows.filter({ hasText: 'mine.raftsim' }).first();
    await waitUntil(
      async () => {
        if ((await mine.getAttribute('aria-expanded')) === 'true') return true;
        await mine.locator('.monaco-tl-twistie').click({ timeout: 2000 });
        await wb.page.waitForTimeout(300);
        return (await mine.getAttribute('aria-expanded')) === 'true';
      },
      10_000,
      'mine.raftsim to expand',
    );
    // (Seeds 1 and 2 of the default scenario fail with this bug, as `liferaft explore --node` says.)
    const seed1 = rows.filter({ hasText: 'seed 1: LeaderCompletenessInv' }).first();
    await seed1.waitFor({ state: 'visible', timeout: 10_000 });
    await seed1.hover();
    await seed1.locator('.action-label[aria-label="Debug Test"]').click();
    const status = await wb.waitStatus(/LeaderCompletenessInv/, 60_000);
    const step = Number(/step (\d+)/.exec(status)![1]);
    const exception = wb.page.locator('.exception-widget');
    await exception.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(
      (await exception.innerText()).replace(/\s+/g, ' '),
      new RegExp(`LeaderCompletenessInv at step ${step} \\(n\\d\\): leader n\\d of term \\d+ lacks committed entry`),
    );
    const threads = (await wb.callStack()).filter((t) => /^n\d/.test(t));
    assert.ok(threads.length >= 3, `a thread per node: ${threads.join(' | ')}`);
    // Time travel over the user's node: its state is copied at checkpoints, and a step back restores it.
    await wb.debugToolbar('Step Back');
    await wb.waitStatus(new RegExp(`step ${step - 1} `));
    await wb.screenshot('your-node-violation');
    await wb.press('Shift+F5');

    // Shrink it from the Failing Seeds view: the regression scenario names the node, and reproduces.
    await wb.command([
      'Run and Debug: Focus on LifeRaft: Failing Seeds View',
      'Run: Focus on LifeRaft: Failing Seeds View',
      'Debug: Focus on LifeRaft: Failing Seeds View',
    ]);
    const pane = wb.page.locator('.pane', { has: wb.page.locator('.pane-header', { hasText: 'Failing Seeds' }) });
    const failing = pane.locator('.monaco-list-row', { hasText: 'seed 1 — LeaderCompletenessInv' }).filter({ hasText: 'mine.raftsim' }).first();
    await failing.waitFor({ state: 'visible', timeout: 10_000 });
    await failing.hover();
    await failing.locator('.action-label[aria-label="Shrink to a Regression Scenario"]').click();
    const toast = await wb.notification(/regression scenario that fails with LeaderCompletenessInv \(seed \d+ pinned/, 90_000);
    const pinned = Number(/seed (\d+) pinned/.exec(await toast.innerText())![1]);
    const shrunk = await wb.run(async (vs) => vs.window.activeTextEditor?.document.getText() ?? '');
    assert.match(shrunk, /^node \S*my-raft\/raft-bug\.js$/m, shrunk);
    await wb.press('Escape');
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

    // The scenario whose node is not there: an error at its `node` line, not a crash.
    await wb.command(['Testing: Focus on Test Explorer View', 'Test: Focus on Test Explorer View']);
    await runTest('lost.raftsim', /lost\.raftsim \(Errored\)/);
    await wb.run(async (vs) => {
      const folder = vs.workspace.workspaceFolders![0]!.uri;
      await vs.workspace.fs.delete(vs.Uri.joinPath(folder, 'my-raft'), { recursive: true });
    });
  });
}
