// The page of the linearizability view: in the page `liferaft check --html` writes, the report is
// embedded (window.LIFERAFT_LIN); in VS Code's "Check Linearizability" webview, the extension posts it.
import type { LinReport } from '../extension/messages';
import { linView } from './lin-view';

interface VsCodeApi {
  postMessage(m: unknown): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare const acquireVsCodeApi: (() => VsCodeApi) | undefined;

function show(report: LinReport): void {
  document.body.replaceChildren(linView(report));
  document.body.dataset['result'] = report.result;
}

const embedded = (window as unknown as { LIFERAFT_LIN?: LinReport }).LIFERAFT_LIN;
if (embedded !== undefined) show(embedded);
else if (typeof acquireVsCodeApi === 'function') {
  const vscode = acquireVsCodeApi();
  // A view hidden and shown again comes back as it was (getState is undefined the first time).
  const saved = (vscode.getState() as LinReport | undefined) ?? null;
  if (saved !== null) show(saved);
  window.addEventListener('message', (e: MessageEvent<{ type: string; report?: LinReport }>) => {
    if (e.data.type !== 'linReport' || e.data.report === undefined) return;
    show(e.data.report);
    vscode.setState(e.data.report);
  });
  document.addEventListener('lin-reveal', (e) => vscode.postMessage({ type: 'reveal', line: (e as CustomEvent<{ line: number }>).detail.line }));
  vscode.postMessage({ type: 'ready' });
}
