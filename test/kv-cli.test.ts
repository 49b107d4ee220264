// `liferaft kv`, `liferaft node` and `liferaft bench kv` as a user runs them (the built CLI).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogIndex, NodeId, Persist, Term } from '../core';
import { freePorts, LocalCluster } from '../net/cluster';
import { Wal } from '../net/wal';

const CLI = join(__dirname, '..', 'dist', 'cli.js');

function kv(endpoints: readonly string[], args: string[], input?: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, 'kv', '--endpoints', endpoints.join(','), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    p.on('exit', (code) => resolve({ code, out, err }));
    p.stdin.end(input ?? '');
  });
}

describe('liferaft kv / node / bench kv (processes)', function () {
  this.timeout(90_000);
  let dir = '';
  let cluster: LocalCluster | null = null;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'liferaft-kvcli-'));
  });
  after(async () => {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('kv: set / get / del / cas / append print ok, the value or "key not found", with exit codes; a dead endpoint is skipped', async () => {
    cluster = await LocalCluster.start({ cli: CLI, dir: join(dir, 'c') });
    await cluster.leader();
    const [closed] = await freePorts(1);
    const eps = [`http://127.0.0.1:${closed}`, ...cluster.urls];
    assert.deepEqual(await kv(eps, ['set', 'x', 'hello world']), { code: 0, out: 'ok\n', err: '' });
    assert.deepEqual(await kv(eps, ['get', 'x']), { code: 0, out: 'hello world\n', err: '' });
    assert.deepEqual(await kv(eps, ['get', 'nope']), { code: 1, out: 'key not found\n', err: '' });
    assert.deepEqual(await kv(eps, ['cas', 'x', 'wrong', 'y']), { code: 1, out: 'cas failed: the value is "hello world"\n', err: '' });
    assert.deepEqual(await kv(eps, ['cas', 'x', 'hello world', 'y']), { code: 0, out: 'ok\n', err: '' });
    assert.deepEqual(await kv(eps, ['append', 'x', 'z']), { code: 0, out: 'yz\n', err: '' });
    assert.deepEqual(await kv(eps, ['del', 'x']), { code: 0, out: 'ok\n', err: '' });
    assert.deepEqual(await kv(eps, ['del', 'x']), { code: 1, out: 'key not found\n', err: '' });
    const bad = await kv(eps, ['frobnicate']);
    assert.equal(bad.code, 64);
    assert.match(bad.err, /unknown command "frobnicate"/);
  });

  it('kv: the interactive prompt, as in the original LifeRaft', async () => {
    const r = await kv(cluster!.urls, [], 'set a 1\nget a\nset "two words" "x y"\nget "two words"\nget b\ncas a 1 2\nget a\nbogus\nstatus\nexit\nget a\n');
    assert.equal(r.code, 0);
    const lines = r.out.trim().split('\n');
    assert.deepEqual(lines.slice(0, 8), ['ok', '1', 'ok', 'x y', 'key not found', 'ok', '2', 'unknown command "bogus" (get, set, del, cas, append, status)']);
    assert.equal(lines.filter((l) => /\bleader\b/.test(l)).length, 3, 'status lists the three nodes');
    assert.equal(lines.length, 11, 'nothing after exit');
  });

  it('kv: with no node reachable, says so and exits 2', async () => {
    const [closed] = await freePorts(1);
    const r = await kv([`http://127.0.0.1:${closed}`], ['--timeout', '300', 'get', 'x']);
    assert.equal(r.code, 2);
    assert.match(r.err, /no endpoint answered .*ECONNREFUSED/);
  });

  it('kv: a write that timed out somewhere is reported as of unknown outcome, even if a later node says "not applied"', async () => {
    const asked = { 504: 0, 503: 0 };
    const answer = (status: 504 | 503, body: unknown): Server =>
      createServer((req, res) => {
        asked[status]++;
        req.resume();
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      });
    const a = answer(504, { error: 'timed out: no answer in time; the write may or may not be applied', indeterminate: true });
    const b = answer(503, { error: 'unavailable: no leader (not applied)' });
    const [pa, pb] = await freePorts(2);
    await Promise.all([new Promise<void>((r) => a.listen(pa, '127.0.0.1', () => r())), new Promise<void>((r) => b.listen(pb, '127.0.0.1', () => r()))]);
    try {
      const r = await kv([`http://127.0.0.1:${pa}`, `http://127.0.0.1:${pb}`], ['--timeout', '400', 'set', 'x', '1']);
      assert.equal(r.code, 2);
      // Which node answered last depends on where the 400 ms ran out (a loaded machine may end on
      // either); what matters is that a "not applied" after a timeout never reads as "not applied".
      assert.ok(asked[503] >= 1, 'the second node was asked and said "not applied"');
      assert.match(
        r.err,
        /^error: outcome unknown: the write may or may not be applied \(last: (unavailable: no leader \(not applied\)|timed out: no answer in time; the write may or may not be applied)\)/,
      );
      const g = await kv([`http://127.0.0.1:${pb}`], ['--timeout', '300', 'get', 'x']);
      assert.match(g.err, /^error: unavailable: no leader \(not applied\)/, 'a read is simply unavailable');
    } finally {
      a.close();
      b.close();
    }
  });

  it('node: exits at once when its client port is taken; stops promptly on SIGTERM with a request pending', async () => {
    const [raft, http, other] = await freePorts(3);
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(http, '127.0.0.1', () => r()));
    let r = spawnSync(
      process.execPath,
      [CLI, 'node', '--id', 'n1', '--listen', String(raft), '--peers', `n2=${other}`, '--data', join(dir, 'taken'), '--http', String(http)],
      { encoding: 'utf8', timeout: 20_000 },
    );
    blocker.close();
    assert.equal(r.status, 1);
    assert.match(r.stderr, /cannot listen: .*EADDRINUSE/);
    // One member of three: no quorum, so a write waits; SIGTERM must not wait for it.
    const p = spawn(
      process.execPath,
      [CLI, 'node', '--id', 'n1', '--listen', String(raft), '--peers', `n2=${other},n3=${other}`, '--data', join(dir, 'alone'), '--http', String(http)],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    p.stderr.on('data', (c: Buffer) => (log += c.toString()));
    const deadline = Date.now() + 15_000;
    while (!/clients on http/.test(log) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
    const pending = fetch(`http://127.0.0.1:${http}/kv/x?timeout=30000`, { method: 'PUT', body: '{"value":"1"}' }).then(
      (res) => res.status,
      () => 0,
    );
    await new Promise((res) => setTimeout(res, 300));
    const t0 = Date.now();
    const exited = new Promise<number | null>((res) => p.on('exit', (c) => res(c)));
    p.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.ok(Date.now() - t0 < 5000, `stopped in ${Date.now() - t0} ms`);
    assert.ok([0, 504].includes(await pending), 'the pending write ends as indeterminate (or its connection closes)');
    r = spawnSync(process.execPath, [CLI, 'node', '--help'], { encoding: 'utf8' });
    assert.match(r.stdout, /--snapshot-entries/);
  });

  it('node: usage errors name the flag; a WAL with a corrupt record in the middle refuses to start and is left untouched', () => {
    const run = (args: string[]) => spawnSync(process.execPath, [CLI, 'node', ...args], { encoding: 'utf8', timeout: 20_000 });
    let r = run(['--id', 'n1']);
    assert.equal(r.status, 64);
    assert.match(r.stderr, /missing --listen, --peers, --data/);
    r = run(['--id', 'n1', '--listen', 'x:y', '--peers', 'n2=7002', '--data', dir]);
    assert.equal(r.status, 64);
    assert.match(r.stderr, /--listen must be \[HOST:\]PORT/);
    r = run(['--id', 'n1', '--listen', '7001', '--peers', 'n1=7002', '--data', dir]);
    assert.match(r.stderr, /list the other members only/);
    // TLS flags: all three for peers; files that exist and are PEM; a key that fits the certificate.
    const tls = join(__dirname, '..', 'net', 'testdata', 'tls');
    const base = ['--id', 'n1', '--listen', '0', '--peers', 'n2=1', '--data', join(dir, 'tls')];
    r = run([...base, '--peer-cert', join(tls, 'n1.crt')]);
    assert.equal(r.status, 64);
    assert.match(r.stderr, /--peer-cert, --peer-key and --peer-ca go together/);
    r = run([...base, '--peer-cert', join(tls, 'n1.crt'), '--peer-key', join(tls, 'n1.key'), '--peer-ca', join(tls, 'nope.crt')]);
    assert.equal(r.status, 64);
    assert.match(r.stderr, /cannot read --peer-ca .*nope\.crt: ENOENT/);
    r = run([...base, '--peer-cert', join(tls, 'n1.crt'), '--peer-key', join(tls, 'n2.key'), '--peer-ca', join(tls, 'ca.crt')]);
    assert.equal(r.status, 64);
    assert.match(r.stderr, /--peer-cert .*n1\.crt and --peer-key .*n2\.key \(with --peer-ca .*ca\.crt\) cannot be used together: key values mismatch/);
    // A certificate made for another node: its peers would refuse this one, so it does not start.
    r = run([...base, '--peer-cert', join(tls, 'n2.crt'), '--peer-key', join(tls, 'n2.key'), '--peer-ca', join(tls, 'ca.crt')]);
    assert.equal(r.status, 64);
    assert.match(r.stderr, /--peer-cert names n2, but this node is n1: its peers would refuse it/);
    r = run([...base, '--client-cert', join(tls, 'server.crt'), '--client-key', join(tls, 'server.key')]);
    assert.match(r.stderr, /--client-cert needs --http/);

    const data = join(dir, 'corrupt');
    mkdirSync(data);
    const { wal } = Wal.open(data);
    const p = (t: number): Persist => ({
      hardState: { term: t as Term, vote: 'n1' as NodeId },
      log: { from: t as LogIndex, entries: [{ index: t as LogIndex, term: t as Term, data: { type: 'noop' } }] },
    });
    for (let t = 1; t <= 3; t++) wal.append(p(t));
    wal.close();
    const file = join(data, 'wal');
    const bytes = readFileSync(file);
    bytes[20] = bytes[20]! ^ 0xff; // inside the first record's payload
    writeFileSync(file, bytes);
    r = run(['--id', 'n1', '--listen', '0', '--peers', 'n2=1', '--data', data]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /corrupt record at byte 0 \(checksum mismatch\), with valid records after it: refusing to start/);
    assert.deepEqual(readFileSync(file), bytes, 'nothing was overwritten');
  });

  it('bench kv runs end to end and reports its figures (a short run, no etcd)', () => {
    const r = spawnSync(process.execPath, [CLI, 'bench', 'kv', '--seconds', '1', '--clients', '4', '--no-etcd', '--json'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { results: { LifeRaft: { put: { ops: number; errors: number; p99: number }; get: { ops: number } } } };
    assert.ok(j.results.LifeRaft.put.ops > 0 && j.results.LifeRaft.get.ops > 0);
    assert.equal(j.results.LifeRaft.put.errors, 0);
    assert.ok(j.results.LifeRaft.put.p99 > 0);
  });
});
