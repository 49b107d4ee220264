// What both language clients share (the server: language-server/).
import * as vscode from 'vscode';
import type { LanguageClientOptions } from 'vscode-languageclient';

export const CLIENT_ID = 'liferaft-raftsim';
export const CLIENT_NAME = 'LifeRaft scenarios';

export function CLIENT_OPTIONS(): LanguageClientOptions {
  return {
    documentSelector: [{ language: 'raftsim' }],
    outputChannel: vscode.window.createOutputChannel(CLIENT_NAME, { log: true }),
  };
}
