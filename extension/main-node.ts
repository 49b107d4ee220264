// The desktop entry (dist/extension.js).
import type * as vscode from 'vscode';
import { activateWith, type Api } from './extension';
import { startLanguageClient } from './language-node';

export function activate(context: vscode.ExtensionContext): Api {
  return activateWith(context, startLanguageClient);
}

export { deactivate } from './extension';
