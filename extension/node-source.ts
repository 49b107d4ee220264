// A user's node (sim/node-api.ts) in VS Code: found from a launch's `node` or a scenario's `node`
// line, read as the editor has it (saved or not, as scenarios are), made CommonJS by the platform
// (user-node-desktop.ts, user-node-web.ts), then evaluated where it runs (node-eval.ts): in the
// extension host for the debugger, in the explore worker for the Testing view, Explore and Shrink.
import * as vscode from 'vscode';
import { nodePathOf } from '../debug-adapter/launch';
import { isModuleSyntax, isTypeScript, loadScenario, type NodeRun, type Scenario } from '../sim';
import type { ExploreRequest } from './explore-worker';
import { nameOf, pathOf, readText, toUri } from './files';
import { evaluateNode, type NodeSource, type RequireFor } from './node-eval';

/** What the platform does for a user's node. */
export interface NodeHost {
  /** CommonJS code for a TypeScript file or an ES module; throws why not where the platform cannot. */
  compile(uri: vscode.Uri, text: string, kind: NodeKind): Promise<string>;
  readonly requireFor: RequireFor;
}

export type NodeKind = 'TypeScript' | 'an ES module';

let host: NodeHost | null = null;

/** Set once, at activation, by the platform's entry. */
export function useNodeHost(h: NodeHost): void {
  host = h;
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
  if (/^([/\\]|[A-Za-z]:|[a-z][a-z0-9+.-]+:)/i.test(path)) uri = toUri(path);
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

/** A node's code as the user has it now: CommonJS, with the SHA-256 of the text. */
export async function readNodeSource(path: string): Promise<NodeSource> {
  const uri = nodeUri(path);
  let text: string;
  try {
    text = await readText(uri);
  } catch (e) {
    const why = e instanceof vscode.FileSystemError && e.code === 'FileNotFound' ? 'no such file' : (e as Error).message;
    throw new Error(`cannot read the node ${pathOf(uri)}: ${why}`);
  }
  const kind: NodeKind | null = isTypeScript(uri.path) ? 'TypeScript' : uri.path.endsWith('.mjs') || isModuleSyntax(text) ? 'an ES module' : null;
  const code = kind === null ? text : await nodeHost().compile(uri, text, kind);
  return { file: pathOf(uri), sha256: await sha256Hex(text), code };
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

/** A node that cannot be read, compiled or loaded is an error at the scenario's `node` line. */
async function atLine<T>(file: string, line: { readonly line: number }, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw new Error(`${nameOf(toUri(file))}:${line.line}:1: ${(e as Error).message}`);
  }
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
