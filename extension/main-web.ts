// The web entry (dist/web/extension.js), for VS Code for the Web's extension host (a web worker).
import * as vscode from 'vscode';
import type { ExploreReply } from './explore-worker';
import type { ExploreWorker } from './explore';
import { activateWith, type Api } from './extension';
import { webNodeHost } from './user-node-web';
import { startLanguageClient } from './language-web';

interface WebWorker {
  postMessage(m: unknown): void;
  onmessage: ((e: { data: ExploreReply }) => void) | null;
  onerror: ((e: { message?: string }) => void) | null;
  terminate(): void;
}
declare const Worker: new (url: string) => WebWorker;

function startExploreWorker(context: vscode.ExtensionContext): ExploreWorker {
  const w = new Worker(vscode.Uri.joinPath(context.extensionUri, 'dist', 'web', 'exploreWorker.js').toString(true));
  return {
    post: (r) => w.postMessage(r),
    onMessage: (f) => {
      w.onmessage = (e): void => f(e.data);
      // A worker that dies (a user's node that threw later, or ran out of memory) ends the run with why.
      w.onerror = (e): void => f({ type: 'error', message: `the explore worker stopped: ${e.message ?? 'an error'}` });
    },
    terminate: () => w.terminate(),
  };
}

export function activate(context: vscode.ExtensionContext): Api {
  return activateWith(context, { startLanguageClient, startExploreWorker, nodeHost: webNodeHost });
}

export { deactivate } from './extension';
