// The same seed gives the same trace hash in another JavaScript realm: the simulator bundled for a
// browser (esbuild, platform "browser", no Node built-ins) and run in a fresh vm context that has
// only the standard globals plus btoa/atob, as a web worker would.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { DEFAULT_SCENARIO, loadScenario, Simulation } from '../sim';

describe('determinism across realms', function () {
  this.timeout(60_000);

  it('the browser bundle of the simulator gives the same trace hashes as Node', async () => {
    const entry = `
      import { DEFAULT_SCENARIO, loadScenario, Simulation } from ${JSON.stringify(join(__dirname, '../sim/index.ts'))};
      const s = loadScenario(DEFAULT_SCENARIO, 'default.raftsim');
      globalThis.result = [1, 2, 3, 4, 5].map((seed) => new Simulation(s, seed).run().traceHash);
    `;
    const out = await build({
      stdin: { contents: entry, resolveDir: __dirname, loader: 'ts' },
      bundle: true,
      platform: 'browser',
      format: 'iife',
      write: false,
      logLevel: 'silent',
    });
    const code = out.outputFiles[0]!.text;
    assert.doesNotMatch(code, /\brequire\(/, 'the browser bundle must not need require()');
    const context: { result?: string[]; btoa: typeof btoa; atob: typeof atob } = { btoa, atob };
    runInNewContext(code, context);
    const s = loadScenario(DEFAULT_SCENARIO, 'default.raftsim');
    const here = [1, 2, 3, 4, 5].map((seed) => new Simulation(s, seed).run().traceHash);
    assert.equal(JSON.stringify(context.result), JSON.stringify(here));
  });
});
