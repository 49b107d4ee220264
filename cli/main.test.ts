import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { EXIT, main } from './main';

const root = join(__dirname, '..');

function capture(argv: string[]): { code: number; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(argv, (s) => out.push(s), (s) => err.push(s));
  return { code, out, err };
}

describe('liferaft CLI', () => {
  it('demo elects a leader, commits writes through every node and serves a read', () => {
    const { code, out } = capture(['demo']);
    assert.equal(code, EXIT.ok);
    const text = out.join('\n');
    assert.match(text, /became leader of term \d+/);
    assert.match(text, /c1#1 put k1=v1 sent to n\d.* → ok "v1"/);
    assert.match(text, /c2#1 get k1 sent to n3 → ReadIndex round → ok "v1"/);
    assert.match(text, /applied on every node \(identical\)/);
    assert.match(text, /^ok: /m);
  });

  it('demo --json prints one JSON object, the same for the same seed', () => {
    const a = capture(['demo', '--json', '--seed', '9']);
    const b = capture(['demo', '--json', '--seed', '9']);
    assert.equal(a.out.length, 1);
    assert.equal(a.out[0], b.out[0]);
    const report = JSON.parse(a.out[0]!) as { ok: boolean; writes: unknown[]; logsAgree: boolean };
    assert.equal(report.ok, true);
    assert.equal(report.writes.length, 3);
    assert.equal(report.logsAgree, true);
  });

  it('demo succeeds for many seeds and cluster sizes', () => {
    for (const nodes of ['1', '3', '5', '7']) {
      for (let seed = 1; seed <= 25; seed++) {
        const { code, out } = capture(['demo', '--json', '--nodes', nodes, '--seed', String(seed), '--writes', '5']);
        assert.equal(code, EXIT.ok, `nodes ${nodes} seed ${seed}: ${out.join('\n')}`);
      }
    }
  });

  it('refuses bad usage with exit 64 and a message', () => {
    for (const [argv, message] of [
      [['bogus'], /unknown command "bogus"/],
      [['demo', '--nodes', '0'], /--nodes must be an integer from 1 to 9/],
      [['demo', '--seed', 'abc'], /--seed must be an integer/],
      [['demo', '--wat'], /Unknown option '--wat'/],
      [[], /usage: liferaft/],
    ] as const) {
      const { code, err, out } = capture([...argv]);
      assert.equal(code, EXIT.usage, argv.join(' '));
      assert.match([...err, ...out].join('\n'), message);
    }
  });

  it('the built dist/cli.js runs as a program', function () {
    this.timeout(30_000);
    execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root });
    const ok = spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'demo', '--json'], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout.trim().split('\n').length, 1);
    assert.equal((JSON.parse(ok.stdout) as { ok: boolean }).ok, true);
    const bad = spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'nope'], { encoding: 'utf8' });
    assert.equal(bad.status, 64);
    assert.match(bad.stderr, /unknown command/);
    const version = spawnSync(process.execPath, [join(root, 'dist/cli.js'), '--version'], { encoding: 'utf8' });
    assert.match(version.stdout, /^\d+\.\d+\.\d+/);
  });
});
