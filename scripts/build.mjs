// Builds dist/ with esbuild. `node scripts/build.mjs` (npm run build).
import { build } from 'esbuild';
import { chmodSync, readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: { cli: 'cli/main.ts', 'explore-worker': 'cli/explore-worker.ts', debugAdapter: 'cli/debug-adapter-main.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  banner: { js: '#!/usr/bin/env node' },
  define: { __VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
});

// The CLI is an executable script.
chmodSync('dist/cli.js', 0o755);
