// Which scenario a command works on, and which seed: the commands run from an editor's title bar,
// a code lens, the Command Palette or the walkthrough (where no editor has focus), so when the
// active editor is not a scenario the user picks one of those open or in the workspace. The seed
// picker offers the seed the scenario pins (a shrunk regression scenario's `seed` line) first.
import * as vscode from 'vscode';
import { loadScenario } from '../sim';
import { nameOf, openDocument, readText } from './files';

const NEW_SCENARIO = 'liferaft.newScenario';

function isScenario(uri: vscode.Uri): boolean {
  return openDocument(uri)?.languageId === 'raftsim' || uri.path.endsWith('.raftsim');
}

/** Scenarios in open editors (untitled ones too), then the workspace's `.raftsim` files. */
async function candidates(): Promise<vscode.Uri[]> {
  const seen = new Set<string>();
  const out: vscode.Uri[] = [];
  const add = (uri: vscode.Uri): void => {
    if (!seen.has(uri.toString()) && isScenario(uri)) {
      seen.add(uri.toString());
      out.push(uri);
    }
  };
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active !== undefined) add(active);
  for (const g of vscode.window.tabGroups.all) for (const t of g.tabs) if (t.input instanceof vscode.TabInputText) add(t.input.uri);
  for (const d of vscode.workspace.textDocuments) if (d.languageId === 'raftsim' && d.uri.scheme !== 'git') add(d.uri);
  for (const uri of (await vscode.workspace.findFiles('**/*.raftsim', '**/node_modules/**', 200)).sort((a, b) => a.path.localeCompare(b.path))) add(uri);
  return out;
}

/**
 * The scenario a command acts on: its argument (a code lens, a menu), the active `.raftsim`
 * editor, else one the user picks among the open and workspace scenarios (or a new one).
 */
export async function chooseScenario(arg: unknown, action: string): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri) return arg;
  const active = vscode.window.activeTextEditor?.document;
  if (active?.languageId === 'raftsim') return active.uri;
  const uris = await candidates();
  type Item = vscode.QuickPickItem & { uri?: vscode.Uri };
  const items: Item[] = uris.map((uri) => {
    const doc = openDocument(uri);
    const where = uri.scheme === 'untitled' ? 'unsaved' : vscode.workspace.asRelativePath(uri, false) + (doc?.isDirty === true ? ' (unsaved changes)' : '');
    return { label: `$(file) ${nameOf(uri)}`, description: where === nameOf(uri) ? '' : where, uri };
  });
  items.push({ label: '$(new-file) New Scenario…', description: 'the default scenario, every statement with comments' });
  const pick = await vscode.window.showQuickPick(items, {
    title: `LifeRaft: ${action} — which scenario?`,
    placeHolder: uris.length === 0 ? 'No .raftsim scenario is open or in the workspace' : 'A scenario open in an editor or in the workspace',
  });
  if (pick === undefined) return undefined;
  if (pick.uri !== undefined) return pick.uri;
  await vscode.commands.executeCommand(NEW_SCENARIO);
  const created = vscode.window.activeTextEditor?.document;
  return created?.languageId === 'raftsim' ? created.uri : undefined;
}

/** The seed a scenario's `seed` line pins, if any (null when it has none or does not parse). */
export function pinnedSeed(text: string, file: string): number | null {
  try {
    return loadScenario(text, file).seed;
  } catch {
    // A scenario with an error elsewhere still pins its seed for the picker; the run reports the error.
    const m = /^[ \t]*seed[ \t]+(\d+)[ \t]*(#.*)?$/m.exec(text);
    return m === null ? null : Number(m[1]);
  }
}

export interface SeedHint {
  readonly seed: number;
  readonly detail: string;
}

/**
 * Asks for a seed: the scenario's pinned seed first (else seed 1), then `hints` (e.g. seeds that
 * failed), and whatever number the user types. Undefined when dismissed.
 */
export async function pickSeed(uri: vscode.Uri, hints: readonly SeedHint[], action: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readText(uri);
  } catch {
    text = '';
  }
  const pinned = pinnedSeed(text, nameOf(uri));
  type Item = vscode.QuickPickItem & { seed: number };
  const fixed: Item[] = [];
  const seen = new Set<number>();
  const add = (seed: number, detail: string): void => {
    if (seen.has(seed)) return;
    seen.add(seed);
    fixed.push({ label: `seed ${seed}`, description: detail, seed });
  };
  if (pinned !== null) add(pinned, "pinned by the scenario's `seed` line");
  for (const h of hints) add(h.seed, h.detail);
  if (pinned === null) add(1, 'the default');
  const qp = vscode.window.createQuickPick<Item>();
  qp.title = `LifeRaft: ${action} ${nameOf(uri)} — seed`;
  qp.placeholder = 'Pick a seed or type any number (the same seed always gives the same run)';
  qp.items = fixed;
  qp.onDidChangeValue((v) => {
    const t = v.trim();
    const n = Number(t);
    const typed =
      /^\d+$/.test(t) && Number.isSafeInteger(n)
        ? [{ label: `seed ${n}`, description: seen.has(n) ? fixed.find((i) => i.seed === n)?.description : 'typed', seed: n, alwaysShow: true }]
        : [];
    qp.items = [...typed, ...fixed.filter((i) => i.seed !== n)];
  });
  return new Promise<number | undefined>((resolve) => {
    let done = false;
    qp.onDidAccept(() => {
      const item = qp.selectedItems[0] ?? qp.activeItems[0];
      if (item === undefined) return;
      done = true;
      resolve(item.seed);
      qp.hide();
    });
    qp.onDidHide(() => {
      if (!done) resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}
