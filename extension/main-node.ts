// The desktop entry (dist/extension.js).
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import type { ExploreWorker } from './explore';
import { activateWith, type Api } from './extension';
import { desktopNodeHost } from './user-node-desktop';
import { startLanguageClient } from './language-node';

function startExploreWorker(context: vscode.ExtensionContext): ExploreWorker {
  const w = new Worker(vscode.Uri.joinPath(context.extensionUri, 'dist', 'exploreWorker.js').fsPath);
  return {
    post: (r) => w.postMessage(r),
    onMessage: (f) => {
      w.on('message', f);
      // A worker that dies (a user's node that threw later, or ran out of memory) ends the run with why.
      w.on('error', (e) => f({ type: 'error', message: `the explore worker stopped: ${e.message}` }));
      w.on('exit', (code) => f({ type: 'error', message: `the explore worker stopped (exit code ${code})` }));
    },
    terminate: () => void w.terminate(),
  };
}

export function activate(context: vscode.ExtensionContext): Api {
  return activateWith(context, { startLanguageClient, startExploreWorker, nodeHost: desktopNodeHost });
}

export { deactivate } from './extension';
