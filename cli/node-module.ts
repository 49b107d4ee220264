// Loads a user's Raft node (sim/node-api.ts) for `--node FILE`: CommonJS or ESM JavaScript as
// Node loads it, TypeScript compiled on the fly by esbuild. The module's export named `node`, else
// its default export (module.exports), must have init, step, view and classify.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import Module from 'node:module';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  isModuleSyntax,
  isTypeScript,
  nodeOfExports,
  whereThrown,
  withNodeLine as withSimNodeLine,
  type NodeRun,
  type RaftNode,
  type Scenario,
  type TraceFile,
} from '../sim';
import { UsageError, type Io } from './args';

export interface LoadedNode {
  readonly module: RaftNode;
  /** The name in reports: the node's own `name`, else the file's. */
  readonly label: string;
  /** The file as given, and the SHA-256 of its content (a trace says which node it ran). */
  readonly file: string;
  readonly sha256: string;
}

// (Kept out of esbuild's sight: the CLI is bundled as CommonJS, and an import() it rewrote would
// become a require(), which cannot load ES modules.)
const dynamicImport = new Function('url', 'return import(url)') as (url: string) => Promise<Record<string, unknown>>;

export async function loadNode(file: string): Promise<LoadedNode> {
  const abs = resolve(file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read the node ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? (e as Error).message)}`);
  }
  // (Of the text, as an editor has it: a byte-order mark is not part of it. The extension hashes the same.)
  const text = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  const sha256 = createHash('sha256').update(text).digest('hex');
  let exported: Record<string, unknown>;
  try {
    // (Loaded afresh each time — a debug session started after an edit runs the edited file — so
    // not through require's or import's caches: compiled here, or imported under its content hash.)
    if (isTypeScript(abs)) exported = compileTypeScript(abs);
    else if (abs.endsWith('.mjs') || isModuleSyntax(bytes.toString('utf8'))) exported = await dynamicImport(`${pathToFileURL(abs).href}?sha256=${sha256}`);
    else exported = compileCommonJs(abs, bytes.toString('utf8'));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`the node ${file} does not load: ${e instanceof Error ? `${e.name}: ${e.message}${loadedAt(e)}` : String(e)}`);
  }
  let m: ReturnType<typeof nodeOfExports>;
  try {
    m = nodeOfExports(exported, file);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return { module: m.module, label: m.name, file, sha256 };
}

function compileCommonJs(abs: string, code: string): Record<string, unknown> {
  const m = new Module(abs) as Module & { _compile(code: string, file: string): void; paths: string[]; filename: string };
  m.filename = abs;
  m.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(abs));
  m._compile(code, abs);
  return m.exports as Record<string, unknown>;
}

/** TypeScript: bundled to CommonJS by esbuild (its imports of other files too), then evaluated as a module. */
function compileTypeScript(abs: string): Record<string, unknown> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = Module.createRequire(__filename)('esbuild') as typeof import('esbuild');
  } catch {
    throw new UsageError(`a TypeScript node needs esbuild to compile it (npm install esbuild), or compile ${basename(abs)} to JavaScript first`);
  }
  // (With its source map, Node reports the .ts file's own lines in errors: where a node threw.)
  const out = esbuild.buildSync({
    entryPoints: [abs],
    absWorkingDir: dirname(abs),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    logLevel: 'silent',
    packages: 'external',
    sourcemap: 'inline',
  });
  process.setSourceMapsEnabled(true);
  return compileCommonJs(abs, out.outputFiles[0]!.text);
}

/**
 * The user's node a trace ran: its file as recorded (from the current folder, else beside the
 * trace). A file whose content changed since the recording is replayed all the same, with a warning.
 */
export async function traceNode(trace: TraceFile, tracePath: string, io: Io): Promise<NodeRun | undefined> {
  const t = trace.node;
  if (t === undefined) return undefined;
  const beside = isAbsolute(t.file) ? t.file : join(dirname(tracePath), t.file);
  const file = existsSync(t.file) || !existsSync(beside) ? t.file : beside;
  const n = await loadNode(file);
  if (n.sha256 !== t.sha256)
    io.err(
      `liferaft: ${file} changed since ${tracePath} was recorded (SHA-256 ${n.sha256.slice(0, 12)}…, recorded ${t.sha256.slice(0, 12)}…): replaying with it as it is now`,
    );
  // (The file as found: a shrunk scenario's node line must point at a file that is there.)
  return { module: n.module, file, name: n.label, sha256: n.sha256 };
}

/**
 * The node a command runs: --node when given, else the scenario's `node` line (its path relative to
 * the scenario's folder; a problem with it is reported at that line). None: the core.
 */
export async function nodeFor(scenario: Scenario, cliNode: string | undefined): Promise<LoadedNode | undefined> {
  if (cliNode !== undefined) return loadNode(cliNode);
  const n = scenario.node;
  if (n === null) return undefined;
  const file = isAbsolute(n.path) ? n.path : join(dirname(scenario.file), n.path);
  try {
    return await loadNode(file);
  } catch (e) {
    throw new UsageError(`${scenario.file}:${n.line}: ${(e as Error).message}`);
  }
}

/** A shrunk scenario's text that runs `node` (its path made relative to where the scenario is written). */
export function withNodeLine(text: string, node: { readonly file: string }, out: string): string {
  let rel = relative(dirname(resolve(out)), resolve(node.file))
    .split(sep)
    .join('/');
  if (!rel.startsWith('.') && !rel.startsWith('/')) rel = `./${rel}`;
  return withSimNodeLine(text, rel);
}

/** Where loading failed: a syntax error's "FILE:LINE" (the first line of its stack), else the first frame. */
function loadedAt(e: Error): string {
  const first = (e.stack ?? '').split('\n')[0] ?? '';
  return /^\S+:\d+$/.test(first) ? ` (at ${first})` : whereThrown(e);
}
