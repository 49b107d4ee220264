// The .raftsim language client on the desktop: the server runs in a Node process, over IPC.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind } from 'vscode-languageclient/node';
import { CLIENT_OPTIONS, CLIENT_ID, CLIENT_NAME } from './language';

export function startLanguageClient(context: vscode.ExtensionContext): vscode.Disposable {
  const module = vscode.Uri.joinPath(context.extensionUri, 'dist', 'languageServer.js').fsPath;
  const client = new LanguageClient(
    CLIENT_ID,
    CLIENT_NAME,
    { run: { module, transport: TransportKind.ipc }, debug: { module, transport: TransportKind.ipc } },
    CLIENT_OPTIONS(),
  );
  void client.start();
  return { dispose: () => void client.stop() };
}
