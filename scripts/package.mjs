// npm run package: the extension as a .vsix (offline, with @vscode/vsce): the bundles for desktop
// and web, the grammar, media, the user's README, LICENSE and the manifest — no sources, tests or
// node_modules (.vscodeignore; the bundles need no dependencies). Prints the file list and the size.
// `node scripts/package.mjs [--out FILE] [--quiet]` (the end-to-end journeys package with it too).
//
// The README on the Extensions page is media/readme/README.md (the repository's README.md is the
// developers'). VS Code renders it with no base URL and images limited to https: and data:, so a
// relative picture shows only on a Marketplace that rewrites it to its repository: the packaged
// README (dist/readme.md) carries its pictures inline, as data: URIs.
import { readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { createVSIX, listFiles } from '@vscode/vsce';

const args = process.argv.slice(2);
const at = args.indexOf('--out');
const packagePath = at >= 0 ? args[at + 1] : 'liferaft.vsix';
const quiet = args.includes('--quiet');

const SOURCE_README = 'media/readme/README.md';
const readmePath = 'dist/readme.md';
const MIME = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif' };
const source = readFileSync(SOURCE_README, 'utf8');
const inlined = source.replace(/(!\[[^\]]*\]\()([^)\s]+)(\))/g, (all, open, link, close) => {
  if (/^[a-z]+:/i.test(link)) return all;
  const mime = MIME[extname(link).toLowerCase()];
  if (mime === undefined) throw new Error(`${SOURCE_README}: cannot inline ${link} (not a PNG, JPEG or GIF)`);
  return `${open}data:${mime};base64,${readFileSync(link).toString('base64')}${close}`;
});
mkdirSync(dirname(readmePath), { recursive: true });
writeFileSync(readmePath, inlined);

const say = console.log;
const info = console.info;
if (quiet) console.log = console.info = () => undefined; // vsce prints the file tree
try {
  await createVSIX({
    cwd: process.cwd(),
    packagePath,
    dependencies: false,
    allowMissingRepository: true,
    rewriteRelativeLinks: false,
    readmePath,
  });
} finally {
  console.log = say;
  console.info = info;
}
if (!quiet) {
  const files = await listFiles({ cwd: process.cwd(), packageManager: 2 /* None: the bundles are self-contained */, readmePath });
  console.log(
    files
      .sort()
      .map((f) => `  ${f}`)
      .join('\n'),
  );
  console.log(`${join(packagePath)}: ${(statSync(packagePath).size / 1024).toFixed(0)} KiB, ${files.length} files`);
}
