// A user's node on the desktop (a Node extension host and its worker threads): its code may
// require() packages and files beside it, and TypeScript and ES modules are compiled to CommonJS by
// esbuild — the node's project's own (npm install -D esbuild there; the packaged extension has
// none, a development checkout has its own) — with the node's imports of its own files bundled in.
import Module from 'node:module';
import { dirname, sep } from 'node:path';
import type * as vscode from 'vscode';
import type { NodeHost, NodeKind } from './node-source';
import type { RequireFor } from './node-eval';

export const requireFor: RequireFor = (file) => {
  if (/^[a-z][a-z0-9+.-]+:/i.test(file)) return refuse(file);
  // The node's own files load afresh each time, as the node does (the extension host keeps one
  // module cache for every session): a helper edited since runs as edited. Packages stay cached.
  const dir = `${dirname(file)}${sep}`;
  const cache = (Module as unknown as { _cache: Record<string, unknown> })._cache;
  for (const k of Object.keys(cache)) if (k.startsWith(dir) && !k.includes(`${sep}node_modules${sep}`)) delete cache[k];
  return Module.createRequire(file);
};

function refuse(file: string): (id: string) => unknown {
  return (id) => {
    throw new Error(`require(${JSON.stringify(id)}) from ${file}: only a node on this machine's disk can require other files`);
  };
}

type Esbuild = typeof import('esbuild');

function findEsbuild(file: string): Esbuild | null {
  for (const from of [file, __filename]) {
    try {
      return Module.createRequire(from)('esbuild') as Esbuild;
    } catch {
      // Not there: the next place.
    }
  }
  return null;
}

export const desktopNodeHost: NodeHost = {
  requireFor,
  async compile(uri: vscode.Uri, text: string, kind: NodeKind): Promise<{ code: string; map: string }> {
    const name = uri.path.split('/').pop() ?? uri.path;
    if (uri.scheme !== 'file') throw new Error(`${name} is ${kind}, and only a file on this machine's disk can be compiled: give the node as CommonJS`);
    const esbuild = findEsbuild(uri.fsPath);
    if (esbuild === null)
      throw new Error(
        `${name} is ${kind}: the extension compiles it with esbuild, from the node's project (npm install -D esbuild there); or give the node as CommonJS (module.exports = { init, step, view, classify })`,
      );
    let out: import('esbuild').BuildResult<{ write: false }>;
    try {
      out = await esbuild.build({
        stdin: { contents: text, resolveDir: dirname(uri.fsPath), sourcefile: uri.fsPath, loader: kind === 'TypeScript' ? 'ts' : 'js' },
        bundle: true,
        platform: 'node',
        format: 'cjs',
        // (Not written: named so the map's sources are relative to the node's folder.)
        outfile: `${uri.fsPath}.js`,
        sourcemap: 'external',
        write: false,
        logLevel: 'silent',
        packages: 'external',
      });
    } catch (e) {
      // (Where the error is: the entry, or a file it imports.)
      const first = (e as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }).errors?.[0];
      const where = first?.location == null ? name : `${first.location.file.split(/[/\\]/).pop()}:${first.location.line}:${first.location.column + 1}`;
      throw new Error(first === undefined ? `${name} does not compile: ${(e as Error).message}` : `${where}: ${first.text}`);
    }
    const map = out.outputFiles.find((f) => f.path.endsWith('.map'))!.text;
    return { code: out.outputFiles.find((f) => !f.path.endsWith('.map'))!.text, map };
  },
};
