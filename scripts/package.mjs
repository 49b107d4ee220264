// npm run package: the extension as a .vsix (offline, with @vscode/vsce): the bundles for desktop
// and web, the grammar, media, README, LICENSE and the manifest — no sources, tests or node_modules
// (.vscodeignore; the bundles need no dependencies). Prints the file list and the size.
import { statSync } from 'node:fs';
import { createVSIX, listFiles } from '@vscode/vsce';

const packagePath = 'liferaft.vsix';
const files = await listFiles({ cwd: process.cwd(), packageManager: 2 /* None: the bundles are self-contained */ });
await createVSIX({
  cwd: process.cwd(),
  packagePath,
  dependencies: false,
  allowMissingRepository: true,
  // No repository to resolve README links against: keep them as written.
  rewriteRelativeLinks: false,
});
console.log(files.sort().map((f) => `  ${f}`).join('\n'));
console.log(`${packagePath}: ${(statSync(packagePath).size / 1024).toFixed(0)} KiB, ${files.length} files`);
