// The extension's manifest against the code: launch attributes as the adapter validates them,
// commands contributed and registered, files it points to, the TextMate grammar against the
// scenario language, and the web bundle free of Node modules. (The extension running inside a real
// VS Code is tested end to end separately.)
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAUNCH_SCHEMA } from '../debug-adapter/protocol';
import { validateLaunch } from '../debug-adapter/session';
import { STATEMENTS } from '../sim';

const root = join(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  main: string; browser: string; activationEvents: string[];
  contributes: {
    debuggers: { type: string; configurationAttributes: { launch: unknown } }[];
    commands: { command: string }[];
    languages: { id: string; configuration: string; extensions: string[] }[];
    grammars: { path: string; scopeName: string }[];
    menus: Record<string, { command: string }[]>;
  };
};

describe('extension manifest', () => {
  it('declares exactly the launch attributes the adapter accepts', () => {
    assert.deepEqual(pkg.contributes.debuggers[0]!.configurationAttributes.launch, JSON.parse(JSON.stringify(LAUNCH_SCHEMA)));
    // Each declared attribute is one the adapter validates: a wrong type is refused by name.
    const wrong: Record<string, unknown> = { scenario: 1, seed: 'x', trace: 2, stopOnEntry: 'yes', maxSteps: 0, bugs: 'x', checkpointEvery: 1, checkpointBudgetMB: 0 };
    for (const [k, v] of Object.entries(wrong)) {
      assert.ok(Object.hasOwn(LAUNCH_SCHEMA.properties, k));
      const args = { ...(k === 'scenario' || k === 'trace' ? {} : { scenario: 'x.raftsim' }), [k]: v };
      assert.throws(() => validateLaunch(args as never), new RegExp(`"${k}"`), k);
    }
    assert.deepEqual(Object.keys(wrong).sort(), Object.keys(LAUNCH_SCHEMA.properties).sort());
  });

  it('registers every command it contributes, and contributes every command it registers', () => {
    const source = readdirSync(join(root, 'extension')).filter((f) => f.endsWith('.ts')).map((f) => readFileSync(join(root, 'extension', f), 'utf8')).join('\n');
    const registered = [...source.matchAll(/registerCommand\('([^']+)'/g)].map((m) => m[1]).sort();
    assert.deepEqual(pkg.contributes.commands.map((c) => c.command).sort(), registered);
    for (const items of Object.values(pkg.contributes.menus)) for (const i of items) assert.ok(registered.includes(i.command), i.command);
  });

  it('points at files that exist (after the build)', () => {
    const walkthroughMedia = (pkg.contributes as unknown as { walkthroughs: { steps: { media: { markdown: string } }[] }[] }).walkthroughs.flatMap((w) => w.steps.map((st) => st.media.markdown));
    for (const f of [pkg.main, pkg.browser, ...pkg.contributes.grammars.map((g) => g.path), ...pkg.contributes.languages.map((l) => l.configuration), ...walkthroughMedia]) {
      assert.ok(existsSync(join(root, f)), f);
    }
    assert.ok(pkg.activationEvents.every((e) => /^(on(DebugResolve|DebugDynamicConfigurations|Language|WebviewPanel)|workspaceContains):/.test(e)), 'narrow activation');
  });

  it('the grammar colours every statement of the scenario language as one keyword, and every example line', () => {
    const g = JSON.parse(readFileSync(join(root, pkg.contributes.grammars[0]!.path), 'utf8')) as { repository: Record<string, { begin?: string; beginCaptures?: Record<string, { name: string }> }> };
    // (These begin patterns mean the same as JavaScript regular expressions as in Oniguruma.)
    const statement = new RegExp(g.repository['statement']!.begin!);
    const scheduled = new RegExp(g.repository['scheduled']!.begin!);
    for (const rule of ['statement', 'scheduled']) assert.equal(g.repository[rule]!.beginCaptures?.['1']?.name, 'keyword.control.raftsim');
    // The token captured as the keyword is the whole statement name (not `crash` of `crash-leader`).
    const keyword = (line: string): string | undefined => (statement.exec(line) ?? scheduled.exec(line))?.[1];
    for (const word of Object.keys(STATEMENTS)) {
      for (const line of [`${word} 1`, `  ${word}\t1  # why`, word, `${word}# why`]) assert.equal(keyword(line), word, JSON.stringify(line));
      // A longer token that only starts with a statement name is not one (tokens end at a space or #).
      for (const longer of [`${word}-x`, `${word}x`, `${word}.x`, `${word}=1`].filter((w) => !Object.hasOwn(STATEMENTS, w))) assert.equal(keyword(`${longer} 1`), undefined, longer);
    }
    const examples = join(root, 'examples');
    for (const f of readdirSync(examples).filter((x) => x.endsWith('.raftsim'))) {
      readFileSync(join(examples, f), 'utf8').split('\n').forEach((line, i) => {
        if (line.trim() === '' || line.trim().startsWith('#')) return;
        assert.ok(statement.test(line) || scheduled.test(line), `${f}:${i + 1}: ${line}`);
      });
    }
  });

  it('packages only the bundles, grammar, media, README, LICENSE and the manifest', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const vsce = require('@vscode/vsce') as { listFiles: (o: { cwd: string; packageManager: number }) => Promise<string[]> };
    const files = (await vsce.listFiles({ cwd: root, packageManager: 2 })).sort();
    assert.deepEqual(files, ['LICENSE', 'README.md', 'dist/exploreWorker.js', 'dist/extension.js', 'dist/languageServer.js', 'dist/media/cluster.js', 'dist/media/invariants.js', 'dist/media/timeline.js', 'dist/web/exploreWorker.js', 'dist/web/extension.js', 'dist/web/languageServer.js', 'media/icon.png', 'media/panels.css', 'media/walkthrough/debug.md', 'media/walkthrough/hunt.md', 'media/walkthrough/scenario.md', 'media/walkthrough/timetravel.md', 'package.json', 'syntaxes/raftsim.language-configuration.json', 'syntaxes/raftsim.tmLanguage.json']);
  });

  it('the web bundle needs no Node module (only vscode)', () => {
    const js = readFileSync(join(root, pkg.browser), 'utf8');
    const required = [...js.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(required)], ['vscode']);
  });
});
