// The LifeRaft extension: VS Code glue only (the one layer that imports `vscode`). Two entries
// (main-node.ts for the desktop extension host, main-web.ts for VS Code for the Web) differ only in
// how the language server runs.
import type * as vscode from 'vscode';
import { registerCommands } from './commands';
import { registerDebugger } from './debug';
import { Panels } from './panels';

/** What the extension exports (tests read which step each panel shows). */
export interface Api {
  readonly panels: Panels;
}

export function activateWith(context: vscode.ExtensionContext, startLanguageClient: (c: vscode.ExtensionContext) => vscode.Disposable): Api {
  const panels = new Panels(context);
  registerDebugger(context, (session) => void panels.stopped(session));
  registerCommands(context);
  context.subscriptions.push(startLanguageClient(context));
  return { panels };
}

export function deactivate(): void {
  // Everything registered is disposed through context.subscriptions.
}
