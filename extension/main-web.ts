// The web entry (dist/web/extension.js), for VS Code for the Web's extension host (a web worker).
import type * as vscode from 'vscode';
import { activateWith, type Api } from './extension';
import { startLanguageClient } from './language-web';

export function activate(context: vscode.ExtensionContext): Api {
  return activateWith(context, startLanguageClient);
}

export { deactivate } from './extension';
