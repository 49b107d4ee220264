// The `liferaft` debugger in VS Code: the adapter runs inline (in the extension host — a web worker
// on the web), launch configurations are filled from the active editor, and the status bar follows
// the current step.
import * as vscode from 'vscode';
import { DEBUG_TYPE, STATE_REQUEST, type LaunchArguments, type StateResponseBody } from '../debug-adapter/protocol';
import { SimDebugSession } from '../debug-adapter/session';
import { loadScenario, ScenarioError } from '../sim';
import { nameOf, openDocument, pathOf, readText, savedAs, toUri, workspaceFiles } from './files';
import { loadUserNode, scenarioNode, thrownAt } from './node-source';
import { chooseScenario } from './scenarios';

type LiferaftConfiguration = vscode.DebugConfiguration & LaunchArguments;

class InlineAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  createDebugAdapterDescriptor(): vscode.DebugAdapterDescriptor {
    return new vscode.DebugAdapterInlineImplementation(new SimDebugSession({ ...workspaceFiles, loadNode: loadUserNode }) as unknown as vscode.DebugAdapter);
  }
}

class ConfigurationProvider implements vscode.DebugConfigurationProvider {
  // (No provideDebugConfigurations: "create a launch.json" takes package.json's initialConfigurations;
  // a provider would add the same configuration a second time.)

  /**
   * F5 with no launch.json, or a configuration without a scenario: the active .raftsim / .rafttrace,
   * else a scenario the user picks. No seed: the adapter runs the scenario's pinned seed, else 1.
   */
  async resolveDebugConfiguration(
    _folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | undefined> {
    const c = config as LiferaftConfiguration;
    if (c.scenario !== undefined || c.trace !== undefined) return c;
    const doc = vscode.window.activeTextEditor?.document;
    const base = { ...c, type: DEBUG_TYPE, request: c.request ?? 'launch', name: c.name ?? 'LifeRaft', stopOnEntry: c.stopOnEntry ?? true };
    if (doc?.uri.path.endsWith('.rafttrace') === true) return { ...base, trace: pathOf(doc.uri) };
    const uri = await chooseScenario(undefined, 'Debug');
    return uri === undefined ? undefined : { ...base, scenario: pathOf(uri) };
  }

  /**
   * After VS Code's save-before-start: an untitled scenario saved just now is debugged as the saved
   * file. And a `"scenario": "${file}"` configuration on a .rafttrace in front opens that trace.
   */
  async resolveDebugConfigurationWithSubstitutedVariables(
    _folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | undefined> {
    let c = config as LiferaftConfiguration;
    if (typeof c.scenario === 'string' && c.scenario.endsWith('.rafttrace') && c.trace === undefined) {
      const { scenario, seed: _seed, ...rest } = c;
      return { ...rest, trace: scenario };
    }
    if (typeof c.scenario !== 'string') return c;
    const saved = savedAs(c.scenario);
    if (saved !== undefined) c = { ...c, scenario: saved };
    // `${file}` with a file in front that is no scenario (launch.json itself, say): ask which one.
    let uri = toUri(c.scenario as string);
    if (!isScenarioUri(uri)) {
      const picked = await chooseScenario(undefined, `Debug (${nameOf(uri)} is not a .raftsim scenario)`);
      if (picked === undefined) return undefined;
      uri = picked;
      c = { ...c, scenario: pathOf(picked) };
    }
    // A scenario with errors: say so once, with all of them in Problems, rather than failing the launch.
    const problems = await scenarioErrors(uri);
    if (problems.length > 0) {
      const first = problems[0]!;
      const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
      void vscode.window
        .showErrorMessage(
          `LifeRaft: ${nameOf(uri)} has ${problems.length === 1 ? 'an error' : `${problems.length} errors`} — line ${first.line}: ${first.message}${more}. Fix ${problems.length === 1 ? 'it' : 'them'} to debug the scenario.`,
          'Show Problems',
        )
        .then((b) => {
          if (b === 'Show Problems') void vscode.commands.executeCommand('workbench.actions.view.problems');
        });
      return undefined;
    }
    // A user's node that does not load: said here, with the way to its line (a failed launch would
    // offer only launch.json).
    const nodeProblem = await userNodeProblem(c, uri);
    if (nodeProblem !== null) {
      const at = thrownAt(nodeProblem);
      void vscode.window.showErrorMessage(`LifeRaft: ${nodeProblem}`, ...(at === null ? [] : ['Open the Node']), 'Show Problems').then((b) => {
        if (b === 'Open the Node' && at !== null) void vscode.window.showTextDocument(at.uri, { selection: at.range });
        else if (b === 'Show Problems') void vscode.commands.executeCommand('workbench.actions.view.problems');
      });
      return undefined;
    }
    return c;
  }
}

/** Why the user's node a launch runs (its `node`, else the scenario's `node` line) does not load; null: it loads, or there is none. */
async function userNodeProblem(c: LiferaftConfiguration, uri: vscode.Uri): Promise<string | null> {
  try {
    if (typeof c.node === 'string' && c.node !== '') await loadUserNode(c.node);
    else await scenarioNode(loadScenario(await readText(uri), c.scenario as string));
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

function isScenarioUri(uri: vscode.Uri): boolean {
  const doc = openDocument(uri);
  return doc !== undefined ? doc.languageId === 'raftsim' || uri.path.endsWith('.raftsim') : uri.path.endsWith('.raftsim');
}

/** A scenario's errors as the user sees them: the language server's (all of them), else the parser's first. */
async function scenarioErrors(uri: vscode.Uri): Promise<{ line: number; message: string }[]> {
  const fromServer = vscode.languages.getDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
  if (fromServer.length > 0) return fromServer.map((d) => ({ line: d.range.start.line + 1, message: d.message }));
  let text: string;
  try {
    text = await readText(uri);
  } catch {
    return []; // the adapter says why it cannot read it
  }
  try {
    loadScenario(text, nameOf(uri));
    return [];
  } catch (e) {
    return e instanceof ScenarioError ? [{ line: e.line, message: e.detail }] : [];
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
