// The Testing view: every .raftsim scenario of the workspace is a test; running it explores its
// seeds (liferaft.explore.seeds, in a worker); a failing seed becomes a failed child test with the
// violation, and debugging that child opens the failing seed in the debugger.
import * as vscode from 'vscode';
import { debugSeed, exploreInWorker, seedsSetting, type ExploreOutcome, type StartWorker } from './explore';
import type { FailingSeeds } from './failing-seeds';
import { pathOf, readText } from './files';
import { markDone } from './walkthrough';

const SEED_ID = /#seed-(\d+)$/;

export function registerTesting(context: vscode.ExtensionContext, start: StartWorker, failing: FailingSeeds): vscode.TestController {
  const ctrl = vscode.tests.createTestController('liferaft', 'LifeRaft scenarios');
  context.subscriptions.push(ctrl);

  const add = (uri: vscode.Uri): vscode.TestItem => {
    const existing = ctrl.items.get(uri.toString());
    if (existing !== undefined) return existing;
    const item = ctrl.createTestItem(uri.toString(), uri.path.split('/').pop() ?? uri.path, uri);
    item.range = new vscode.Range(0, 0, 0, 0);
    ctrl.items.add(item);
    return item;
  };
  const discover = async (): Promise<void> => {
    for (const uri of await vscode.workspace.findFiles('**/*.raftsim', '**/node_modules/**')) add(uri);
  };
  ctrl.resolveHandler = async (item) => {
    if (item === undefined) await discover();
  };
  const watcher = vscode.workspace.createFileSystemWatcher('**/*.raftsim');
  context.subscriptions.push(
    watcher,
    watcher.onDidCreate(add),
    watcher.onDidDelete((u) => ctrl.items.delete(u.toString())),
  );

  const run = async (request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> => {
    const run = ctrl.createTestRun(request);
    const items: vscode.TestItem[] = [];
    // (Run All Tests before the Testing view was ever opened: its scenarios are not found yet.)
    if (request.include === undefined && ctrl.items.size === 0) await discover();
    if (request.include === undefined) ctrl.items.forEach((i) => items.push(i));
    else for (const i of request.include) items.push(i.parent ?? i);
    const n = seedsSetting();
    markDone('explored');
    for (const item of new Set(items)) {
      if (token.isCancellationRequested || item.uri === undefined) break;
      const outcome = await runScenario(context, start, run, item, n, token, ctrl);
      if (outcome.error === undefined) failing.replace(item.uri, outcome.failures);
    }
    run.end();
  };
  ctrl.createRunProfile('Explore seeds', vscode.TestRunProfileKind.Run, (r, t) => void run(r, t), true);
  // Debugging a failing seed's item opens that seed; a scenario's item, its first failing seed (or,
  // when none failed, the seed it pins). "Debug Failed Tests" sends both: each seed is debugged once.
  ctrl.createRunProfile(
    'Debug failing seed',
    vscode.TestRunProfileKind.Debug,
    async (request) => {
      const targets = new Map<string, { uri: vscode.Uri; seed: number | undefined }>();
      const items: vscode.TestItem[] = [];
      if (request.include === undefined) ctrl.items.forEach((i) => items.push(i));
      else items.push(...request.include);
      for (const item of items) {
        const m = SEED_ID.exec(item.id);
        const scenario = m === null ? item : item.parent;
        if (scenario?.uri === undefined) continue;
        let seed = m === null ? undefined : Number(m[1]);
        if (seed === undefined) {
          const failed: number[] = [];
          scenario.children.forEach((c) => {
            const cm = SEED_ID.exec(c.id);
            if (cm !== null) failed.push(Number(cm[1]));
          });
          if (failed.some((s) => targets.has(`${scenario.uri!.toString()}#${s}`))) continue;
          seed = failed.length === 0 ? undefined : Math.min(...failed);
        }
        targets.set(`${scenario.uri.toString()}#${seed ?? 'pinned'}`, { uri: scenario.uri, seed });
      }
      for (const t of targets.values()) await debugSeed(t.uri, t.seed);
    },
    true,
  );
  return ctrl;
}

async function runScenario(
  context: vscode.ExtensionContext,
  start: StartWorker,
  run: vscode.TestRun,
  item: vscode.TestItem,
  n: number,
  token: vscode.CancellationToken,
  ctrl: vscode.TestController,
): Promise<ExploreOutcome> {
  const uri = item.uri!;
  run.started(item);
  item.children.replace([]);
  const t0 = Date.now();
  let text: string;
  try {
    text = await readText(uri);
  } catch (e) {
    run.errored(item, new vscode.TestMessage((e as Error).message));
    return { seedsRun: 0, failures: [], cancelled: false, error: (e as Error).message };
  }
  const outcome = await exploreInWorker(context, start, { text, file: pathOf(uri), bugs: [], from: 1, to: n }, token, (r) => {
    if (r.verdict === 'ok') return;
    const child = ctrl.createTestItem(`${uri.toString()}#seed-${r.seed}`, `seed ${r.seed}: ${r.violation?.invariant ?? r.verdict}`, uri);
    // (By number: seed 2 before seed 10.)
    child.sortText = String(r.seed).padStart(16, '0');
    item.children.add(child);
    const msg = new vscode.TestMessage(
      `${r.violation?.invariant ?? r.verdict} at step ${r.violation?.step ?? r.steps}: ${r.violation?.message ?? ''}\nDebug this test item to open the failing seed in the debugger.`,
    );
    msg.location = new vscode.Location(uri, new vscode.Position(0, 0));
    run.failed(child, msg);
  });
  const ms = Date.now() - t0;
  if (outcome.error !== undefined) {
    run.appendOutput(`${uri.path.split('/').pop() ?? ''}: ${outcome.error.replace(/\n/g, '\r\n')}\r\n`, undefined, item);
    const msg = new vscode.TestMessage(outcome.error);
    const m = /:(\d+):(\d+):/.exec(outcome.error);
    msg.location = new vscode.Location(uri, m === null ? new vscode.Position(0, 0) : new vscode.Position(Number(m[1]) - 1, Number(m[2]) - 1));
    run.errored(item, msg, ms);
  } else if (outcome.failures.length > 0) {
    const f = outcome.failures[0]!;
    run.failed(
      item,
      new vscode.TestMessage(
        `${outcome.failures.length} of ${outcome.seedsRun} seeds fail; first: seed ${f.seed}, ${f.violation?.invariant ?? f.verdict}: ${f.violation?.message ?? ''}`,
      ),
      ms,
    );
  } else if (outcome.cancelled) run.skipped(item);
  else {
    run.appendOutput(`${uri.path.split('/').pop() ?? ''}: ${outcome.seedsRun} seeds, no failure\r\n`);
    run.passed(item, ms);
  }
  return outcome;
}
