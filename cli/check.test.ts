// liferaft check: histories in our format, Jepsen's and Porcupine's, verdicts, --json and --html.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from './main';
import { capture, root } from './cli.fixture';

describe('liferaft check', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    // (--html inlines the built page script: build it when it is missing.)
    if (!existsSync(join(root, 'dist/media/lin-page.js'))) execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root });
    dir = mkdtempSync(join(tmpdir(), 'liferaft-check-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('checks the history of a simulated run, and finds a broken one illegal', async () => {
    const h = join(dir, 'h.json');
    type Op = { op: string; output?: unknown; return: number | null };
    // The first seed whose clients completed a read (faults may leave a short run without one).
    let ops: Op[] = [];
    for (let seed = 1; !ops.some((o) => o.op === 'get' && o.return !== null); seed++) {
      assert.ok(seed <= 20, 'no seed of 1..20 completed a read');
      const run = await capture(['run', '--seed', String(seed), '--history', h]);
      assert.equal(run.code, EXIT.ok);
      assert.match(run.out.join('\n'), /history linearizable: ok/);
      ops = JSON.parse(readFileSync(h, 'utf8')) as Op[];
    }
    const ok = await capture(['check', h, '--json']);
    assert.equal(ok.code, 0);
    assert.equal((JSON.parse(ok.out[0]!) as { result: string }).result, 'ok');
    const read = ops.findIndex((o) => o.op === 'get' && o.return !== null);
    ops[read]!.output = 'never-written';
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(ops));
    const bad = await capture(['check', join(dir, 'bad.json'), '--json']);
    assert.equal(bad.code, 1);
    const r = JSON.parse(bad.out[0]!) as { result: string; key: string; operations: number[] };
    assert.equal(r.result, 'illegal');
    assert.ok(r.operations.includes(read));
    const text = await capture(['check', join(dir, 'bad.json')]);
    assert.match(text.out.join('\n'), /^illegal: on key "k\d" these \d+ operations cannot be linearized together/);
    assert.match(text.out.join('\n'), /never-written/);
  });

  it('answers unknown past its budget (exit 2) and refuses malformed histories (exit 64)', async () => {
    const f = join(dir, 'hard.json');
    const ops = Array.from({ length: 12 }, (_, i) => ({ client: `c${i}`, op: 'put', key: 'x', value: String(i), call: 0, return: 100 }));
    writeFileSync(f, JSON.stringify([...ops, { client: 'z', op: 'get', key: 'x', output: '99', call: 200, return: 201 }]));
    const u = await capture(['check', f, '--max-steps', '20', '--json']);
    assert.equal(u.code, 2);
    assert.equal((JSON.parse(u.out[0]!) as { result: string }).result, 'unknown');
    writeFileSync(f, JSON.stringify([{ client: 'c', op: 'get', key: 'x', call: 5, return: 1, output: null }]));
    const m = await capture(['check', f]);
    assert.equal(m.code, EXIT.usage);
    assert.match(m.err.join('\n'), /operation 0: "return" \(1\) is before "call" \(5\)/);
  });

  it('reads a Jepsen EDN history as it is: the failing operations with their lines, a hint for "" reads, file:line:col on bad input', async () => {
    const f = join(dir, 'history.edn');
    writeFileSync(
      f,
      [
        '{:type :invoke, :f :write, :value [:k 1], :process 0, :time 1}',
        '{:type :ok, :f :write, :value [:k 1], :process 0, :time 2}',
        '{:type :invoke, :f :read, :value [:k nil], :process 1, :time 3}',
        '{:type :ok, :f :read, :value [:k 2], :process 1, :time 4}',
        '{:type :invoke, :f :read, :value [:j nil], :process 2, :time 5}',
        '{:type :ok, :f :read, :value [:j ""], :process 2, :time 6}',
      ].join('\n'),
    );
    const text = await capture(['check', f]);
    assert.equal(text.code, 1);
    assert.match(text.out.join('\n'), /^illegal: on key ":[jk]"/);
    const json = await capture(['check', f, '--json']);
    const r = JSON.parse(json.out[0]!) as { result: string; format: string; key: string; lines: number[]; hint?: string };
    assert.equal(r.format, 'edn');
    if (r.key === ':k') assert.ok(r.lines.includes(3), 'the read of a value never written, on line 3');
    writeFileSync(f, readFileSync(f, 'utf8').split('\n').slice(4).join('\n'));
    const hinted = await capture(['check', f]);
    assert.match(hinted.out.join('\n'), /hint: .*--initial ""/);
    assert.equal((await capture(['check', f, '--initial', ''])).code, 0);
    writeFileSync(f, '{:type :invoke, :f :read, :process 0}\n{:type :ok :f :read :value [1 2}');
    const bad = await capture(['check', f]);
    assert.equal(bad.code, EXIT.usage);
    assert.match(bad.err.join('\n'), /history\.edn:2:32: "\}" does not match the "\[" at 2:28/);
    const badJson = await capture(['check', f, '--json']);
    assert.equal(badJson.code, EXIT.usage);
    assert.match(
      (JSON.parse(badJson.out[0]!) as { result: string; error: string }).error,
      /history\.edn:2:32:/,
      '--json answers bad input with one object too',
    );
  });

  it('reads Porcupine\'s key/value logs with keys starting as "", writes --html into a new folder after the verdict', async () => {
    const f = join(dir, 'c01.txt');
    writeFileSync(
      f,
      [
        '{:process 0, :type :invoke, :f :get, :key "5", :value nil}',
        '{:process 0, :type :ok, :f :get, :key "5", :value ""}',
        '{:process 1, :type :invoke, :f :append, :key "5", :value "x 1 0 y"}',
        '{:process 1, :type :ok, :f :append, :key "5", :value "x 1 0 y"}',
      ].join('\n'),
    );
    const ok = await capture(['check', f, '--html', join(dir, 'new', 'folder', 'c01.html')]);
    assert.equal(ok.code, 0, ok.out.join('\n'));
    assert.match(ok.out.join('\n'), /^note: every key starts as "" \(Porcupine's key\/value log[^]*^ok: 2 operations[^]*^the picture: /m);
    assert.ok(existsSync(join(dir, 'new', 'folder', 'c01.html')));
    assert.equal((await capture(['check', f, '--initial-absent'])).code, 1, 'a read of "" is illegal when keys start absent');
    const blocked = join(dir, 'c01.txt', 'x.html'); // a folder that is a file
    const r = await capture(['check', f, '--html', blocked]);
    assert.equal(r.code, EXIT.usage);
    assert.match(r.out.join('\n'), /^ok: /m, 'the verdict is printed before the page fails');
    assert.match(r.err.join('\n'), /cannot write --html .*x\.html: (ENOTDIR|EEXIST)/);
  });
});
