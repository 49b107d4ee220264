// The editor's explore worker (extension/explore-worker.ts), called as its host calls it: a range
// of seeds, or a time budget with seeds chosen by coverage, as `liferaft explore` does.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { budgetOf, explore, type ExploreReply } from '../extension/explore-worker';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type * as vscode from 'vscode';
import { desktopNodeHost, requireFor as desktopRequire } from '../extension/user-node-desktop';
import { requireFor as webRequire, webNodeHost } from '../extension/user-node-web';
import { DEFAULT_SCENARIO } from '../sim';

const replies = (req: Parameters<typeof explore>[0], requireFor = webRequire): ExploreReply[] => {
  const out: ExploreReply[] = [];
  explore(req, (r) => out.push(r), requireFor);
  return out;
};

const ROOT = join(__dirname, '..');
const nodeSource = (rel: string, code = readFileSync(join(ROOT, rel), 'utf8')) => ({ file: join(ROOT, rel), sha256: '0'.repeat(64), code });
const BUGGY = 'examples/your-node/raft-bug-vote-any-log.js';

describe('the editor explores as the CLI does', () => {
  it('a range: each seed reported in order, then the coverage', () => {
    const r = replies({ text: DEFAULT_SCENARIO, file: 'default.raftsim', bugs: [], from: 1, to: 3 });
    assert.deepEqual(
      r.filter((x) => x.type === 'seed').map((x) => (x.type === 'seed' ? x.result.seed : 0)),
      [1, 2, 3],
    );
    const done = r[r.length - 1]!;
    assert.equal(done.type, 'done');
    if (done.type === 'done') assert.ok(done.coverage.signals > 0 && done.coverage.rulesNeverHit.length > 0);
  });

  it('a time budget: seeds chosen by coverage until the time is up', () => {
    const r = replies({ text: DEFAULT_SCENARIO, file: 'default.raftsim', bugs: [], from: 1, to: 1, seconds: 1 });
    const seeds = r.filter((x) => x.type === 'seed').map((x) => (x.type === 'seed' ? x.result.seed : 0));
    assert.ok(seeds.length >= 1, 'at least one seed in a second');
    assert.equal(new Set(seeds).size, seeds.length, 'no seed twice');
    assert.equal(r[r.length - 1]!.type, 'done');
  });

  it("a user's node, as the host passes it (CommonJS text): its seeds fail as the CLI's do, and a failing seed shrinks", function () {
    this.timeout(30_000);
    const r = replies({ text: DEFAULT_SCENARIO, file: 'default.raftsim', bugs: [], from: 1, to: 3, node: nodeSource(BUGGY) });
    const failed = r.flatMap((x) => (x.type === 'seed' && x.result.verdict !== 'ok' ? [`${x.result.seed} ${x.result.violation?.invariant}`] : []));
    // (As `liferaft explore --node … --seeds 1..3` reports.)
    assert.deepEqual(failed, ['1 LeaderCompletenessInv', '2 LeaderCompletenessInv']);
    const s = replies({ text: DEFAULT_SCENARIO, file: 'default.raftsim', bugs: [], from: 1, to: 1, shrink: { seed: 1, seconds: 3 }, node: nodeSource(BUGGY) });
    assert.equal(s.length, 1);
    const shrunk = s[0]!;
    assert.ok(shrunk.type === 'shrunk' && shrunk.reproduced && shrunk.invariant === 'LeaderCompletenessInv', JSON.stringify(shrunk));
  });

  it("a user's node that cannot load, or a scenario it cannot run: one error message, naming the file and line", () => {
    const error = (code: string, requireFor = webRequire, text = DEFAULT_SCENARIO): string => {
      const r = replies({ text, file: 'default.raftsim', bugs: [], from: 1, to: 2, node: nodeSource('mine.js', code) }, requireFor);
      assert.equal(r.length, 1, JSON.stringify(r));
      assert.equal(r[0]!.type, 'error');
      return r[0]!.type === 'error' ? r[0]!.message : '';
    };
    assert.match(error('const x = 1;\nthrow new RangeError("no");\n'), /the node .*mine\.js does not load: RangeError: no \(at .*mine\.js:2:7\)/);
    assert.match(error('const x = 1;\nconst y = ;\nconst z = 2;\n'), /the node .*mine\.js does not load: SyntaxError: .* \(at .*mine\.js:2:\d+\)$/);
    assert.match(error('module.exports = { step() {} };'), /mine\.js is not a LifeRaft node: it exports no init, view, classify/);
    // On the web a node is one file; on the desktop, require() resolves beside it.
    const requiring = `const helper = require('./helper');\n${readFileSync(join(ROOT, BUGGY), 'utf8')}`;
    assert.match(error(requiring), /require\("\.\/helper"\) from mine\.js: in VS Code for the Web a node is one CommonJS file.* \(at \S*mine\.js:1:\d+\)$/);
    assert.match(error(requiring, desktopRequire), /Cannot find module '\.\/helper'/);
    assert.match(error(readFileSync(join(ROOT, BUGGY), 'utf8'), webRequire, `${DEFAULT_SCENARIO}\nspares 1\n`), /spare/);
  });

  it('a TypeScript node: the desktop compiles it with esbuild (its imports of its own files bundled in); the web says to bundle it', async function () {
    this.timeout(30_000);
    const dir = mkdtempSync(join(tmpdir(), 'liferaft-ts-node-'));
    writeFileSync(join(dir, 'timing.ts'), 'export const HEARTBEAT: number = 1;\n');
    const file = join(dir, 'mine.ts');
    const text = `import { HEARTBEAT } from './timing';\nimport raft = require(${JSON.stringify(join(ROOT, BUGGY))});\nexport const node = { ...raft, name: 'mine.ts ' + HEARTBEAT };\n`;
    writeFileSync(file, text);
    const uri = { scheme: 'file', fsPath: file, path: file } as vscode.Uri;
    const compiled = await desktopNodeHost.compile(uri, text, 'TypeScript');
    const r = replies(
      { text: DEFAULT_SCENARIO, file: 'default.raftsim', bugs: [], from: 1, to: 1, node: { file, sha256: '0'.repeat(64), ...compiled } },
      desktopRequire,
    );
    assert.deepEqual(
      r.flatMap((x) => (x.type === 'seed' ? [x.result.violation?.invariant] : [])),
      ['LeaderCompletenessInv'],
    );
    // A throw in a file it imports is named at that file's own line (the source map's), not the bundle's.
    writeFileSync(
      join(dir, 'timing.ts'),
      'export const HEARTBEAT: number = 1;\n\nexport function check(term: number): void {\n  if (term > 1) throw new RangeError(`term ${term}`);\n}\n',
    );
    const throwing = `import { check } from './timing';\nimport raft = require(${JSON.stringify(join(ROOT, BUGGY))});\nexport const node = { ...raft, step: (s: { term: number }, i: unknown) => (check(s.term), raft.step(s, i)) };\n`;
    const t = replies(
      {
        text: DEFAULT_SCENARIO,
        file: 'default.raftsim',
        bugs: [],
        from: 1,
        to: 1,
        node: { file, sha256: '0'.repeat(64), ...(await desktopNodeHost.compile(uri, throwing, 'TypeScript')) },
      },
      desktopRequire,
    );
    const crash = t.flatMap((x) => (x.type === 'seed' ? [x.result.violation?.message ?? ''] : []))[0]!;
    assert.match(
      crash,
      new RegExp(`threw on n\\d: RangeError: term 2 \\(at ${join(dir, 'timing.ts').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:\\d+\\)$`),
      crash,
    );
    await assert.rejects(desktopNodeHost.compile(uri, 'export const x: = 1;', 'TypeScript'), /^Error: mine\.ts:1:\d+: /);
    await assert.rejects(
      webNodeHost.compile(uri, text, 'TypeScript'),
      /mine\.ts is TypeScript: in VS Code for the Web a node is one CommonJS file \(bundle yours/,
    );
  });

  it('reads what the user typed: a number of seeds or a time', () => {
    assert.deepEqual(budgetOf(' 100 '), { seeds: 100, text: '100' });
    assert.deepEqual(budgetOf('30s'), { seconds: 30, text: '30s' });
    assert.deepEqual(budgetOf('2 m'), { seconds: 120, text: '2m' });
    for (const bad of ['0', '0s', '-3', '1h', 'ten', '']) assert.equal(budgetOf(bad), null, bad);
  });
});
