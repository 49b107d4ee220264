// The Cluster panel's host: a webview (strict Content Security Policy with a nonce, local resources
// only, theme colours) that gets the debugged run's state at every stop and sends "go to step" back.
import * as vscode from 'vscode';
import { DEBUG_TYPE, GOTO_REQUEST, STATE_REQUEST, type StateResponseBody } from '../debug-adapter/protocol';
import type { FromPanel, ToPanel } from './messages';

const VIEW_TYPE = 'liferaft.cluster';

function nonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const n = nonce();
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'media', 'cluster.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'cluster.css'));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource} 'unsafe-inline'; img-src ${webview.cspSource}; script-src 'nonce-${n}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
<title>LifeRaft: Cluster</title>
</head>
<body><p>Waiting for a LifeRaft debug session to stop…</p>
<script nonce="${n}" src="${script.toString()}"></script>
</body>
</html>`;
}

export class ClusterPanel {
  private panel: vscode.WebviewPanel | null = null;
  private session: vscode.DebugSession | null = null;
  private last: StateResponseBody | null = null;

  constructor(private readonly context: vscode.ExtensionContext) {
    context.subscriptions.push(
      vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
        deserializeWebviewPanel: async (panel) => this.adopt(panel),
      }),
      vscode.debug.onDidTerminateDebugSession((s) => {
        if (s === this.session) this.post({ type: 'ended' });
      }),
    );
  }

  show(): void {
    if (this.panel !== null) {
      this.panel.reveal(vscode.ViewColumn.Beside, true);
      return;
    }
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'LifeRaft: Cluster', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'media'), vscode.Uri.joinPath(this.context.extensionUri, 'media')],
    });
    this.adopt(panel);
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'media'), vscode.Uri.joinPath(this.context.extensionUri, 'media')] };
    panel.webview.html = panelHtml(panel.webview, this.context.extensionUri);
    panel.onDidDispose(() => {
      this.panel = null;
    });
    panel.webview.onDidReceiveMessage((m: FromPanel) => {
      if (m.type === 'ready' && this.last !== null) this.post({ type: 'state', state: this.last });
      else if (m.type === 'goto' && this.session !== null && Number.isSafeInteger(m.step)) void this.session.customRequest(GOTO_REQUEST, { step: m.step });
    });
  }

  /** A LifeRaft session stopped: fetch the state and draw it. */
  async stopped(session: vscode.DebugSession): Promise<void> {
    if (session.type !== DEBUG_TYPE) return;
    this.session = session;
    if (this.panel === null) return;
    try {
      this.last = (await session.customRequest(STATE_REQUEST)) as StateResponseBody;
    } catch {
      return; // the session ended meanwhile
    }
    this.post({ type: 'state', state: this.last });
  }

  /** The step the panel shows (what the last posted state was). */
  get shownStep(): number | null {
    return this.panel === null || this.last === null ? null : this.last.step;
  }

  private post(m: ToPanel): void {
    void this.panel?.webview.postMessage(m);
  }
}
