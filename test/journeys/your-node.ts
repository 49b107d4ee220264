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
  it('your own Raft: a `node` line → the Testing view finds its bug → Debug the seed → stops on the violation, steps back → Shrink → the regression reproduces; a missing node is an error at its line; a node that throws stops at its own line; one that does not parse says where', async () => {
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
        // A node that throws in its step, and one that does not parse.
        // (One file, for the web: the example inlined below the step that throws.)
        'my-raft/thrower.js': [
          'function step(state, input) {',
          "  if (input.type === 'tick' && state.role.name === 'leader') throw new RangeError('gave up');",
          '  return raft.step(state, input);',
          '}',
          `const raft = (() => {\n${BUGGY.replace(/^'use strict';$/m, '')}\nreturn module.exports;\n})();`,
          "module.exports = { ...raft, name: 'thrower.js', step };",
          '',
        ].join('\n'),
        'throws.raftsim': '# my node throws\nnodes 3\nnode ./my-raft/thrower.js\nworkload clients=1 keys=2\n',
        'my-raft/broken.js': 'module.exports = {\n  init() { return { term: 0; }; },\n};\n',
        'broken.raftsim': '# my node does not parse\nnodes 3\nnode ./my-raft/broken.js\n',
      },
    );
    await wb.command(['Testing: Focus on Test Explorer View', 'Test: Focus on Test Explorer View']);
    const rows = wb.page.locator('.test-explorer .monaco-list-row');
    const labels = async (): Promise<string[]> => rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    const runTest = async (name: string, outcome: RegExp): Promise<void> => {
      const row = rows.filter({ hasText: name }).first();
      await row.waitFor({ state: 'visible', timeout: 30_000 });
      // (The tree re-renders as the new files come in: hover and click again until the run starts.)
      await waitUntil(
        async () => {
          await row.hover({ timeout: 2000 }).catch(() => undefined);
          return row
            .locator('.action-label[aria-label="Run Test"]')
            .click({ timeout: 2000 })
            .then(
              () => true,
              () => false,
            );
        },
        30_000,
        `the Run Test action of ${name}`,
      );
      await waitUntil(
        async () => (await labels()).some((l) => outcome.test(l)),
        60_000,
        async () => `${name} to end as ${outcome} (rows: ${(await labels()).join(' | ')})`,
      );
    };
    await runTest('mine.raftsim', /mine\.raftsim \(Failed\)/);
    await wb.expandRow(rows.filter({ hasText: 'mine.raftsim' }).first(), 'mine.raftsim');
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
    // (Debug Test leaves the Testing view in the side bar: the user opens the Call Stack.)
    await wb.command(['Run and Debug: Focus on Call Stack View', 'Debug: Focus on Call Stack View']);
    // (The stopped thread's frames may push the others out of the view's rendered rows.)
    await waitUntil(
      async () => (await wb.callStack()).filter((t) => /^n\d/.test(t)).length >= 2,
      10_000,
      async () => `a thread per node (the Call Stack shows: ${(await wb.callStack()).join(' | ')})`,
    );
    // Time travel over the user's node: its state is copied at checkpoints, and a step back restores it.
    await wb.debugToolbar('Step Back');
    await wb.waitStatus(new RegExp(`step ${step - 1} `));
    await wb.screenshot('your-node-violation');
    await wb.press('Shift+F5');

    // Shrink it from the Failing Seeds view: the regression scenario names the node, and reproduces.
    const { toast, pinned } = await wb.shrinkFailingSeed(['seed 1 — LeaderCompletenessInv', 'mine.raftsim'], 'LeaderCompletenessInv');
    const shrunk = await wb.run(async (vs) => vs.window.activeTextEditor?.document.getText() ?? '');
    // Untitled, it names the node from the workspace folder…
    assert.match(shrunk, /^node \.\/my-raft\/raft-bug\.js$/m, shrunk);
    // …and saved (beside the scenario it came from, as offered), from where it is.
    await toast.getByRole('button', { name: 'Save As…', exact: true }).click();
    const savedAs = await wb.saveDialog();
    assert.match(savedAs, new RegExp(`/my-raft/mine-seed-${pinned}\\.raftsim$`), 'offered beside mine.raftsim');
    await waitUntil(
      async () => (await wb.run(async (vs) => vs.window.activeTextEditor?.document.uri.path ?? '')).endsWith(`/my-raft/mine-seed-${pinned}.raftsim`),
      10_000,
      'the saved regression scenario in front',
    );
    assert.match(await wb.run(async (vs) => vs.window.activeTextEditor!.document.getText()), /^node \.\/raft-bug\.js$/m);
    await wb.debugToFailure(pinned, /LeaderCompletenessInv/);
    // Run Seed on it (in the worker, cancellable): the pinned seed fails the same way.
    await wb.command('LifeRaft: Run Scenario on a Seed…');
    // (The debug session's end may leave no editor in front: then the command asks which scenario.)
    if (/which scenario/.test((await wb.quickInput()).title)) await wb.pick(new RegExp(`mine-seed-${pinned}\\.raftsim`));
    await wb.pick(new RegExp(`^seed ${pinned} ?pinned`));
    await wb.notification(new RegExp(`seed ${pinned} fails: LeaderCompletenessInv`), 60_000);
    await wb.press('Escape');

    // The scenario whose node is not there: an error at its `node` line, not a crash.
    await wb.command(['Testing: Focus on Test Explorer View', 'Test: Focus on Test Explorer View']);
    await runTest('lost.raftsim', /lost\.raftsim \(Errored\)/);

    // F5 on a scenario whose node throws: the debugger stops at the node's own line, in its file.
    await wb.openFile('throws.raftsim');
    await wb.press('F5');
    await wb.waitStopped(0);
    await wb.press('F5');
    await wb.waitStatus(/exception/, 60_000);
    await waitUntil(
      async () =>
        (
          await wb.run(async (vs) => `${vs.window.activeTextEditor?.document.uri.path}:${(vs.window.activeTextEditor?.selection.active.line ?? -2) + 1}`)
        ).endsWith('/my-raft/thrower.js:2'),
      15_000,
      async () =>
        `thrower.js open at line 2 (the editor: ${await wb.run(async (vs) => `${vs.window.activeTextEditor?.document.uri.path}:${(vs.window.activeTextEditor?.selection.active.line ?? -2) + 1}`)})`,
    );
    await wb.command(['Run and Debug: Focus on Call Stack View', 'Debug: Focus on Call Stack View']);
    await waitUntil(
      async () => /thrower\.js's step \(tick\) threw on n\d: RangeError: gave up/.test((await wb.callStack()).join(' | ')),
      10_000,
      async () => `the node's frame in the Call Stack (it shows: ${(await wb.callStack()).join(' | ')})`,
    );
    await wb.press('Shift+F5');

    // F5 on a scenario whose node does not parse: a notification that opens the node at the error.
    await wb.openFile('broken.raftsim');
    // (F5 again if the key went elsewhere: a tooltip or the panel may hold the focus a moment.)
    let problem: Awaited<ReturnType<typeof wb.notification>> | undefined;
    for (let attempt = 1; problem === undefined; attempt++) {
      await wb.press('F5');
      problem = await wb
        .notification(/broken\.raftsim:3:1: the node \S*broken\.js does not load: SyntaxError: .*broken\.js:2:\d+/, 10_000)
        .catch((e: Error) => {
          if (attempt >= 3) throw e;
          return undefined;
        });
    }
    await problem!.getByRole('button', { name: 'Open the Node', exact: true }).click();
    await waitUntil(
      async () =>
        (
          await wb.run(async (vs) => `${vs.window.activeTextEditor?.document.uri.path}:${(vs.window.activeTextEditor?.selection.active.line ?? -2) + 1}`)
        ).endsWith('/my-raft/broken.js:2'),
      15_000,
      'broken.js open at line 2',
    );
    assert.equal(await wb.run(async (vs) => vs.debug.activeDebugSession === undefined), true, 'no session started');
    // …and the scenario's `node` line carries the problem.
    const diagnostics = await wb.run(async (vs) =>
      vs.languages
        .getDiagnostics()
        .filter(([u]) => u.path.endsWith('/broken.raftsim'))
        .flatMap(([, ds]) => ds.map((d) => `${d.range.start.line + 1}: ${d.message}`)),
    );
    assert.ok(
      diagnostics.some((d) => /^3: the node .*does not load: SyntaxError/.test(d)),
      diagnostics.join(' | '),
    );

    await wb.run(async (vs) => {
      const folder = vs.workspace.workspaceFolders![0]!.uri;
      for (const f of ['my-raft', 'throws.raftsim', 'broken.raftsim']) await vs.workspace.fs.delete(vs.Uri.joinPath(folder, f), { recursive: true });
    });
  });
}
