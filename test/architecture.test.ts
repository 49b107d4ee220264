// The layering and determinism rules of docs/ARCHITECTURE.md are enforced by `npm run lint` (dependency-cruiser
// and ESLint). These tests prove the rules bite: each forbidden pattern, planted in a scratch tree or
// linted as if it lived in core/, must be reported. They also check that core/ bundles for a browser.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const root = join(__dirname, '..');

describe('architecture rules', function () {
  this.timeout(60_000);

  describe('layering (dependency-cruiser)', () => {
    let dir: string;
    const files: Record<string, string> = {
      'tsconfig.json': '{"compilerOptions":{"module":"ESNext","moduleResolution":"Bundler"}}',
      'core/ok.ts': 'export const ok = 1;',
      'core/index.ts': "export { ok } from './ok';",
      'core/upward.ts': "import { s } from '../sim/engine';\nexport const u = s;",
      'core/uses-node.ts': "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;",
      'core/uses-package.ts': "import seedrandom from 'seedrandom';\nexport const p = seedrandom;",
      'sim/engine.ts': "import { ok } from '../core';\nexport const s = ok;",
      'sim/index.ts': "export { s } from './engine';",
      'sim/ping.ts': "import { pong } from './pong';\nexport const ping = (): number => pong();",
      'sim/pong.ts': "import { ping } from './ping';\nexport const pong = (): number => ping();",
      'sim/reach.ts': "import { ok } from '../core/ok';\nexport const r = ok;",
      'net/reach.ts': "import { s } from '../sim/engine';\nexport const n2 = s;",
      'sim/upward.ts': "import { d } from '../debug-adapter/session';\nexport const x = d;",
      'debug-adapter/session.ts': "import * as vscode from 'vscode';\nexport const d = vscode;",
      'debug-adapter/fs.ts': "import { readFileSync } from 'fs';\nexport const f = readFileSync;",
      'net/upward.ts': "import { c } from '../cli/main';\nexport const n = c;",
      'cli/main.ts': "import { s } from '../sim';\nexport const c = s;",
      'media/panel.ts': "import { s } from '../sim/engine';\nexport const m = s;",
      'media/ok.ts': "import type { Msg } from '../extension/messages';\nexport type M = Msg;",
      'extension/messages.ts': 'export type Msg = { type: "stopped" };',
      'core/fine.test.ts': "import { s } from '../sim/engine';\nexport const t = s;",
      'sim/world.fixture.ts': "import { readFileSync } from 'node:fs';\nexport const w = readFileSync;",
      'sim/rules.cases.ts': "import { w } from './world.fixture';\nexport const cases = w;",
      'sim/leaky.ts': "import { cases } from './rules.cases';\nexport const l = cases;",
    };

    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'liferaft-layers-'));
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('reports every upward import, host module and stray vscode import', () => {
      // (The json reporter exits 0; `npm run lint` uses the err reporter, which exits non-zero.)
      const output = execFileSync(
        process.execPath,
        [
          join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'),
          '--config',
          join(root, '.dependency-cruiser.cjs'),
          '--output-type',
          'json',
          '.',
        ],
        { cwd: dir, encoding: 'utf8' },
      );
      const violations = (JSON.parse(output) as { summary: { violations: { from: string; to: string; rule: { name: string } }[] } }).summary.violations
        .map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)
        .sort();
      const expect = (rule: string, from: string): void => {
        assert.ok(
          violations.some((v) => v.startsWith(`${rule}: ${from} →`)),
          `expected ${rule} on ${from}; got:\n${violations.join('\n')}`,
        );
      };
      expect('core-is-pure', 'core/upward.ts');
      expect('core-is-pure', 'core/uses-node.ts');
      expect('core-is-pure', 'core/uses-package.ts');
      expect('platform-neutral', 'core/uses-node.ts');
      expect('layer-sim', 'sim/upward.ts');
      expect('vscode-only-in-extension', 'debug-adapter/session.ts');
      expect('platform-neutral', 'debug-adapter/fs.ts');
      expect('layer-net', 'net/upward.ts');
      expect('layer-media', 'media/panel.ts');
      expect('no-circular', 'sim/ping.ts');
      expect('core-through-index', 'sim/reach.ts');
      expect('sim-through-index', 'net/reach.ts');
      expect('no-test-code-in-product', 'sim/leaky.ts');
      const fineFiles = ['core/ok.ts', 'core/index.ts', 'sim/engine.ts', 'sim/index.ts', 'cli/main.ts', 'media/ok.ts', 'core/fine.test.ts'];
      for (const fine of [...fineFiles, 'sim/world.fixture.ts', 'sim/rules.cases.ts']) {
        assert.ok(!violations.some((v) => v.includes(`: ${fine} →`)), `${fine} is allowed but was reported`);
      }
    });
  });

  describe('determinism (ESLint)', () => {
    const lint = async (code: string, file: string): Promise<string[]> => {
      const { ESLint } = await import('eslint');
      const eslint = new ESLint({ cwd: root });
      const [result] = await eslint.lintText(code, { filePath: join(root, file) });
      return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message.split(':')[0]}`);
    };
    const forbidden = [
      'export const a = Math.random();',
      'export const b = Date.now();',
      'export const c = new Date();',
      'export const d = performance.now();',
      'setTimeout(() => 0, 1);',
      'setInterval(() => 0, 1);',
      'setImmediate(() => 0);',
      'queueMicrotask(() => 0);',
      'export const e = crypto.getRandomValues(new Uint8Array(4));',
      'export const f = process.env;',
      'export const g = Buffer.from("x");',
      'export const h = globalThis.setTimeout;',
    ];
    for (const code of forbidden) {
      it(`refuses \`${code}\` in core/ and sim/, allows it in cli/`, async () => {
        for (const file of ['core/fixture.ts', 'sim/fixture.ts']) {
          const messages = await lint(code, file);
          assert.ok(
            messages.some((m) => /no-restricted-(globals|properties)/.test(m)),
            `${file}: ${code} not reported (${messages.join('; ')})`,
          );
        }
        const cli = await lint(code, 'cli/fixture.ts');
        assert.ok(!cli.some((m) => /no-restricted/.test(m)), `cli/ should allow ${code}: ${cli.join('; ')}`);
      });
    }
    it('allows local names that merely look like host APIs', async () => {
      const messages = await lint(
        'const performance = { now: () => 1 };\nexport const t = performance.now();\nexport function f(Date: number): number { return Date; }',
        'core/fixture.ts',
      );
      assert.deepEqual(
        messages.filter((m) => /no-restricted/.test(m)),
        [],
      );
    });
  });

  it('core/ bundles for a browser web worker without Node built-ins', async () => {
    const result = await build({
      entryPoints: [join(root, 'core/index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      write: false,
      logLevel: 'silent',
    });
    assert.equal(result.errors.length, 0);
    const js = result.outputFiles[0]!.text;
    assert.ok(js.length > 1000);
    assert.doesNotMatch(js, /\brequire\(/);
  });
});
