// The extension's manifest against the code: launch attributes as the adapter validates them,
// commands contributed and registered, files it points to, the TextMate grammar against the
// scenario language, and the web bundle free of Node modules. (The extension running inside a real
// VS Code is tested end to end separately.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { LAUNCH_SCHEMA } from '../debug-adapter/protocol';
import { validateLaunch } from '../debug-adapter/launch';
import { STATEMENTS } from '../sim';
import { readZip } from './zip';

const root = join(__dirname, '..');
const README = 'media/readme/README.md'; // the user's README (the .vsix's; README.md is the developers')

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  main: string;
  browser: string;
  activationEvents: string[];
  contributes: {
    debuggers: {
      type: string;
      configurationAttributes: { launch: unknown };
      initialConfigurations: Record<string, unknown>[];
      configurationSnippets?: { label: string; body: unknown }[];
    }[];
    walkthroughs: { steps: { id: string; description?: string; completionEvents?: string[] }[] }[];
    commands: { command: string }[];
    languages: { id: string; configuration?: string; extensions: string[] }[];
    grammars: { path: string; scopeName: string }[];
    menus: Record<string, { command: string }[]>;
  };
};

describe('extension manifest', () => {
  it('declares exactly the launch attributes the adapter accepts', () => {
    assert.deepEqual(pkg.contributes.debuggers[0]!.configurationAttributes.launch, JSON.parse(JSON.stringify(LAUNCH_SCHEMA)));
    // Each declared attribute is one the adapter validates: a wrong type is refused by name.
    const wrong: Record<string, unknown> = {
      scenario: 1,
      seed: 'x',
      trace: 2,
      stopOnEntry: 'yes',
      maxSteps: 0,
      bugs: 'x',
      checkpointEvery: 1,
      checkpointBudgetMB: 0,
      node: 3,
    };
    for (const [k, v] of Object.entries(wrong)) {
      assert.ok(Object.hasOwn(LAUNCH_SCHEMA.properties, k));
      const args = { ...(k === 'scenario' || k === 'trace' ? {} : { scenario: 'x.raftsim' }), [k]: v };
      assert.throws(() => validateLaunch(args as never), new RegExp(`"${k}"`), k);
    }
    assert.deepEqual(Object.keys(wrong).sort(), Object.keys(LAUNCH_SCHEMA.properties).sort());
  });

  it('registers every command it contributes, and contributes every command it registers', () => {
    const source = readdirSync(join(root, 'extension'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => readFileSync(join(root, 'extension', f), 'utf8'))
      .join('\n');
    const registered = [...source.matchAll(/registerCommand\('([^']+)'/g)].map((m) => m[1]).sort();
    assert.deepEqual(pkg.contributes.commands.map((c) => c.command).sort(), registered);
    for (const items of Object.values(pkg.contributes.menus)) for (const i of items) assert.ok(registered.includes(i.command), i.command);
  });

  it('points at files that exist (after the build)', () => {
    const walkthroughMedia = (pkg.contributes as unknown as { walkthroughs: { steps: { media: { markdown: string } }[] }[] }).walkthroughs.flatMap((w) =>
      w.steps.map((st) => st.media.markdown),
    );
    for (const f of [
      pkg.main,
      pkg.browser,
      ...pkg.contributes.grammars.map((g) => g.path),
      ...pkg.contributes.languages.flatMap((l) => (l.configuration === undefined ? [] : [l.configuration])),
      ...walkthroughMedia,
    ]) {
      assert.ok(existsSync(join(root, f)), f);
    }
    assert.ok(
      pkg.activationEvents.every((e) => /^(on(DebugResolve|DebugDynamicConfigurations|Language|WebviewPanel)|workspaceContains):/.test(e)),
      'narrow activation',
    );
  });

  it('the grammar colours every statement of the scenario language as one keyword, and every example line', () => {
    const g = JSON.parse(readFileSync(join(root, pkg.contributes.grammars[0]!.path), 'utf8')) as {
      repository: Record<string, { begin?: string; beginCaptures?: Record<string, { name: string }> }>;
    };
    // (These begin patterns mean the same as JavaScript regular expressions as in Oniguruma.)
    const statement = new RegExp(g.repository['statement']!.begin!);
    const scheduled = new RegExp(g.repository['scheduled']!.begin!);
    for (const rule of ['statement', 'scheduled']) assert.equal(g.repository[rule]!.beginCaptures?.['1']?.name, 'keyword.control.raftsim');
    // The token captured as the keyword is the whole statement name (not `crash` of `crash-leader`).
    const keyword = (line: string): string | undefined => (statement.exec(line) ?? scheduled.exec(line))?.[1];
    for (const word of Object.keys(STATEMENTS)) {
      for (const line of [`${word} 1`, `  ${word}\t1  # why`, word, `${word}# why`]) assert.equal(keyword(line), word, JSON.stringify(line));
      // A longer token that only starts with a statement name is not one (tokens end at a space or #).
      for (const longer of [`${word}-x`, `${word}x`, `${word}.x`, `${word}=1`].filter((w) => !Object.hasOwn(STATEMENTS, w)))
        assert.equal(keyword(`${longer} 1`), undefined, longer);
    }
    const examples = join(root, 'examples');
    for (const f of readdirSync(examples).filter((x) => x.endsWith('.raftsim'))) {
      readFileSync(join(examples, f), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (line.trim() === '' || line.trim().startsWith('#')) return;
          assert.ok(statement.test(line) || scheduled.test(line), `${f}:${i + 1}: ${line}`);
        });
    }
  });

  it("packages only the bundles, grammar, media, the user's README with its pictures inline, LICENSE and the manifest", async function () {
    this.timeout(60_000);
    const out = join(mkdtempSync(join(tmpdir(), 'liferaft-vsix-')), 'liferaft.vsix');
    const r = spawnSync(process.execPath, [join(root, 'scripts/package.mjs'), '--out', out, '--quiet'], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const entries = await readZip(out);
    rmSync(dirname(out), { recursive: true, force: true });
    const files = [...entries.keys()]
      .filter((f) => f.startsWith('extension/'))
      .map((f) => f.slice('extension/'.length))
      .sort();
    assert.deepEqual(files, [
      'LICENSE.txt',
      'dist/exploreWorker.js',
      'dist/extension.js',
      'dist/languageServer.js',
      'dist/media/cluster.js',
      'dist/media/invariants.js',
      'dist/media/lin-page.js',
      'dist/media/timeline.js',
      'dist/web/exploreWorker.js',
      'dist/web/extension.js',
      'dist/web/languageServer.js',
      'media/icon.png',
      'media/panels.css',
      'media/walkthrough/debug.md',
      'media/walkthrough/hunt.md',
      'media/walkthrough/scenario.md',
      'media/walkthrough/timetravel.md',
      'package.json',
      'readme.md',
      'syntaxes/raftsim.language-configuration.json',
      'syntaxes/raftsim.tmLanguage.json',
    ]);
    // The README is the user's, and its pictures are inline: VS Code's Extensions page renders a
    // local README with no base URL and images only from https: and data:.
    const readme = entries.get('extension/readme.md')!.toString('utf8');
    const source = readFileSync(join(root, README), 'utf8');
    const pictures = [...source.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
    assert.ok(pictures.length >= 1, 'the README shows the product');
    const shipped = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
    assert.equal(shipped.length, pictures.length);
    for (const [i, p] of shipped.entries())
      assert.equal(p, `data:image/png;base64,${readFileSync(join(root, pictures[i]!)).toString('base64')}`, `${pictures[i]} inline`);
    assert.doesNotMatch(readme, /npm install|npm test|comes next/, "a user's README, not the developers'");
  });

  it('walkthrough steps complete on events VS Code knows, naming commands that exist', () => {
    const KINDS = ['onCommand', 'onLink', 'onView', 'onSettingChanged', 'onContext', 'extensionInstalled', 'onStepSelected'];
    const commands = new Set(pkg.contributes.commands.map((c) => c.command));
    const steps = pkg.contributes.walkthroughs.flatMap((w) => w.steps);
    assert.ok(steps.length >= 4);
    for (const step of steps) {
      assert.ok((step.completionEvents ?? []).length >= 1, `${step.id} can be ticked`);
      for (const ev of step.completionEvents ?? []) {
        const [kind, arg] = [ev.split(':')[0]!, ev.slice(ev.indexOf(':') + 1)];
        assert.ok(KINDS.includes(kind), `${step.id}: ${ev} is not a completion event VS Code knows`);
        if (kind === 'onCommand') assert.ok(commands.has(arg), `${step.id}: ${arg} is not a contributed command`);
      }
      for (const m of (step.description ?? '').matchAll(/command:([\w.]+)/g))
        assert.ok(commands.has(m[1]!), `${step.id}'s button runs ${m[1]}, which is not contributed`);
    }
  });

  it('the launch.json it writes leaves the seed to the scenario', () => {
    const dbg = pkg.contributes.debuggers[0]!;
    assert.equal(dbg.initialConfigurations.length, 1, 'one configuration: VS Code adds them all to launch.json');
    assert.ok(!('seed' in dbg.initialConfigurations[0]!), "a seed there would override the scenario's `seed` line");
    for (const s of dbg.configurationSnippets ?? []) assert.ok(!/"seed": \d/.test(JSON.stringify(s.body)), `snippet ${s.label} hard-codes a seed`);
  });

  it('the web bundle needs no Node module (only vscode)', () => {
    const js = readFileSync(join(root, pkg.browser), 'utf8');
    const required = [...js.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(required)], ['vscode']);
  });
});
