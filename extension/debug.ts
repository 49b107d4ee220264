// The `liferaft` debugger in VS Code: the adapter runs inline (in the extension host — a web worker
// on the web), launch configurations are filled from the active editor, and the status bar follows
// the current step.
import * as vscode from 'vscode';
import { DEBUG_TYPE, STATE_REQUEST, type LaunchArguments, type StateResponseBody } from '../debug-adapter/protocol';
import { SimDebugSession } from '../debug-adapter/session';
import { pathOf, workspaceFiles } from './files';

type LiferaftConfiguration = vscode.DebugConfiguration & LaunchArguments;

class InlineAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  createDebugAdapterDescriptor(): vscode.DebugAdapterDescriptor {
    return new vscode.DebugAdapterInlineImplementation(new SimDebugSession(workspaceFiles) as unknown as vscode.DebugAdapter);
  }
}

class ConfigurationProvider implements vscode.DebugConfigurationProvider {
  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    return [{ type: DEBUG_TYPE, request: 'launch', name: 'LifeRaft: debug this scenario', scenario: '${file}', seed: 1, stopOnEntry: true }];
  }

  /** F5 with no launch.json, or a configuration without a scenario: use the active .raftsim / .rafttrace. */
  resolveDebugConfiguration(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration | undefined {
    const c = config as LiferaftConfiguration;
    if (c.scenario !== undefined || c.trace !== undefined) return c;
    const doc = vscode.window.activeTextEditor?.document;
    const base = { ...c, type: DEBUG_TYPE, request: c.request ?? 'launch', name: c.name ?? 'LifeRaft', stopOnEntry: c.stopOnEntry ?? true };
    if (doc?.languageId === 'raftsim') return { ...base, scenario: pathOf(doc.uri), seed: c.seed ?? 1 };
    if (doc?.uri.path.endsWith('.rafttrace') === true) return { ...base, trace: pathOf(doc.uri) };
    void vscode.window.showErrorMessage('LifeRaft: open a .raftsim scenario (or a .rafttrace) to debug, or give "scenario" in launch.json.');
    return undefined;
  }
}

/** The status bar item: step and virtual time of the stopped session, and a violation if any. */
function statusBar(context: vscode.ExtensionContext, onStopped: (session: vscode.DebugSession) => void): void {
  const item = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 50);
  item.command = 'liferaft.gotoStep';
  context.subscriptions.push(item);
  const show = async (session: vscode.DebugSession): Promise<void> => {
    try {
      const s = (await session.customRequest(STATE_REQUEST)) as StateResponseBody;
      item.text = `$(debug-alt) LifeRaft step ${s.step} · ${(s.timeUs / 1000).toFixed(1)} ms${s.violation === null ? '' : ` · $(error) ${s.violation.invariant}`}`;
      item.tooltip = `${s.event}\nTimeline: ${s.frontier} steps${s.lastStep === null ? ' so far' : ' (the whole run)'}${s.forks > 0 ? `, ${s.forks} fork(s)` : ''}\nClick to go to a step`;
      item.show();
    } catch {
      // The session ended meanwhile.
    }
  };
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, {
      createDebugAdapterTracker: (session) => ({
        onDidSendMessage: (m: { type?: string; event?: string }) => {
          if (m.type === 'event' && m.event === 'stopped') {
            void show(session);
            onStopped(session);
          }
        },
        onWillStopSession: () => item.hide(),
      }),
    }),
  );
}

/** Registers the debugger; `onStopped` hears of every stop of a LifeRaft session (the panels). */
export function registerDebugger(context: vscode.ExtensionContext, onStopped: (session: vscode.DebugSession) => void): void {
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new InlineAdapterFactory()),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new ConfigurationProvider()),
  );
  statusBar(context, onStopped);
}
