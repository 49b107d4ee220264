// Commands: debug a scenario on a seed (with a seed picker), run one seed, open and save traces,
// go to a step of the debugged run. Code lenses on .raftsim files offer the first two.
import * as vscode from 'vscode';
import { DEBUG_TYPE, GOTO_REQUEST, TRACE_REQUEST } from '../debug-adapter/protocol';
import { DEFAULT_SCENARIO, loadScenario, Simulation } from '../sim';
import { exploreCommand, type StartWorker } from './explore';
import type { FailingSeeds } from './failing-seeds';
import { pathOf, workspaceFiles } from './files';

function scenarioUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  const doc = vscode.window.activeTextEditor?.document;
  return doc?.languageId === 'raftsim' ? doc.uri : undefined;
}

async function pickSeed(defaultSeed: number): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title: 'LifeRaft: seed',
    prompt: 'The seed of the run (the same seed always gives the same run)',
    value: String(defaultSeed),
    validateInput: (v) => (/^\d+$/.test(v.trim()) && Number.isSafeInteger(Number(v)) ? null : 'a non-negative integer'),
  });
  return text === undefined ? undefined : Number(text.trim());
}

async function debugScenario(arg: unknown, seedArg?: number): Promise<void> {
  const uri = scenarioUri(arg);
  if (uri === undefined) {
    void vscode.window.showErrorMessage('LifeRaft: open a .raftsim scenario first.');
    return;
  }
  const seed = seedArg ?? (await pickSeed(1));
  if (seed === undefined) return;
  const name = uri.path.split('/').pop() ?? 'scenario';
  await vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(uri), { type: DEBUG_TYPE, request: 'launch', name: `${name} · seed ${seed}`, scenario: pathOf(uri), seed, stopOnEntry: true });
}

async function runSeed(output: vscode.OutputChannel, arg: unknown): Promise<void> {
  const uri = scenarioUri(arg);
  if (uri === undefined) return;
  const seed = await pickSeed(1);
  if (seed === undefined) return;
  const path = pathOf(uri);
  let result;
  try {
    result = new Simulation(loadScenario(await workspaceFiles.readFile(path), path), seed).run();
  } catch (e) {
    void vscode.window.showErrorMessage(`LifeRaft: ${(e as Error).message}`);
    return;
  }
  const v = result.violation;
  output.appendLine(`${path} seed ${seed}: ${result.verdict} after ${result.steps} steps (${result.simulatedMs} ms simulated), trace hash ${result.traceHash}${v === undefined ? '' : ` — ${v.invariant} at step ${v.step}: ${v.message}`}`);
  output.show(true);
  if (result.verdict !== 'ok') {
    const choice = await vscode.window.showWarningMessage(`LifeRaft: seed ${seed} fails: ${v?.invariant ?? result.verdict}`, 'Debug this seed');
    if (choice !== undefined) await debugScenario(uri, seed);
  }
}

async function openTrace(arg?: unknown): Promise<void> {
  const uri = arg instanceof vscode.Uri ? arg : (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'LifeRaft trace': ['rafttrace'] }, title: 'Open a LifeRaft trace' }))?.[0];
  if (uri === undefined) return;
  await vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(uri), { type: DEBUG_TYPE, request: 'launch', name: uri.path.split('/').pop() ?? 'trace', trace: pathOf(uri) });
}

function liferaftSession(): vscode.DebugSession | undefined {
  const s = vscode.debug.activeDebugSession;
  if (s?.type === DEBUG_TYPE) return s;
  void vscode.window.showErrorMessage('LifeRaft: no LifeRaft debug session is active.');
  return undefined;
}

async function saveTrace(): Promise<void> {
  const session = liferaftSession();
  if (session === undefined) return;
  const trace: unknown = await session.customRequest(TRACE_REQUEST);
  const target = await vscode.window.showSaveDialog({ filters: { 'LifeRaft trace': ['rafttrace'] }, title: 'Save the run (with its forks) as a trace' });
  if (target === undefined) return;
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(`${JSON.stringify(trace)}\n`));
  void vscode.window.showInformationMessage(`LifeRaft: saved ${target.path.split('/').pop() ?? ''}; it replays exactly (liferaft replay, or open it to debug).`);
}

async function gotoStep(): Promise<void> {
  const session = liferaftSession();
  if (session === undefined) return;
  const text = await vscode.window.showInputBox({ title: 'LifeRaft: go to step', prompt: 'Step number (back or forward)', validateInput: (v) => (/^\d+$/.test(v.trim()) ? null : 'a step number') });
  if (text !== undefined) await session.customRequest(GOTO_REQUEST, { step: Number(text.trim()) });
}

/** A new scenario to edit: the default one (every statement, with comments). */
async function newScenario(): Promise<void> {
  const doc = await vscode.workspace.openTextDocument({ language: 'raftsim', content: DEFAULT_SCENARIO });
  await vscode.window.showTextDocument(doc);
}

class ScenarioLenses implements vscode.CodeLensProvider {
  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    return [
      new vscode.CodeLens(top, { title: '$(debug-alt) Debug seed…', command: 'liferaft.debugScenario', arguments: [doc.uri] }),
      new vscode.CodeLens(top, { title: '$(play) Run seed…', command: 'liferaft.runSeed', arguments: [doc.uri] }),
      new vscode.CodeLens(top, { title: '$(search) Explore seeds…', command: 'liferaft.explore', arguments: [doc.uri] }),
    ];
  }
}

export function registerCommands(context: vscode.ExtensionContext, startWorker: StartWorker, failing: FailingSeeds): void {
  const output = vscode.window.createOutputChannel('LifeRaft');
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('liferaft.debugScenario', (arg?: unknown) => debugScenario(arg)),
    vscode.commands.registerCommand('liferaft.runSeed', (arg?: unknown) => runSeed(output, arg)),
    vscode.commands.registerCommand('liferaft.explore', (arg?: unknown) => {
      const uri = scenarioUri(arg);
      return uri === undefined ? undefined : exploreCommand(context, startWorker, output, uri, failing);
    }),
    vscode.commands.registerCommand('liferaft.openTrace', (arg?: unknown) => openTrace(arg)),
    vscode.commands.registerCommand('liferaft.newScenario', newScenario),
    vscode.commands.registerCommand('liferaft.saveTrace', saveTrace),
    vscode.commands.registerCommand('liferaft.gotoStep', gotoStep),
    vscode.languages.registerCodeLensProvider({ language: 'raftsim' }, new ScenarioLenses()),
  );
}
