// The Failing Seeds view (Run and Debug container): every failing seed found by Explore or the
// Testing view; a click debugs it, the context menu shrinks it into a small regression scenario.
import * as vscode from 'vscode';
import { debugSeed, type StartWorker } from './explore';
import type { ExploreReply, ExploreRequest, SeedResult } from './explore-worker';
import { parseTrace, withNodeLine, type TraceFile } from '../sim';
import { nameOf, pathOf, proposedUri, readText } from './files';
import { nodeLinePath, nodeUri, readNodeSource, withScenarioNode } from './node-source';

export interface FailingSeed {
  readonly uri: vscode.Uri;
  readonly seed: number;
  readonly invariant: string;
  readonly message: string;
}

/** How the view is kept in the workspace's state (it survives a reload). */
interface Stored {
  readonly uri: string;
  readonly seed: number;
  readonly invariant: string;
  readonly message: string;
}
const STATE_KEY = 'liferaft.failingSeeds';

export class FailingSeeds implements vscode.TreeDataProvider<FailingSeed> {
  private readonly seeds: FailingSeed[] = [];
  private readonly changed = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly state: vscode.Memento) {
    for (const s of state.get<Stored[]>(STATE_KEY, [])) {
      if (typeof s?.uri === 'string' && Number.isSafeInteger(s.seed))
        this.seeds.push({ uri: vscode.Uri.parse(s.uri), seed: s.seed, invariant: String(s.invariant), message: String(s.message) });
    }
    this.publish();
  }

  /** Records what an exploration of `uri` found (replacing that scenario's earlier failures). */
  replace(uri: vscode.Uri, failures: readonly SeedResult[]): void {
    const key = uri.toString();
    for (let i = this.seeds.length - 1; i >= 0; i--) if (this.seeds[i]!.uri.toString() === key) this.seeds.splice(i, 1);
    for (const f of failures) this.seeds.push({ uri, seed: f.seed, invariant: f.violation?.invariant ?? f.verdict, message: f.violation?.message ?? '' });
    this.save();
    this.publish();
  }

  /** Forgets one failing seed (the view's Remove), or all of them (Clear). */
  remove(s: FailingSeed | undefined): void {
    if (s === undefined) this.seeds.splice(0);
    else {
      const i = this.seeds.findIndex((x) => x.uri.toString() === s.uri.toString() && x.seed === s.seed);
      if (i >= 0) this.seeds.splice(i, 1);
    }
    this.save();
    this.publish();
  }

  private save(): void {
    void this.state.update(
      STATE_KEY,
      this.seeds.map((s): Stored => ({ uri: s.uri.toString(), seed: s.seed, invariant: s.invariant, message: s.message })),
    );
  }

  private publish(): void {
    void vscode.commands.executeCommand('setContext', 'liferaft.hasFailingSeeds', this.seeds.length > 0);
    this.changed.fire(undefined);
  }

  get all(): readonly FailingSeed[] {
    return this.seeds;
  }

  getTreeItem(s: FailingSeed): vscode.TreeItem {
    const item = new vscode.TreeItem(`seed ${s.seed} — ${s.invariant}`);
    item.description = nameOf(s.uri);
    item.tooltip = s.message;
    item.iconPath = new vscode.ThemeIcon('error');
    item.contextValue = 'liferaftFailingSeed';
    item.command = { command: 'liferaft.debugFailingSeed', title: 'Debug', arguments: [s] };
    return item;
  }

  getChildren(): FailingSeed[] {
    return [...this.seeds];
  }
}

/** Shrinks a failing seed into a regression scenario (in a worker, cancellable) and opens it. */
export async function shrinkSeed(
  context: vscode.ExtensionContext,
  start: StartWorker,
  s: FailingSeed,
  source?: { text: string; file: string; bugs: readonly string[]; node?: { readonly file: string; readonly sha256: string } },
): Promise<void> {
  const seconds = vscode.workspace.getConfiguration('liferaft').get<number>('shrink.seconds', 30);
  let req: ExploreRequest;
  try {
    const text = source?.text ?? (await readText(s.uri));
    req = { text, file: source?.file ?? pathOf(s.uri), bugs: source?.bugs ?? [], from: s.seed, to: s.seed, shrink: { seed: s.seed, seconds } };
    // A user's node: the trace's, else the scenario's `node` line.
    req = source?.node !== undefined ? { ...req, node: await readNodeSource(source.node.file) } : await withScenarioNode(req);
    if (source?.node !== undefined && req.node?.sha256 !== source.node.sha256)
      void vscode.window.showWarningMessage(
        `LifeRaft: ${nameOf(nodeUri(source.node.file))} changed since the trace was recorded; it is shrunk as it is now (the run may not fail the same way).`,
      );
  } catch (e) {
    void vscode.window.showErrorMessage(`LifeRaft: ${(e as Error).message}`);
    return;
  }
  const reply = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `LifeRaft: shrinking seed ${s.seed} (up to ${seconds}s)`, cancellable: true },
    (_p, token) =>
      new Promise<Extract<ExploreReply, { type: 'shrunk' | 'error' }> | null>((resolve) => {
        const w = start(context);
        const sub = token.onCancellationRequested(() => {
          w.terminate();
          resolve(null);
        });
        w.onMessage((m) => {
          if (m.type !== 'shrunk' && m.type !== 'error') return;
          sub.dispose();
          w.terminate();
          resolve(m);
        });
        w.post(req);
      }),
  );
  if (reply === null) return;
  if (reply.type === 'error') {
    void vscode.window.showErrorMessage(`LifeRaft: ${reply.message}`);
    return;
  }
  // (An untitled scenario's node line is relative to the workspace folder; Save As… rewrites it for where it goes.)
  const nodeFile = req.node?.file;
  const content = nodeFile === undefined ? reply.text : withNodeLine(reply.text, nodeLinePath(nodeFile, undefined));
  const doc = await vscode.workspace.openTextDocument({ language: 'raftsim', content });
  await vscode.window.showTextDocument(doc);
  const lines = content.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#')).length;
  if (!reply.reproduced) {
    void vscode.window.showWarningMessage(`LifeRaft: seed ${s.seed} did not fail the same way again; nothing was shrunk.`);
    return;
  }
  // (Not awaited: the command ends when the scenario is open; the buttons act later.)
  void vscode.window
    .showInformationMessage(
      `LifeRaft: a ${lines}-line regression scenario that fails with ${reply.invariant} (seed ${reply.seed} pinned; ${reply.runs} runs). Save it beside your scenarios.`,
      'Debug It',
      'Save As…',
    )
    .then(async (choice) => {
      if (choice === 'Debug It') await debugSeed(doc.uri, reply.seed);
      else if (choice === 'Save As…') await saveRegression(doc, s.uri, reply.seed, nodeFile);
    });
}

/**
 * Saves a shrunk scenario: beside the scenario it came from, as `NAME-seed-N.raftsim` unless the
 * user picks another place; a user's node is named from there. The saved file replaces the untitled one.
 */
async function saveRegression(doc: vscode.TextDocument, source: vscode.Uri, seed: number, nodeFile: string | undefined): Promise<void> {
  const target = await vscode.window.showSaveDialog({
    title: 'Save the regression scenario',
    filters: { 'LifeRaft scenario': ['raftsim'] },
    ...proposedUri(pathOf(source), seed, 'raftsim'),
  });
  if (target === undefined) return;
  const text = nodeFile === undefined ? doc.getText() : withNodeLine(doc.getText(), nodeLinePath(nodeFile, vscode.Uri.joinPath(target, '..')));
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
  if (!doc.isClosed) {
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
  await vscode.window.showTextDocument(target);
}

/** Shrinks the run a .rafttrace records (its scenario, seed and planted bugs) into a regression scenario. */
async function shrinkTrace(context: vscode.ExtensionContext, start: StartWorker, arg: unknown): Promise<void> {
  let uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
  if (uri === undefined || !uri.path.endsWith('.rafttrace')) {
    uri = (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'LifeRaft trace': ['rafttrace'] }, title: 'Shrink a trace' }))?.[0];
    if (uri === undefined) return;
  }
  let trace: TraceFile;
  try {
    trace = parseTrace(await readText(uri), pathOf(uri));
  } catch (e) {
    void vscode.window.showErrorMessage(`LifeRaft: ${(e as Error).message}`);
    return;
  }
  if (trace.forks.length > 0) {
    void vscode.window.showErrorMessage(
      "LifeRaft: this trace has forks made by hand in the debugger; a forked run cannot be shrunk into a scenario (only the seed's own timeline can).",
    );
    return;
  }
  if (trace.verdict === 'ok') {
    void vscode.window.showInformationMessage('LifeRaft: this trace did not fail; there is nothing to shrink.');
    return;
  }
  await shrinkSeed(
    context,
    start,
    { uri, seed: trace.seed, invariant: trace.violation?.invariant ?? trace.verdict, message: trace.violation?.message ?? '' },
    { text: trace.scenario.text, file: trace.scenario.file, bugs: trace.bugs ?? [], ...(trace.node === undefined ? {} : { node: trace.node }) },
  );
}

export function registerFailingSeeds(context: vscode.ExtensionContext, start: StartWorker): FailingSeeds {
  const view = new FailingSeeds(context.workspaceState);
  context.subscriptions.push(
    vscode.window.registerTreeDataProvider('liferaft.failingSeeds', view),
    vscode.commands.registerCommand('liferaft.debugFailingSeed', (s: FailingSeed) => debugSeed(s.uri, s.seed)),
    vscode.commands.registerCommand('liferaft.shrinkFailingSeed', (s: FailingSeed) => shrinkSeed(context, start, s)),
    vscode.commands.registerCommand('liferaft.shrinkTrace', (arg?: unknown) => shrinkTrace(context, start, arg)),
    vscode.commands.registerCommand('liferaft.removeFailingSeed', (s?: FailingSeed) => view.remove(s)),
    vscode.commands.registerCommand('liferaft.clearFailingSeeds', () => view.remove(undefined)),
  );
  return view;
}
