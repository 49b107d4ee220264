// A user's node (sim/node-api.ts) in VS Code: found from a launch's `node` or a scenario's `node`
// line, read as the editor has it (saved or not, as scenarios are), made CommonJS by the platform
// (user-node-desktop.ts, user-node-web.ts), then evaluated where it runs (node-eval.ts): in the
// extension host for the debugger, in the explore worker for the Testing view, Explore and Shrink.
import * as vscode from 'vscode';
import { isRootedPath, nodePathOf } from '../debug-adapter/launch';
import { isModuleSyntax, isTypeScript, loadScenario, thrownLocation, type NodeRun, type Scenario } from '../sim';
import type { ExploreRequest } from './explore-worker';
import { nameOf, pathOf, readText, toUri } from './files';
import { evaluateNode, type NodeSource, type RequireFor } from './node-eval';

/** What the platform does for a user's node. */
export interface NodeHost {
  /** CommonJS code for a TypeScript file or an ES module, with its source map; throws why not where the platform cannot. */
  compile(uri: vscode.Uri, text: string, kind: NodeKind): Promise<{ readonly code: string; readonly map: string }>;
  readonly requireFor: RequireFor;
}

export type NodeKind = 'TypeScript' | 'an ES module';

let host: NodeHost | null = null;
/** Problems with scenarios' `node` lines, in the Problems view and on the line. */
let problems: vscode.DiagnosticCollection | null = null;

/** Set once, at activation, by the platform's entry. */
export function useNodeHost(context: vscode.ExtensionContext, h: NodeHost): void {
  host = h;
  problems = vscode.languages.createDiagnosticCollection('liferaft-node');
  context.subscriptions.push(problems);
}

function nodeHost(): NodeHost {
  if (host === null) throw new Error("the extension was activated without a loader for a user's node");
  return host;
}

/**
 * The file a node path names: a URI, an absolute path, or (from an untitled scenario, which has no
 * folder) a path relative to the workspace's first folder.
 */
export function nodeUri(path: string): vscode.Uri {
  let uri: vscode.Uri;
  if (isRootedPath(path)) uri = toUri(path);
  else {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (folder === undefined)
      throw new Error(
        `the node ${path} is a relative path, and there is no workspace folder to find it from (open the folder, or give the node's absolute path)`,
      );
    uri = vscode.Uri.joinPath(folder.uri, path);
  }
  // (No `.` or `..` segments: `node ./raft.js` and `node raft.js` are one file, in traces too.)
  return uri.scheme === 'untitled' ? uri : vscode.Uri.joinPath(uri.with({ path: '/' }), uri.path);
}

/**
 * How a scenario in `dir` names a node in its `node` line: a relative path (`./raft.js`,
 * `../raft/raft.js`) when both are in one place without spaces, else the node's whole path. No
 * `dir`: an untitled scenario, whose paths are relative to the workspace's first folder.
 */
export function nodeLinePath(nodeFile: string, dir: vscode.Uri | undefined): string {
  const uri = nodeUri(nodeFile);
  const base = dir ?? vscode.workspace.workspaceFolders?.[0]?.uri;
  if (base !== undefined && base.scheme === uri.scheme && base.authority === uri.authority) {
    const from = base.path.split('/').filter((x) => x !== '');
    const to = uri.path.split('/').filter((x) => x !== '');
    let i = 0;
    while (i < from.length && i < to.length - 1 && from[i] === to[i]) i++;
    const rel = [...from.slice(i).map(() => '..'), ...to.slice(i)].join('/');
    const path = rel.startsWith('..') ? rel : `./${rel}`;
    if (!/\s/.test(path)) return path;
  }
  return pathOf(uri);
}

/** A node's code as the user has it now: CommonJS, with the SHA-256 of the text. */
export async function readNodeSource(path: string): Promise<NodeSource> {
  // (Running a node runs its code: not in a workspace the user has not trusted.)
  if (!vscode.workspace.isTrusted)
    throw new Error(
      `the node ${path} is code, and this workspace is not trusted: LifeRaft runs a user's node only in a trusted workspace (Workspaces: Manage Workspace Trust)`,
    );
  const uri = nodeUri(path);
  let text: string;
  try {
    text = await readText(uri);
  } catch (e) {
    const why = e instanceof vscode.FileSystemError && e.code === 'FileNotFound' ? 'no such file' : (e as Error).message;
    throw new Error(`cannot read the node ${pathOf(uri)}: ${why}`);
  }
  const kind: NodeKind | null = isTypeScript(uri.path) ? 'TypeScript' : uri.path.endsWith('.mjs') || isModuleSyntax(text) ? 'an ES module' : null;
  const compiled = kind === null ? { code: text } : await nodeHost().compile(uri, text, kind);
  return { file: pathOf(uri), sha256: await sha256Hex(text), ...compiled };
}

/** The debugger's loader (debug-adapter/launch.ts's NodeLoader). */
export async function loadUserNode(path: string): Promise<NodeRun> {
  return evaluateNode(await readNodeSource(path), nodeHost().requireFor);
}

/**
 * An explore request with the node its scenario's `node` line names (read here, where the editor's
 * text and the workspace are; the worker evaluates it). A scenario that does not parse goes as it
 * is: the worker says why.
 */
export async function withScenarioNode(req: ExploreRequest): Promise<ExploreRequest> {
  let line;
  try {
    line = loadScenario(req.text, req.file).node;
  } catch {
    return req;
  }
  return line === null ? req : { ...req, node: await atLine(req.file, line, () => readNodeSource(nodePathOf(line.path, req.file))) };
}

/** The user's node a scenario's `node` line names, loaded here (Run Seed); none: the core. */
export async function scenarioNode(scenario: Scenario): Promise<NodeRun | undefined> {
  const line = scenario.node;
  return line === null ? undefined : atLine(scenario.file, line, () => loadUserNode(nodePathOf(line.path, scenario.file)));
}

/**
 * A node that cannot be read, compiled or loaded is an error at the scenario's `node` line: in the
 * message, and on the line (Problems) until the node loads.
 */
async function atLine<T>(file: string, line: { readonly line: number }, f: () => Promise<T>): Promise<T> {
  const uri = toUri(file);
  try {
    const r = await f();
    problems?.delete(uri);
    return r;
  } catch (e) {
    const message = (e as Error).message;
    const d = new vscode.Diagnostic(new vscode.Range(line.line - 1, 0, line.line - 1, Number.MAX_SAFE_INTEGER), message, vscode.DiagnosticSeverity.Error);
    d.source = 'liferaft';
    const at = thrownAt(message);
    if (at !== null) d.relatedInformation = [new vscode.DiagnosticRelatedInformation(at, 'where the node fails')];
    problems?.set(uri, [d]);
    throw new Error(`${nameOf(uri)}:${line.line}:1: ${message}`);
  }
}

/** The place a message's `(at FILE:LINE:COL)` names (the node's code), or null. */
export function thrownAt(message: string): vscode.Location | null {
  const at = thrownLocation(message);
  return at === null ? null : new vscode.Location(nodeUri(at.file), new vscode.Position(at.line - 1, Math.max(0, at.column - 1)));
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
