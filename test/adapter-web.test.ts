// The debug adapter runs inline in VS Code for the Web, in a web worker: bundled for a browser
// (esbuild, platform "browser", the npm `events` package and the web's URL in place of Node's), it
// must hold a whole DAP conversation in a realm that has only a worker's globals, and answer as in Node.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';

const root = join(__dirname, '..');

/** The conversation, written once: run in the vm realm (bundled) and in Node (imported). */
const CONVERSATION = `
  const scenario = 'nodes 3\\ntick 10ms\\nelection 10..20\\nheartbeat 1\\nworkload clients=2 keys=2\\nat 300ms crash n2\\nat 900ms restart n2\\nsafety 2s\\nliveness 2s\\n';
  export async function converse() {
    const session = new SimDebugSession({ readFile: async () => scenario });
    const dc = new InlineClient(session);
    const out = [];
    await dc.request('initialize', { adapterID: 'liferaft' });
    const entry = dc.stopped();
    await dc.request('launch', { scenario: 'web.raftsim', seed: 9, stopOnEntry: true });
    await dc.request('configurationDone');
    out.push((await entry).body.reason);
    out.push((await dc.stop('goto', { threadId: 1000, targetId: 400 })).body.description);
    out.push((await dc.stop('stepBack', { threadId: 1000 })).body.description);
    const st = await dc.request('stackTrace', { threadId: 1000, levels: 5 });
    out.push(st.body.stackFrames.map((f) => f.name + ' @' + f.line));
    const sc = await dc.request('scopes', { frameId: st.body.stackFrames[0].id });
    const vars = await dc.request('variables', { variablesReference: sc.body.scopes[0].variablesReference });
    out.push(vars.body.variables.map((v) => v.name + '=' + v.value));
    out.push((await dc.request('evaluate', { expression: 'len(n1.log) + n1.term', context: 'repl' })).body.result);
    out.push((await dc.stop('continue', { threadId: 1000 })).body.description);
    out.push((await dc.request('liferaft/trace')).body.traceHash);
    return out;
  }
`;

describe('debug adapter in a web worker realm', function () {
  this.timeout(60_000);

  it('bundles for a browser and holds the same DAP conversation as in Node', async () => {
    const entry = `
      import { SimDebugSession } from ${JSON.stringify(join(root, 'debug-adapter/session.ts'))};
      import { InlineClient } from ${JSON.stringify(join(root, 'debug-adapter/inline-client.ts'))};
      ${CONVERSATION}
      converse().then((r) => { globalThis.result = r; }, (e) => { globalThis.error = String(e && e.stack || e); });
    `;
    const out = await build({
      stdin: { contents: entry, resolveDir: root, loader: 'ts' },
      bundle: true,
      platform: 'browser',
      format: 'iife',
      write: false,
      logLevel: 'silent',
      alias: { url: join(root, 'scripts/shims/url.mjs') },
    });
    const code = out.outputFiles[0]!.text;
    assert.doesNotMatch(code, /\brequire\(/, 'the browser bundle must not need require()');
    // A worker's globals only: no process, Buffer or require.
    const realm: { result?: unknown; error?: string } & Record<string, unknown> = { setTimeout, clearTimeout, URL, btoa, atob, console };
    runInNewContext(code, realm);
    for (let i = 0; i < 200 && realm.result === undefined && realm.error === undefined; i++) await new Promise((r) => setTimeout(r, 25));
    assert.equal(realm.error, undefined, realm.error);
    // The same conversation in Node.
    const node = await build({
      stdin: {
        contents: `import { SimDebugSession } from './debug-adapter/session';\nimport { InlineClient } from './debug-adapter/inline-client';\n${CONVERSATION}`,
        resolveDir: root,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      write: false,
      logLevel: 'silent',
    });
    const mod: { exports: { converse?: () => Promise<unknown> } } = { exports: {} };
    new Function('module', 'exports', 'require', node.outputFiles[0]!.text)(mod, mod.exports, require);
    const here = await mod.exports.converse!();
    assert.deepEqual(JSON.parse(JSON.stringify(realm.result)), here);
    const r = here as unknown[];
    assert.equal(r[0], 'entry');
    assert.equal(r[2], 'back to step 399');
  });
});
