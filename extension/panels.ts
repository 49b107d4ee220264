// The panels' host: webviews (strict Content Security Policy with a nonce, local resources only,
// theme colours) that get the debugged run's state at every stop and send "go to step" back.
// Cluster: the RaftScope picture; Timeline: a space-time diagram and a scrubber over the run;
// Invariants: every invariant's status and the violation, linked to its step.
import * as vscode from 'vscode';
import { DEBUG_TYPE, GOTO_REQUEST, STATE_REQUEST, STEPS_REQUEST, type StateResponseBody, type StepsResponseBody } from '../debug-adapter/protocol';
import type { FromPanel, ToPanel } from './messages';

export type PanelKind = 'cluster' | 'timeline' | 'invariants';

const TITLES: Readonly<Record<PanelKind, string>> = { cluster: 'LifeRaft: Cluster', timeline: 'LifeRaft: Timeline', invariants: 'LifeRaft: Invariants' };
/** Steps the Timeline shows around the current one. */
const BEFORE = 60;
const AFTER = 20;

function nonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function panelHtml(kind: PanelKind, webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const n = nonce();
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'media', `${kind}.js`));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'panels.css'));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource} 'unsafe-inline'; img-src ${webview.cspSource}; script-src 'nonce-${n}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
<title>${TITLES[kind]}</title>
</head>
<body><p>Waiting for a LifeRaft debug session to stop…</p>
<script nonce="${n}" src="${script.toString()}"></script>
</body>
</html>`;
}

class Panel {
  panel: vscode.WebviewPanel | null = null;
  last: Extract<ToPanel, { type: 'state' }> | null = null;

  constructor(
    readonly kind: PanelKind,
    private readonly host: Panels,
    private readonly extensionUri: vscode.Uri,
  ) {}

  show(): void {
    if (this.panel !== null) {
      this.panel.reveal(undefined, true);
      return;
    }
    this.adopt(vscode.window.createWebviewPanel(`liferaft.${this.kind}`, TITLES[this.kind], { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: true }));
    void this.host.refresh(this);
  }

  adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'media'), vscode.Uri.joinPath(this.extensionUri, 'media')] };
    panel.webview.html = panelHtml(this.kind, panel.webview, this.extensionUri);
    panel.onDidDispose(() => {
      this.panel = null;
    });
    panel.webview.onDidReceiveMessage((m: FromPanel) => {
      if (m.type === 'ready' && this.last !== null) this.post(this.last);
      else if (m.type === 'goto' && Number.isSafeInteger(m.step)) this.host.goto(m.step);
    });
  }

  post(m: ToPanel): void {
    if (m.type === 'state') this.last = m;
    void this.panel?.webview.postMessage(m);
  }
}

export class Panels {
  private readonly panels: Record<PanelKind, Panel>;
  private session: vscode.DebugSession | null = null;

  constructor(context: vscode.ExtensionContext) {
    this.panels = {
      cluster: new Panel('cluster', this, context.extensionUri),
      timeline: new Panel('timeline', this, context.extensionUri),
      invariants: new Panel('invariants', this, context.extensionUri),
    };
    for (const p of Object.values(this.panels)) {
      context.subscriptions.push(vscode.window.registerWebviewPanelSerializer(`liferaft.${p.kind}`, { deserializeWebviewPanel: async (panel) => p.adopt(panel) }));
    }
    context.subscriptions.push(
      vscode.debug.onDidTerminateDebugSession((s) => {
        if (s === this.session) for (const p of Object.values(this.panels)) p.post({ type: 'ended' });
      }),
      vscode.commands.registerCommand('liferaft.showCluster', () => this.panels.cluster.show()),
      vscode.commands.registerCommand('liferaft.showTimeline', () => this.panels.timeline.show()),
      vscode.commands.registerCommand('liferaft.showInvariants', () => this.panels.invariants.show()),
      vscode.commands.registerCommand('liferaft.showPanels', () => {
        for (const p of Object.values(this.panels)) p.show();
      }),
    );
  }

  /** A LifeRaft session stopped: fetch the state (and the steps around it) and draw it everywhere open. */
  async stopped(session: vscode.DebugSession): Promise<void> {
    if (session.type !== DEBUG_TYPE) return;
    this.session = session;
    for (const p of Object.values(this.panels)) if (p.panel !== null) await this.refresh(p);
  }

  async refresh(p: Panel): Promise<void> {
    const session = this.session ?? (vscode.debug.activeDebugSession?.type === DEBUG_TYPE ? vscode.debug.activeDebugSession : null);
    if (session === null || p.panel === null) return;
    this.session = session;
    try {
      const state = (await session.customRequest(STATE_REQUEST)) as StateResponseBody;
      const steps = p.kind === 'timeline' ? ((await session.customRequest(STEPS_REQUEST, { from: Math.max(1, state.step - BEFORE), count: BEFORE + AFTER + 1 })) as StepsResponseBody).steps : undefined;
      p.post({ type: 'state', state, ...(steps === undefined ? {} : { steps }) });
    } catch {
      // The session ended meanwhile.
    }
  }

  goto(step: number): void {
    void this.session?.customRequest(GOTO_REQUEST, { step });
  }

  /** The step each open panel shows (tests read it through the extension's exports). */
  shownStep(kind: PanelKind): number | null {
    const p = this.panels[kind];
    return p.panel === null || p.last === null ? null : p.last.state.step;
  }

}
