// Builds dist/ with esbuild. `node scripts/build.mjs` (npm run build). What ships in the .vsix is
// minified (with source maps beside it for debugging); the CLI is not.
// - dist/cli.js, dist/explore-worker.js, dist/debugAdapter.js: Node (the CLI and the stdio adapter)
// - dist/extension.js, dist/languageServer.js: the VS Code extension for the desktop extension host
//   (Node) and its .raftsim language server (a Node process over IPC)
// - dist/media/*.js: the webview panels (browser scripts)
// - dist/web/languageServer.js: the language server in a web worker
// - dist/web/extension.js: the same extension for VS Code for the Web (a web worker: no Node
//   modules; the npm `events` package and the web's URL stand in for Node's in @vscode/debugadapter)
import { build } from 'esbuild';
import { chmodSync, readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const define = { __VERSION__: JSON.stringify(pkg.version) };

await Promise.all([
  build({
    entryPoints: { cli: 'cli/main.ts', 'explore-worker': 'cli/explore-worker.ts', debugAdapter: 'cli/debug-adapter-main.ts' },
    outdir: 'dist',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    banner: { js: '#!/usr/bin/env node' },
    define,
    logLevel: 'warning',
  }),
  build({
    entryPoints: { extension: 'extension/main-node.ts', languageServer: 'language-server/node-main.ts', exploreWorker: 'extension/worker-node.ts' },
    outdir: 'dist',
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    external: ['vscode'],
    define,
    logLevel: 'warning',
  }),
  build({
    entryPoints: { extension: 'extension/main-web.ts' },
    outdir: 'dist/web',
    bundle: true,
    minify: true,
    platform: 'browser',
    target: 'es2022',
    format: 'cjs',
    sourcemap: true,
    external: ['vscode'],
    alias: { url: './scripts/shims/url.mjs' },
    define: { ...define, 'process.platform': '"web"', 'process.env': '{}' },
    logLevel: 'warning',
  }),
  build({
    entryPoints: { languageServer: 'language-server/browser-main.ts', exploreWorker: 'extension/worker-web.ts' },
    outdir: 'dist/web',
    bundle: true,
    minify: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: true,
    define: { ...define, 'process.env': '{}' },
    logLevel: 'warning',
  }),
  build({
    entryPoints: { cluster: 'media/cluster.ts', timeline: 'media/timeline.ts', invariants: 'media/invariants.ts', 'lin-page': 'media/lin-page.ts' },
    outdir: 'dist/media',
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: true,
    logLevel: 'warning',
  }),
]);

// The CLI is an executable script.
chmodSync('dist/cli.js', 0o755);
