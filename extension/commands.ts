// Commands: debug a scenario on a seed (with a seed picker), run one seed, open and save traces,
// go to a step of the debugged run, a new scenario. Code lenses on .raftsim files offer the first
// two and Explore. Every command works on the scenario as the editor has it (untitled, unsaved).
import * as vscode from 'vscode';
import { DEBUG_TYPE, GOTO_REQUEST, TRACE_REQUEST } from '../debug-adapter/protocol';
import { DEFAULT_SCENARIO, parseTrace, traceScenario, writeItf, type NodeRun } from '../sim';
import { debugSeed, exploreCommand, exploreInWorker, type StartWorker } from './explore';
import type { SeedResult } from './explore-worker';
import type { FailingSeeds } from './failing-seeds';
import { nameOf, pathOf, proposedUri, readText } from './files';
import { loadUserNode, nodeUri } from './node-source';
import { chooseScenario, pickSeed, type SeedHint } from './scenarios';
import { markDone } from './walkthrough';

function failingHints(failing: FailingSeeds, uri: vscode.Uri): SeedHint[] {
  return failing.all.filter((f) => f.uri.toString() === uri.toString()).map((f) => ({ seed: f.seed, detail: `failed: ${f.invariant}` }));
}

async function debugScenario(failing: FailingSeeds, arg: unknown): Promise<void> {
  const uri = await chooseScenario(arg, 'Debug');
  if (uri === undefined) return;
  const seed = await pickSeed(uri, failingHints(failing, uri), 'Debug');
  if (seed === undefined) return;
  await vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(uri), {
    type: DEBUG_TYPE,
    request: 'launch',
    name: `${nameOf(uri)} · seed ${seed}`,
    scenario: pathOf(uri),
    seed,
    stopOnEntry: true,
  });
}

/**
 * Runs one seed in the explore worker (off the extension host's thread, cancellable: a user's node
 * that loops forever costs a click, not the window), then says how it ended.
 */
async function runSeed(context: vscode.ExtensionContext, start: StartWorker, output: vscode.OutputChannel, failing: FailingSeeds, arg: unknown): Promise<void> {
  const uri = await chooseScenario(arg, 'Run');
  if (uri === undefined) return;
  const seed = await pickSeed(uri, failingHints(failing, uri), 'Run');
  if (seed === undefined) return;
  const path = pathOf(uri);
  let text: string;
  try {
    text = await readText(uri);
  } catch (e) {
    void vscode.window.showErrorMessage(`LifeRaft: ${(e as Error).message}`);
    return;
  }
  let result: SeedResult | undefined;
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `LifeRaft: running seed ${seed} of ${nameOf(uri)}`, cancellable: true },
    (_p, token) => exploreInWorker(context, start, { text, file: path, bugs: [], from: seed, to: seed }, token, (r) => (result = r)),
  );
  if (outcome.cancelled) return;
  if (outcome.error !== undefined || result === undefined) {
    void vscode.window.showErrorMessage(`LifeRaft: ${outcome.error ?? `seed ${seed} did not run`}`);
    return;
  }
  const v = result.violation;
  output.appendLine(
    `${path} seed ${seed}: ${result.verdict} after ${result.steps} steps (${result.simulatedMs} ms simulated), trace hash ${result.traceHash}${v === undefined ? '' : ` — ${v.invariant} at step ${v.step}: ${v.message}`}`,
  );
  output.show(true);
  if (result.verdict === 'ok') {
    void vscode.window.showInformationMessage(`LifeRaft: seed ${seed} of ${nameOf(uri)} passes (${result.steps} steps).`);
    return;
  }
  const choice = await vscode.window.showWarningMessage(`LifeRaft: seed ${seed} fails: ${v?.invariant ?? result.verdict}`, 'Debug this seed');
  if (choice !== undefined) await debugSeed(uri, seed);
}

async function openTrace(arg?: unknown): Promise<void> {
  const uri =
    arg instanceof vscode.Uri
      ? arg
      : (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'LifeRaft trace': ['rafttrace'] }, title: 'Open a LifeRaft trace' }))?.[0];
  if (uri === undefined) return;
  await vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(uri), { type: DEBUG_TYPE, request: 'launch', name: nameOf(uri), trace: pathOf(uri) });
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
  const trace = (await session.customRequest(TRACE_REQUEST)) as { seed?: number; scenario?: { file?: string } };
  const target = await vscode.window.showSaveDialog({
    filters: { 'LifeRaft trace': ['rafttrace'] },
    title: 'Save the run (with its forks) as a trace',
    ...proposedUri(trace.scenario?.file ?? '', trace.seed ?? 0, 'rafttrace', session.workspaceFolder),
  });
  if (target === undefined) return;
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(`${JSON.stringify(trace)}\n`));
  void vscode.window.showInformationMessage(`LifeRaft: saved ${nameOf(target)}; it replays exactly (liferaft replay, or open it to debug).`);
}

/**
 * The debugged run (forks included, up to the step reached) in the Informal Trace Format, for Quint,
 * Apalache and the ITF trace viewer: one state per step, every step unless the file would pass
 * 64 MB (then the last steps that fit, which the message says).
 */
async function saveTraceItf(): Promise<void> {
  const session = liferaftSession();
  if (session === undefined) return;
  const trace = parseTrace(JSON.stringify(await session.customRequest(TRACE_REQUEST)), 'the debugged run');
  // A user's node runs again, as it is now: it must be the one the session ran.
  let node: NodeRun | undefined;
  if (trace.node !== undefined) {
    try {
      node = await loadUserNode(trace.node.file);
    } catch (e) {
      void vscode.window.showErrorMessage(`LifeRaft: ${(e as Error).message}`);
      return;
    }
    if (node.sha256 !== trace.node.sha256) {
      void vscode.window.showErrorMessage(
        `LifeRaft: ${nameOf(nodeUri(trace.node.file))} changed since this session started; restart the session to save the run as ITF.`,
      );
      return;
    }
  }
  const target = await vscode.window.showSaveDialog({
    filters: { 'ITF trace': ['json'] },
    title: 'Save the run in the Informal Trace Format (Quint, Apalache)',
    ...proposedUri(trace.scenario.file, trace.seed, 'itf.json', session.workspaceFolder),
  });
  if (target === undefined) return;
  const parts: string[] = [];
  const summary = writeItf(
    traceScenario(trace),
    trace.seed,
    { stopAtStep: trace.steps, forks: trace.forks, ...(node === undefined ? {} : { node: { module: node.module, label: node.name } }) },
    (c) => parts.push(c),
  );
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(parts.join('')));
  const which =
    summary.from === 0
      ? `every step to ${summary.to}`
      : `steps ${summary.from}–${summary.to} (the last that fit in 64 MB; \`liferaft run --itf-steps\` writes others)`;
  void vscode.window.showInformationMessage(`LifeRaft: saved ${nameOf(target)} in the Informal Trace Format: ${which}, ${summary.states} states.`);
}

async function gotoStep(): Promise<void> {
  const session = liferaftSession();
  if (session === undefined) return;
  const text = await vscode.window.showInputBox({
    title: 'LifeRaft: go to step',
    prompt: 'Step number (back or forward)',
    validateInput: (v) => (/^\d+$/.test(v.trim()) ? null : 'a step number'),
  });
  if (text !== undefined) await session.customRequest(GOTO_REQUEST, { step: Number(text.trim()) });
}

/** A new scenario to edit: the default one (every statement, with comments). */
async function newScenario(): Promise<void> {
  const doc = await vscode.workspace.openTextDocument({ language: 'raftsim', content: DEFAULT_SCENARIO });
  await vscode.window.showTextDocument(doc);
}

/** A saved run (.rafttrace, one line of JSON): what a user does with one, above it. */
class TraceLenses implements vscode.CodeLensProvider {
  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    return [
      new vscode.CodeLens(top, { title: '$(debug-alt) Debug the trace (replay it exactly)', command: 'liferaft.openTrace', arguments: [doc.uri] }),
      new vscode.CodeLens(top, { title: '$(wand) Shrink into a regression scenario', command: 'liferaft.shrinkTrace', arguments: [doc.uri] }),
    ];
  }
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
    vscode.commands.registerCommand('liferaft.debugScenario', (arg?: unknown) => debugScenario(failing, arg)),
    vscode.commands.registerCommand('liferaft.runSeed', (arg?: unknown) => runSeed(context, startWorker, output, failing, arg)),
    vscode.commands.registerCommand('liferaft.explore', async (arg?: unknown) => {
      const uri = await chooseScenario(arg, 'Explore');
      if (uri === undefined) return undefined;
      markDone('explored');
      return exploreCommand(context, startWorker, output, uri, failing);
    }),
    vscode.commands.registerCommand('liferaft.openTrace', (arg?: unknown) => openTrace(arg)),
    vscode.commands.registerCommand('liferaft.newScenario', newScenario),
    vscode.commands.registerCommand('liferaft.saveTrace', saveTrace),
    vscode.commands.registerCommand('liferaft.saveTraceItf', saveTraceItf),
    vscode.commands.registerCommand('liferaft.gotoStep', gotoStep),
    vscode.languages.registerCodeLensProvider({ language: 'raftsim' }, new ScenarioLenses()),
    vscode.languages.registerCodeLensProvider({ language: 'rafttrace' }, new TraceLenses()),
  );
}
