// A user's node in VS Code for the Web (the extension host and the explore worker are web workers):
// one CommonJS file, evaluated from the text the editor has. No module loader, no compiler there.
import type * as vscode from 'vscode';
import type { NodeHost, NodeKind } from './node-source';
import type { RequireFor } from './node-eval';

const ONE_FILE = 'in VS Code for the Web a node is one CommonJS file (bundle yours into one: npx esbuild NODE --bundle --format=cjs --outfile=FILE.js)';

export const requireFor: RequireFor = (file) => (id) => {
  throw new Error(`require(${JSON.stringify(id)}) from ${file.split('/').pop()}: ${ONE_FILE}, or use the desktop VS Code or the liferaft CLI`);
};

export const webNodeHost: NodeHost = {
  requireFor,
  async compile(uri: vscode.Uri, _text: string, kind: NodeKind): Promise<{ code: string; map: string }> {
    throw new Error(`${uri.path.split('/').pop()} is ${kind}: ${ONE_FILE}, or use the desktop VS Code or the liferaft CLI`);
  },
};
