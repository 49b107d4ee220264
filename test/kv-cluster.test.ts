// The real key/value cluster as users run it: `liferaft node` processes on 127.0.0.1, killed with
// SIGKILL and restarted, clients on the HTTP API recording a history for the linearizability checker.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalCluster } from '../net/cluster';
import { encodeFrame } from '../net/frame';
import { lcg, missingWrites, startWorkload, type Workload } from '../net/workload';
import { checkHistory, type Operation } from '../sim/linearizability';

const CLI = join(__dirname, '..', 'dist', 'cli.js');

type Load = Workload;

/** `n` clients on `keys` shared keys, and a write-once key every fifth operation. */
function startLoad(c: LocalCluster, n: number, keys: number): Load {
  return startWorkload({ urls: () => c.urls, clients: n, key: (r) => `k${Math.floor(r() * keys)}` });
}

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

async function get(url: string, key: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/kv/${encodeURIComponent(key)}?timeout=5000`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Every acknowledged unique write is readable, from every node; the history linearizes. */
async function verify(c: LocalCluster, load: Load, urls: readonly string[] = c.urls): Promise<{ ops: number; acked: number; unknown: number }> {
  const acked = load.unique.filter((u) => u.kind === 'ok');
  assert.ok(acked.length > 0, 'some unique writes were acknowledged');
  for (const url of urls)
    assert.deepEqual(await missingWrites(url, acked, { serializable: false }), [], `every acknowledged write-once key is read through ${url}`);
  const history: Operation[] = load.history();
  const result = checkHistory(history, { searchStepsMax: 5_000_000 });
  assert.equal(result.result, 'ok', `the recorded history is linearizable: ${JSON.stringify(result).slice(0, 400)}`);
  return { ops: history.length, acked: acked.length, unknown: history.filter((o) => o.return === null).length };
}

describe('a real 3-node cluster (liferaft node processes on 127.0.0.1)', function () {
  this.timeout(120_000);
  let dir = '';
  let cluster: LocalCluster | null = null;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'liferaft-kv-'));
  });
  afterEach(async () => {
    await cluster?.stop();
    cluster = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it('a write through a follower is read from every node; kill -9 the leader under load, restart it: acknowledged writes survive and the history is linearizable', async () => {
    // Compaction every 25 entries: snapshots are taken, the restarted node recovers from its
    // snapshot file, and what it missed may come as an InstallSnapshot.
    const c = (cluster = await LocalCluster.start({ cli: CLI, dir, snapshotEntries: 25, walRewriteBytes: 8192 }));
    const leader = await c.leader();
    const follower = [...c.members.keys()].find((id) => id !== leader)!;
    const put = await fetch(`${c.member(follower).url}/kv/greeting`, { method: 'PUT', body: JSON.stringify({ value: 'hello' }) });
    assert.equal(put.status, 200);
    for (const url of c.urls) assert.deepEqual(await get(url, 'greeting'), { status: 200, body: { key: 'greeting', value: 'hello' } });

    const load = startLoad(c, 4, 4);
    await sleep(800);
    // Kill it only once it has written a snapshot file, so its restart recovers from one (slow disks: wait).
    const deadline = Date.now() + 30_000;
    const rewrites = async (): Promise<number> => Number(((await c.status(leader)) as { wal?: { rewrites?: number } } | null)?.wal?.rewrites ?? 0);
    while ((await rewrites()) === 0 && Date.now() < deadline) await sleep(50);
    await c.kill(leader);
    await sleep(1200);
    const next = await c.leader();
    assert.notEqual(next, leader, 'another node took over');
    await c.restart(leader);
    await sleep(800);
    await load.stop();
    const v = await verify(c, load);
    const st = await c.status(leader);
    assert.ok(Number(st?.['applied']) > 0 && Number(st?.['term']) >= 2, `the restarted node recovered and caught up: ${JSON.stringify(st)}`);
    assert.ok(
      c.member(leader).log.some((l) => /recovered a snapshot at index \d+/.test(l)),
      `the restarted node recovered from its snapshot:\n${c.member(leader).log.join('\n')}`,
    );
    for (const id of c.members.keys()) {
      const s = await c.status(id);
      assert.ok(Number(s?.['logStart']) > 0, `${id} compacted its log: ${JSON.stringify(s)}`);
    }
    assert.ok(v.ops > 50, `enough operations ran (${v.ops})`);
    console.log(`      ${v.ops} operations (${v.unknown} of unknown outcome), ${v.acked} acknowledged unique writes all present`);
  });

  it('member transfer moves leadership under load, through the CLI; bad requests change nothing; acknowledged writes survive', async () => {
    const c = (cluster = await LocalCluster.start({ cli: CLI, dir }));
    const leader = await c.leader();
    const [target, other] = [...c.members.keys()].filter((id) => id !== leader) as [string, string];
    // (Asynchronously: the load's clients, and the nodes' log pipes, keep flowing meanwhile.)
    const member = (...args: string[]): Promise<{ code: number; out: string; err: string }> =>
      new Promise((resolve) => {
        const p = spawn(process.execPath, [CLI, 'member', ...(args.includes('--endpoints') ? [] : ['--endpoints', c.urls.join(',')]), ...args]);
        let out = '';
        let err = '';
        p.stdout.on('data', (d: Buffer) => (out += d.toString()));
        p.stderr.on('data', (d: Buffer) => (err += d.toString()));
        p.on('close', (code) => resolve({ code: code ?? -1, out, err }));
      });
    const listed = await member('list', '--json');
    assert.equal(listed.code, 0, listed.err);
    const rows = JSON.parse(listed.out) as { id: string; role: string; leader: string }[];
    assert.deepEqual(rows.map((r) => r.id).sort(), [...c.members.keys()].sort());
    assert.deepEqual(
      rows.filter((r) => r.role === 'leader').map((r) => r.id),
      [leader],
    );

    const load = startLoad(c, 4, 4);
    await sleep(500);
    // Refused, and nothing changes: an unknown member, the leader itself, a follower asked directly.
    const unknown = await member('transfer', 'n9');
    assert.equal(unknown.code, 1, unknown.err);
    assert.match(unknown.err, /n9 is not a voter \(voters: n1, n2, n3\)/);
    const self = await member('transfer', leader);
    assert.equal(self.code, 1);
    assert.match(self.err, new RegExp(`${leader} already leads`));
    const direct = await fetch(`${c.member(target).url}/transfer`, { method: 'POST', body: JSON.stringify({ to: other }) });
    assert.equal(direct.status, 503);
    assert.deepEqual(await direct.json(), { error: `${target} does not lead`, leader });
    const bad = await fetch(`${c.member(leader).url}/transfer`, { method: 'POST', body: '{"to": 3}' });
    assert.equal(bad.status, 400);
    const array = await fetch(`${c.member(leader).url}/transfer`, { method: 'POST', body: '[]' });
    assert.deepEqual(await array.json(), { error: 'expected a JSON object body, e.g. {"to": "n2"}' });
    // Only a follower's address: it says who leads, at once, instead of waiting out the timeout.
    const viaFollower = await member('--endpoints', c.member(target).url, 'transfer', target);
    assert.equal(viaFollower.code, 2);
    assert.match(viaFollower.err, new RegExp(`none of these endpoints leads; they follow ${leader}: add its client address to --endpoints`));
    assert.equal(await c.leader(), leader, 'still the same leader');

    const moved = await member('transfer', target);
    assert.equal(moved.code, 0, moved.err);
    assert.match(moved.out, new RegExp(`^${target} leads \\(term \\d+\\)`));
    assert.equal(await c.leader(), target);
    assert.ok(
      c.member(leader).log.some((l) => l.includes(`handing leadership to ${target}`)),
      `the leader logged the handover:\n${c.member(leader).log.join('\n')}`,
    );
    const back = await member('transfer', leader, '--json');
    assert.equal(back.code, 0, back.err);
    assert.equal((JSON.parse(back.out) as { leader: string }).leader, leader);
    await sleep(500);
    await load.stop();
    const v = await verify(c, load);
    console.log(`      two transfers under load: ${v.ops} operations (${v.unknown} of unknown outcome), ${v.acked} acknowledged unique writes all present`);
  });

  it('member add, remove and replace under load, through the CLI: a node joins with an empty disk, the leader is removed, a killed node is replaced', async () => {
    const c = (cluster = await LocalCluster.start({ cli: CLI, dir, snapshotEntries: 30, walRewriteBytes: 8192 }));
    const member = (...args: string[]): Promise<{ code: number; out: string; err: string }> =>
      new Promise((resolve) => {
        const p = spawn(process.execPath, [CLI, 'member', '--endpoints', c.urls.join(','), '--timeout', '15000', ...args]);
        let out = '';
        let err = '';
        p.stdout.on('data', (d: Buffer) => (out += d.toString()));
        p.stderr.on('data', (d: Buffer) => (err += d.toString()));
        p.on('close', (code) => resolve({ code: code ?? -1, out, err }));
      });
    const leader = await c.leader();
    const load = startLoad(c, 4, 4);
    await sleep(500);
    // Refused, and nothing changes: an unknown member, a member added again, a follower asked directly, bad bodies.
    const unknown = await member('remove', 'n9');
    assert.equal(unknown.code, 1, unknown.err);
    assert.match(unknown.err, /n9 is not a member \(voters=n1,n2,n3\)/);
    const again = await member('add', 'n2', '127.0.0.1:1');
    assert.equal(again.code, 1);
    assert.match(again.err, /n2 is already a member/);
    const follower = [...c.members.keys()].find((id) => id !== leader)!;
    const direct = await fetch(`${c.member(follower).url}/members/n3`, { method: 'DELETE' });
    assert.equal(direct.status, 503);
    assert.deepEqual(await direct.json(), { error: `${follower} does not lead`, leader });
    const badPort = await member('add', 'n6', '127.0.0.1:99999');
    assert.equal(badPort.code, 64, 'a port out of range is a usage error');
    for (const body of ['{"id": "n4"}', '{"id": "n 4", "peer": "127.0.0.1:9"}', '{"id": "n4", "peer": "127.0.0.1:99999"}', '[]']) {
      const bad = await fetch(`${c.member(leader).url}/members`, { method: 'POST', body });
      assert.equal(bad.status, 400, body);
    }
    const listed = JSON.parse((await member('list', '--json')).out) as { config: { voters: string[] } }[];
    assert.deepEqual(listed[0]!.config.voters, ['n1', 'n2', 'n3'], 'nothing changed');

    // 1. A new node with an empty disk joins: a learner, caught up, promoted.
    const n4 = await c.join('n4');
    assert.ok(
      n4.log.some((l) => l.includes(`waiting to be added: liferaft member add n4 127.0.0.1:${n4.raftPort}`)),
      n4.log.join('\n'),
    );
    const added = await member('add', 'n4', `127.0.0.1:${n4.raftPort}`, '--http', `127.0.0.1:${n4.httpPort}`);
    assert.equal(added.code, 0, added.err);
    assert.match(added.out, /^n4 added: voters n1, n2, n3, n4 \(entry \d+\)/);
    assert.ok(
      n4.log.some((l) => /configuration voters=n1,n2,n3,n4 \(entry \d+\): this node is a voter/.test(l)),
      n4.log.join('\n'),
    );
    // Its WAL keeps the configuration: killed and restarted, it is a voter again at once.
    await c.kill('n4');
    await c.restart('n4');
    assert.deepEqual(((await c.status('n4'))?.['config'] as { voters: string[] }).voters, ['n1', 'n2', 'n3', 'n4']);

    // 2. The leader is removed: it leads until that commits, then steps down; another leads.
    const removed = await member('remove', leader);
    assert.equal(removed.code, 0, removed.err);
    const next = await c.leader();
    assert.notEqual(next, leader);
    assert.ok(
      c.member(leader).log.some((l) => /this node is not a member/.test(l)),
      c.member(leader).log.join('\n'),
    );
    // The removed node, still running, turns clients away at once (they have members to ask).
    const t0 = Date.now();
    const outsider = await fetch(`${c.member(leader).url}/kv/greeting`);
    assert.equal(outsider.status, 503);
    assert.match(((await outsider.json()) as { error: string }).error, /not a member of the cluster/);
    assert.ok(Date.now() - t0 < 1000, `answered in ${Date.now() - t0} ms`);

    // 3. A killed node is replaced by a new one with an empty disk.
    const victim = [...c.members.keys()].find((id) => id !== leader && id !== next && id !== 'n4')!;
    await c.kill(victim);
    const gone = await member('remove', victim);
    assert.equal(gone.code, 0, gone.err);
    const n5 = await c.join('n5');
    const replaced = await member('add', 'n5', `127.0.0.1:${n5.raftPort}`, '--http', `127.0.0.1:${n5.httpPort}`);
    assert.equal(replaced.code, 0, replaced.err);
    const voters = [next, 'n4', 'n5'].sort();
    assert.match(replaced.out, new RegExp(`^n5 added: voters ${voters.map((v) => `(?=.*${v})`).join('')}`));
    const list = await member('list');
    assert.match(list.out, /configuration: voters [^\n]*n5/);

    await sleep(500);
    await load.stop();
    const v = await verify(
      c,
      load,
      voters.map((id) => c.member(id).url),
    );
    console.log(
      `      a join, the leader removed, a killed node replaced, under load: ${v.ops} operations (${v.unknown} of unknown outcome), ${v.acked} acknowledged unique writes all present`,
    );
  });

  it('soak: repeated kill -9 / restart of random nodes under load, bounded in time', async () => {
    const seconds = Number(process.env['LIFERAFT_SOAK_SECONDS'] ?? 8);
    const c = (cluster = await LocalCluster.start({ cli: CLI, dir, snapshotEntries: 15, walRewriteBytes: 8192 }));
    const load = startLoad(c, 3, 3);
    const r = lcg(42);
    const ids = [...c.members.keys()];
    const end = Date.now() + seconds * 1000;
    let cycles = 0;
    while (Date.now() < end) {
      const victim = r() < 0.5 ? await c.leader() : ids[Math.floor(r() * ids.length)]!;
      await c.kill(victim);
      await sleep(200 + Math.floor(r() * 500));
      await c.restart(victim);
      await sleep(200 + Math.floor(r() * 300));
      cycles++;
    }
    await load.stop();
    const v = await verify(c, load);
    assert.ok(cycles >= 3, `${cycles} kill/restart cycles`);
    assert.ok(v.ops > 50, `enough operations ran (${v.ops})`);
    const logs = [...c.members.values()].flatMap((m) => m.log);
    const taken = logs.filter((l) => /took a snapshot/.test(l)).length;
    const installed = logs.filter((l) => /installed the leader's snapshot/.test(l)).length;
    assert.ok(taken > 0, 'snapshots were taken');
    console.log(
      `      ${cycles} kill/restart cycles in ${seconds} s: ${v.ops} operations (${v.unknown} of unknown outcome), ${v.acked} acknowledged unique writes all present; ${taken} snapshots taken, ${installed} installed from a leader`,
    );
  });

  it('liferaft chaos --cycles 6 --json: each fault once (kill -9, partition, one-way cut, delay, loss, SIGSTOP) through relays on every link; nothing lost, linearizable', async () => {
    const out = await new Promise<{ code: number; out: string; err: string }>((resolve) => {
      const p = spawn(process.execPath, [CLI, 'chaos', '--cycles', '6', '--hold-ms', '700', '--seed', '3', '--json']);
      let o = '';
      let e = '';
      p.stdout.on('data', (d: Buffer) => (o += d.toString()));
      p.stderr.on('data', (d: Buffer) => (e += d.toString()));
      p.on('close', (code) => resolve({ code: code ?? -1, out: o, err: e }));
    });
    assert.equal(out.code, 0, `${out.out}\n${out.err}`);
    const lines = out.out.trim().split('\n');
    assert.equal(lines.length, 1, 'exactly one JSON line on stdout');
    const r = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.deepEqual(Object.keys(r), [
      'cycles',
      'kills',
      'networkFaults',
      'pauses',
      'operations',
      'ackedWrites',
      'lost',
      'linearizable',
      'elapsedS',
      'seed',
      'leaderChanges',
      'relays',
    ]);
    assert.ok(Number.isSafeInteger(r['seed']) && Number(r['leaderChanges']) >= 1, JSON.stringify(r));
    assert.deepEqual(
      { cycles: r['cycles'], kills: r['kills'], networkFaults: r['networkFaults'], pauses: r['pauses'] },
      { cycles: 6, kills: 1, networkFaults: 4, pauses: 1 },
    );
    assert.equal(r['lost'], 0);
    assert.equal(r['linearizable'], true);
    assert.ok(Number(r['operations']) > 100 && Number(r['ackedWrites']) > 10, JSON.stringify(r));
    console.log(`      ${lines[0]}`);
  });

  it('peers over mutual TLS (liferaft node --peer-cert/--peer-key/--peer-ca): the members elect and commit through a kill -9; a node whose certificate is from another CA learns nothing', async () => {
    const TLS = join(__dirname, '..', 'net', 'testdata', 'tls');
    // n3 runs with a stranger's certificate: it names n3, but its CA is not the cluster's.
    const c = (cluster = await LocalCluster.start({
      cli: CLI,
      dir,
      tlsDir: TLS,
      tlsFiles: (id) =>
        id === 'n3' ? { cert: 'stranger-n3.crt', key: 'stranger-n3.key', ca: 'ca.crt' } : { cert: `${id}.crt`, key: `${id}.key`, ca: 'ca.crt' },
    }));
    assert.ok(
      c.member('n1').log.some((l) => /peers on 127\.0\.0\.1:\d+ \(mutual TLS\)/.test(l)),
      c.member('n1').log.join('\n'),
    );
    // (Clients use the members: the stranger knows no leader and would make each try wait.)
    const members = [c.member('n1').url, c.member('n2').url];
    const load = startWorkload({ urls: () => members, clients: 2, key: (r) => `k${Math.floor(r() * 2)}` });
    await sleep(600);
    const leader = await c.leader();
    assert.ok(leader === 'n1' || leader === 'n2', `a member leads (${leader})`);
    await c.kill(leader);
    await sleep(300);
    await c.restart(leader);
    await sleep(800);
    await load.stop();
    const v = await verify(c, load, members);
    const s3 = await c.status('n3');
    assert.deepEqual([s3?.['commit'], s3?.['leader']], [0, null], 'the stranger learned nothing');
    // The members say why: the stranger's certificate does not chain to the cluster's CA.
    const refusals = ['n1', 'n2']
      .flatMap((id) => c.member(id).log)
      .filter((l) => /cannot reach n3 over TLS at .*: the certificate is not from the cluster's CA \(--peer-ca\)/.test(l));
    assert.ok(refusals.length > 0, ['n1', 'n2'].flatMap((id) => c.member(id).log).join('\n'));
    console.log(
      `      ${v.ops} operations over TLS through a kill -9 of the leader; ${v.acked} acknowledged writes present; "${refusals[0]!.replace(/^\S+ n\d: /, '')}"`,
    );
  });

  it('garbage and oversized frames on the peer port close that connection; the node keeps serving; a node with the wrong secret is refused', async () => {
    const c = (cluster = await LocalCluster.start({ cli: CLI, dir, secret: (id) => (id === 'n3' ? 'not-the-secret' : 'the-secret') }));
    const n1 = c.member('n1');
    const closed = (bytes: Buffer): Promise<void> =>
      new Promise((resolve, reject) => {
        const s = connect(n1.raftPort, '127.0.0.1', () => s.write(bytes));
        s.on('close', () => resolve());
        s.on('error', () => undefined);
        setTimeout(() => reject(new Error('the node did not close a connection sending a bad frame')), 5000);
      });
    await closed(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    const huge = Buffer.alloc(12);
    huge.write('LR', 0, 'latin1');
    huge[2] = 1;
    huge[3] = 1;
    huge.writeUInt32LE(0xffff_fff0, 4);
    await closed(huge);
    await closed(encodeFrame({ type: 'Heartbeat', from: 'n2', to: 'n1', term: 99, commit: 0, readSeq: 0 }, 'a-guess'));
    await closed(encodeFrame({ type: 'Heartbeat', from: 'n2', to: 'n1', term: 99, commit: 0, readSeq: 0 }, null));
    // Signed and well framed, but not a well-formed message: dropped (it would crash code that trusts it).
    const s = connect(n1.raftPort, '127.0.0.1', () => s.write(encodeFrame({ type: 'ClientForwardReply', from: 'n2', to: 'n1', term: 0 }, 'the-secret')));
    s.on('error', () => undefined);
    await sleep(100);
    s.destroy();

    // n1 and n2 share the secret: they elect and commit; n3's frames are refused, and theirs to it.
    const put = await fetch(`${n1.url}/kv/x`, { method: 'PUT', body: JSON.stringify({ value: '1' }), signal: AbortSignal.timeout(10_000) });
    assert.equal(put.status, 200);
    const s1 = await c.status('n1');
    assert.ok(Number(s1?.['term']) < 99, 'the injected heartbeat did not move the term');
    const s3 = await c.status('n3');
    assert.equal(s3?.['commit'], 0, 'the stranger learned nothing');
    assert.equal(s3?.['leader'], null);
    assert.ok(
      n1.log.some((l) => /refused a connection .*bad signature/.test(l)),
      `n1 logged the refusal:\n${n1.log.join('\n')}`,
    );
    assert.ok(n1.log.some((l) => /refused a connection .*bad magic/.test(l)));
    assert.ok(n1.log.some((l) => /refused a connection .*exceeds/.test(l)));
    assert.ok(
      n1.log.some((l) => /dropped a malformed message .*ClientForwardReply with a bad "reply"/.test(l)),
      'the malformed message was dropped',
    );
    assert.equal(n1.exit, null, 'n1 is still running');
  });
});
