// The LifeRaft extension: VS Code glue only (the one layer that imports `vscode`). Two entries
// (main-node.ts for the desktop extension host, main-web.ts for VS Code for the Web) differ in how
// the language server and the explore worker run, and in what a user's node may be.
import type * as vscode from 'vscode';
import { registerCommands } from './commands';
import { registerLinearizability } from './lin-check';
import { registerDebugger } from './debug';
import type { StartWorker } from './explore';
import { registerFailingSeeds, type FailingSeeds } from './failing-seeds';
import { Panels } from './panels';
import { registerTesting } from './testing';
import { trackDocuments } from './files';
import { useNodeHost, type NodeHost } from './node-source';
import { registerWalkthrough } from './walkthrough';

/** What differs between the desktop and the web. */
export interface Platform {
  readonly startLanguageClient: (c: vscode.ExtensionContext) => vscode.Disposable;
  readonly startExploreWorker: StartWorker;
  /** How a user's node is compiled and what it may require (node-source.ts). */
  readonly nodeHost: NodeHost;
}

/** What the extension exports (tests read which step each panel shows, and the test controller). */
export interface Api {
  readonly panels: Panels;
  readonly tests: vscode.TestController;
  readonly failingSeeds: FailingSeeds;
}

export function activateWith(context: vscode.ExtensionContext, platform: Platform): Api {
  trackDocuments(context);
  useNodeHost(context, platform.nodeHost);
  registerWalkthrough(context);
  const panels = new Panels(context);
  registerDebugger(context, (session) => void panels.stopped(session));
  const failingSeeds = registerFailingSeeds(context, platform.startExploreWorker);
  registerCommands(context, platform.startExploreWorker, failingSeeds);
  registerLinearizability(context);
  context.subscriptions.push(platform.startLanguageClient(context));
  const tests = registerTesting(context, platform.startExploreWorker, failingSeeds);
  return { panels, tests, failingSeeds };
}

export function deactivate(): void {
  // Everything registered is disposed through context.subscriptions.
}
