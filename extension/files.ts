// Files for the debug adapter, through VS Code's file system: local files on the desktop, the
// workspace's own scheme (vscode-vfs, memfs…) on the web.
import * as vscode from 'vscode';
import type { FileAccessor } from '../debug-adapter/session';

/** A path as the launch configuration gives it, or a URI (`scheme:…`), as a Uri. */
export function toUri(path: string): vscode.Uri {
  return /^[a-z][a-z0-9+.-]+:/i.test(path) ? vscode.Uri.parse(path) : vscode.Uri.file(path);
}

/** What a launch configuration should carry for this document: a file path on disk, else its URI. */
export function pathOf(uri: vscode.Uri): string {
  return uri.scheme === 'file' ? uri.fsPath : uri.toString();
}

export const workspaceFiles: FileAccessor = {
  async readFile(path: string): Promise<string> {
    const bytes = await vscode.workspace.fs.readFile(toUri(path));
    return new TextDecoder().decode(bytes);
  },
};
