// Scenario and trace texts for the debug adapter, Run, Explore, Shrink and the Testing view. What a
// user sees in an editor wins: an open document's current text (saved or not, untitled or not),
// then VS Code's file system (local files on the desktop, the workspace's own scheme on the web).
import * as vscode from 'vscode';
import type { FileAccessor } from '../debug-adapter/session';

/**
 * A path as the launch configuration gives it, or a URI (`scheme:…`), as a Uri. VS Code substitutes
 * `${file}` and `${workspaceFolder}` with a URI's fsPath even where the workspace is not on disk (VS
 * Code for the Web: `/default.raftsim` for `vscode-vfs://…/default.raftsim`): such a path names an
 * open document or a file of a workspace folder of that scheme, not a local file.
 */
export function toUri(path: string): vscode.Uri {
  if (/^[a-z][a-z0-9+.-]+:/i.test(path)) return vscode.Uri.parse(path);
  const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme !== 'file' && d.uri.scheme !== 'untitled' && d.uri.fsPath === path);
  if (open !== undefined) return open.uri;
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    if (folder.uri.scheme === 'file') continue;
    const root = folder.uri.fsPath.replace(/\/+$/, '');
    if (path === root || path.startsWith(`${root}/`)) return vscode.Uri.joinPath(folder.uri, path.slice(root.length));
  }
  return vscode.Uri.file(path);
}

/** What a launch configuration should carry for this document: a file path on disk, else its URI. */
export function pathOf(uri: vscode.Uri): string {
  return uri.scheme === 'file' ? uri.fsPath : uri.toString();
}

/**
 * Where a save dialog proposes to write what came of a scenario (or trace) `file`: beside it when
 * it is a file, else in the workspace folder, as <name>-seed-<N>.<extension>.
 */
export function proposedUri(file: string, seed: number, extension: string, folder?: vscode.WorkspaceFolder): { defaultUri?: vscode.Uri } {
  // (An untitled scenario is known by its editor's name: `Untitled-1`.)
  const name =
    file
      .replace(/^untitled:/, '')
      .split(/[\\/]/)
      .pop() ?? '';
  const stem = name.replace(/\.(raftsim|rafttrace)$/, '').replace(/[^\w.-]+/g, '-') || 'run';
  const uri = file === '' ? undefined : toUri(file);
  const dir = uri?.scheme === 'untitled' || uri === undefined ? (folder ?? vscode.workspace.workspaceFolders?.[0])?.uri : vscode.Uri.joinPath(uri, '..');
  return dir === undefined ? {} : { defaultUri: vscode.Uri.joinPath(dir, `${stem}-seed-${seed}.${extension}`) };
}

/** The file name a user knows the document by (`Untitled-1` for an untitled one). */
export function nameOf(uri: vscode.Uri): string {
  return uri.path.split('/').pop() || uri.toString();
}

/**
 * Texts of untitled documents closed lately. A Save As closes the untitled document: a launch
 * configuration made from it (Debug seed… on an untitled scenario, then VS Code's save-before-start)
 * still names it, and still gets its text.
 */
const closedUntitled = new Map<string, string>();
const CLOSED_UNTITLED_MAX = 32;

export function trackDocuments(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.workspace.onDidCloseTextDocument((doc) => {
      if (doc.uri.scheme !== 'untitled') return;
      closedUntitled.delete(doc.uri.toString());
      closedUntitled.set(doc.uri.toString(), doc.getText());
      if (closedUntitled.size > CLOSED_UNTITLED_MAX) closedUntitled.delete(closedUntitled.keys().next().value!);
    }),
  );
}

/** The open document for this URI, if any. */
export function openDocument(uri: vscode.Uri): vscode.TextDocument | undefined {
  const key = uri.toString();
  return vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
}

/** The text of a scenario or trace as the user has it now. */
export async function readText(uri: vscode.Uri): Promise<string> {
  const doc = openDocument(uri);
  if (doc !== undefined) return doc.getText();
  const closed = closedUntitled.get(uri.toString());
  if (closed !== undefined) return closed;
  if (uri.scheme === 'untitled') throw new Error(`${nameOf(uri)} is no longer open (an untitled editor keeps its text only while it is open)`);
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}

/**
 * If `path` names an untitled document that a Save As has just replaced by the active editor (no
 * tab shows it any more, and the active file has its text), the saved file's path: breakpoints and
 * frames then use that file.
 */
export function savedAs(path: string): string | undefined {
  const uri = toUri(path);
  if (uri.scheme !== 'untitled') return undefined;
  const key = uri.toString();
  const shown = vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === key));
  const text = openDocument(uri)?.getText() ?? closedUntitled.get(key);
  const active = vscode.window.activeTextEditor?.document;
  return !shown && text !== undefined && active !== undefined && active.uri.scheme !== 'untitled' && active.getText() === text ? pathOf(active.uri) : undefined;
}

export const workspaceFiles: FileAccessor = {
  readFile: (path: string) => readText(toUri(path)),
};
