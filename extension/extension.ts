// The LifeRaft extension: VS Code glue only (the one layer that imports `vscode`). The same entry
// is bundled for the desktop extension host (Node) and for VS Code for the Web (a web worker).
import type * as vscode from 'vscode';
import { registerCommands } from './commands';
import { registerDebugger } from './debug';
import { Panels } from './panels';

export function activate(context: vscode.ExtensionContext): { readonly panels: Panels; readonly cluster: { readonly shownStep: number | null } } {
  const panels = new Panels(context);
  registerDebugger(context, (session) => void panels.stopped(session));
  registerCommands(context);
  // What the extension exports (tests read which step each panel shows).
  return {
    panels,
    get cluster() {
      return panels.cluster;
    },
  };
}

export function deactivate(): void {
  // Everything registered is disposed through context.subscriptions.
}
