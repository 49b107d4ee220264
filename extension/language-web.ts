// The .raftsim language client on the web: the server runs in a web worker.
import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/browser';
import { CLIENT_OPTIONS, CLIENT_ID, CLIENT_NAME } from './language';

declare const Worker: new (url: string) => ConstructorParameters<typeof LanguageClient>[2];

export function startLanguageClient(context: vscode.ExtensionContext): vscode.Disposable {
  const worker = new Worker(vscode.Uri.joinPath(context.extensionUri, 'dist', 'web', 'languageServer.js').toString(true));
  const client = new LanguageClient(CLIENT_ID, CLIENT_NAME, worker, CLIENT_OPTIONS());
  void client.start();
  return { dispose: () => void client.stop() };
}
