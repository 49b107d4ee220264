// The LifeRaft extension: VS Code glue only (the one layer that imports `vscode`). The same entry
// is bundled for the desktop extension host (Node) and for VS Code for the Web (a web worker).
import type * as vscode from 'vscode';
import { registerCommands } from './commands';
import { registerDebugger } from './debug';

export function activate(context: vscode.ExtensionContext): void {
  registerDebugger(context);
  registerCommands(context);
}

export function deactivate(): void {
  // Everything registered is disposed through context.subscriptions.
}
