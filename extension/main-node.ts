// The desktop entry (dist/extension.js).
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import type { ExploreWorker } from './explore';
import { activateWith, type Api } from './extension';
import { desktopNodeHost } from './user-node-desktop';
import { startLanguageClient } from './language-node';

function startExploreWorker(context: vscode.ExtensionContext): ExploreWorker {
  const w = new Worker(vscode.Uri.joinPath(context.extensionUri, 'dist', 'exploreWorker.js').fsPath);
  return { post: (r) => w.postMessage(r), onMessage: (f) => void w.on('message', f), terminate: () => void w.terminate() };
}

export function activate(context: vscode.ExtensionContext): Api {
  return activateWith(context, { startLanguageClient, startExploreWorker, nodeHost: desktopNodeHost });
}

export { deactivate } from './extension';
