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

export function nonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function panelHtml(kind: PanelKind, webview: vscode.Webview, assets: PanelAssets): string {
  const n = nonce();
  // The script and the style sheet are inline, not webview resources: the page loads without a
  // request through the webview's service worker (code-server's webviews share one).
  const script = assets.script.replace(/<\/script/gi, '<\\/script');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src ${webview.cspSource} data:; script-src 'nonce-${n}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style>${assets.style}</style>
<title>${TITLES[kind]}</title>
</head>
<body data-panel="${kind}"><p>Waiting for a LifeRaft debug session to stop…</p>
<script nonce="${n}">${script}</script>
</body>
</html>`;
}

/** A panel's page script and the panels' style sheet, read once from the extension. */
export interface PanelAssets {
  readonly script: string;
  readonly style: string;
}

const assetCache = new Map<string, Promise<PanelAssets>>();
function panelAssets(kind: PanelKind, extensionUri: vscode.Uri): Promise<PanelAssets> {
  const key = `${extensionUri.toString()}#${kind}`;
  let p = assetCache.get(key);
  if (p === undefined) {
    const read = async (...path: string[]): Promise<string> =>
      new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(extensionUri, ...path)));
    p = Promise.all([read('dist', 'media', `${kind}.js`), read('media', 'panels.css')]).then(([script, style]) => ({ script, style }));
    p.catch(() => assetCache.delete(key));
    assetCache.set(key, p);
  }
  return p;
}

/** How long a visible panel's page has to say "ready" before the panel is replaced by a new one (at most LOADS_MAX panels in a row). */
const READY_MS = 4000;
const LOADS_MAX = 4;

class Panel {
  panel: vscode.WebviewPanel | null = null;
  last: Extract<ToPanel, { type: 'state' }> | null = null;
  private ready = false;
  private watchdog: ReturnType<typeof setTimeout> | undefined;
  private readonly readyWaiters: (() => void)[] = [];

  constructor(
    readonly kind: PanelKind,
    private readonly host: Panels,
    private readonly extensionUri: vscode.Uri,
  ) {}

  /** Reveals the panel where the user keeps it, or opens it in `column` (beside the editor by default). */
  show(column: vscode.ViewColumn = vscode.ViewColumn.Beside): void {
    if (this.panel !== null) {
      this.panel.reveal(undefined, true);
      return;
    }
    this.adopt(
      vscode.window.createWebviewPanel(`liferaft.${this.kind}`, TITLES[this.kind], { viewColumn: column, preserveFocus: true }, { enableScripts: true }),
    );
    void this.host.refresh(this);
  }

  /** Resolves when the panel's page runs (or after `ms`, whatever happened). */
  whenReady(ms: number): Promise<void> {
    if (this.ready || this.panel === null) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.readyWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  adopt(panel: vscode.WebviewPanel, attempt = 1): void {
    this.panel = panel;
    this.ready = false;
    panel.webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'media'), vscode.Uri.joinPath(this.extensionUri, 'media')],
    };
    panel.onDidDispose(() => {
      if (this.panel !== panel) return;
      this.panel = null;
      this.ready = false;
    });
    // A hidden webview has no page: it loads again (and says ready again) when it is shown.
    panel.onDidChangeViewState(() => {
      if (this.panel !== panel) return;
      if (!panel.visible) this.ready = false;
      else if (!this.ready) this.watch(panel, attempt);
    });
    panel.webview.onDidReceiveMessage((m: FromPanel) => {
      if (this.panel !== panel) return;
      if (m.type === 'ready') {
        this.ready = true;
        for (const f of this.readyWaiters.splice(0)) f();
        if (this.last !== null) this.post(this.last);
      } else if (m.type === 'goto' && Number.isSafeInteger(m.step)) this.host.goto(m.step);
    });
    void panelAssets(this.kind, this.extensionUri).then(
      (assets) => {
        if (this.panel === panel) panel.webview.html = panelHtml(this.kind, panel.webview, assets);
      },
      (e: unknown) => {
        if (this.panel === panel)
          panel.webview.html = `<!DOCTYPE html><html><body><p>LifeRaft could not load this panel: ${String(e).replace(/[<&]/g, ' ')}</p></body></html>`;
      },
    );
    if (panel.visible) this.watch(panel, attempt);
  }

  /**
   * If the visible panel's page has not said ready in time, replaces the panel with a new one in the
   * same place (a few times). In code-server a webview's frame can wait for good on a service worker
   * that another webview's frame took over ("Found unexpected service worker controller"); setting
   * its HTML again does not help, a new frame does.
   */
  private watch(panel: vscode.WebviewPanel, attempt: number): void {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => {
      if (this.ready || this.panel !== panel || !panel.visible || attempt >= LOADS_MAX) return;
      const fresh = vscode.window.createWebviewPanel(
        `liferaft.${this.kind}`,
        TITLES[this.kind],
        { viewColumn: panel.viewColumn ?? vscode.ViewColumn.Beside, preserveFocus: true },
        { enableScripts: true },
      );
      this.adopt(fresh, attempt + 1);
      panel.dispose();
    }, READY_MS);
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
      context.subscriptions.push(
        vscode.window.registerWebviewPanelSerializer(`liferaft.${p.kind}`, { deserializeWebviewPanel: async (panel) => p.adopt(panel) }),
      );
    }
    context.subscriptions.push(
      vscode.debug.onDidTerminateDebugSession((s) => {
        if (s === this.session) for (const p of Object.values(this.panels)) p.post({ type: 'ended' });
      }),
      vscode.commands.registerCommand('liferaft.showCluster', () => this.panels.cluster.show()),
      vscode.commands.registerCommand('liferaft.showTimeline', () => this.panels.timeline.show()),
      vscode.commands.registerCommand('liferaft.showInvariants', () => this.panels.invariants.show()),
      vscode.commands.registerCommand('liferaft.showPanels', () => this.showAll()),
    );
  }

  /**
   * All three panels at once beside the editor. The first time (none open, one editor group) they
   * get a layout of their own: the editor on the left; on the right the Cluster and the Timeline
   * side by side above the Invariants. Panels the user already has open stay where they are.
   */
  async showAll(): Promise<void> {
    const all = Object.values(this.panels);
    if (all.every((p) => p.panel === null) && vscode.window.tabGroups.all.length === 1) {
      await vscode.commands.executeCommand('vscode.setEditorLayout', {
        orientation: 0,
        groups: [{ size: 0.4 }, { size: 0.6, groups: [{ size: 0.62, groups: [{}, {}] }, { size: 0.38 }] }],
      });
      // One after the other: pages that load at once can race for a service worker (code-server).
      const columns = [vscode.ViewColumn.Two, vscode.ViewColumn.Three, vscode.ViewColumn.Four];
      for (const [i, p] of [this.panels.cluster, this.panels.timeline, this.panels.invariants].entries()) {
        p.show(columns[i]);
        await p.whenReady(READY_MS);
      }
      return;
    }
    for (const p of all) {
      p.show();
      await p.whenReady(READY_MS);
    }
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
      const steps =
        p.kind === 'timeline'
          ? ((await session.customRequest(STEPS_REQUEST, { from: Math.max(1, state.step - BEFORE), count: BEFORE + AFTER + 1 })) as StepsResponseBody).steps
          : undefined;
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
