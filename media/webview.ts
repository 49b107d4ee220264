// What every panel's page shares: the VS Code webview API (acquired once), DOM/SVG helpers, and the
// life cycle — restore the last state (a hidden panel comes back as it was), redraw on each state
// the extension posts, save it, and say "ready" so the extension sends the current one.
import type { FromPanel, StateResponseBody, StepSummary, ToPanel } from '../extension/messages';

interface VsCodeApi {
  postMessage(m: FromPanel): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

/** What a panel shows: the debugger's state, the steps around it (Timeline), whether the session ended. */
export interface Shown {
  readonly state: StateResponseBody;
  readonly steps: readonly StepSummary[];
  readonly ended: boolean;
}

export { el, svg } from './dom';

/** Time travel from a panel: the debugger goes to this step. */
export function goto(step: number): void {
  vscode.postMessage({ type: 'goto', step });
}

export function runPanel(render: (v: Shown) => void): void {
  let last = (vscode.getState() as Shown | null) ?? null;
  if (last !== null) render(last);
  window.addEventListener('message', (e: MessageEvent<ToPanel>) => {
    const m = e.data;
    if (m.type === 'state') last = { state: m.state, steps: m.steps ?? [], ended: false };
    else if (m.type === 'ended' && last !== null) last = { ...last, ended: true };
    else return;
    render(last);
    vscode.setState(last);
  });
  vscode.postMessage({ type: 'ready' });
}
