// The LifeRaft extension: VS Code glue only (the one layer that imports `vscode`). The same entry
// is bundled for the desktop extension host (Node) and for VS Code for the Web (a web worker).
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { registerDebugger } from './debug';
import { ClusterPanel } from './panels';

export function activate(context: vscode.ExtensionContext): { readonly cluster: ClusterPanel } {
  const cluster = new ClusterPanel(context);
  registerDebugger(context, (session) => void cluster.stopped(session));
  registerCommands(context);
  context.subscriptions.push(vscode.commands.registerCommand('liferaft.showCluster', () => cluster.show()));
  // What the extension exports (tests read which step the Cluster panel shows).
  return { cluster };
}

export function deactivate(): void {
  // Everything registered is disposed through context.subscriptions.
}
