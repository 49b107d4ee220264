import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientId, type ClientReply, type ClientRequest, type Message, type NodeId } from '../core';
import { NodeHost } from './host';
import { callLeader } from './testing';

/** Every host a test started (stopped after each test, whatever happened: their timers keep a process alive). */
const started: NodeHost[] = [];

/** Three hosted nodes on an in-process network (delivery on a later turn, like a socket). */
function cluster(
  dir: string,
  snapshotEntries = 0,
  onFatal?: (id: string, e: Error) => void,
  walRewriteBytes?: number,
): { hosts: Map<string, NodeHost>; replies: ClientReply[] } {
  const ids = ['n1', 'n2', 'n3'];
  const hosts = new Map<string, NodeHost>();
  const replies: ClientReply[] = [];
  for (const id of ids) {
    const h = new NodeHost({
      id,
      peers: ids,
      dataDir: join(dir, id),
      tickMs: 5,
      snapshotEntries,
      ...(walRewriteBytes === undefined ? {} : { walRewriteBytes }),
      ...(onFatal === undefined ? {} : { onFatal: (e: Error) => onFatal(id, e) }),
      transport: { send: (to: NodeId, m: Message) => void setImmediate(() => hosts.get(to)?.receive(m)) },
    });
    h.listen({ reply: (r) => replies.push(r) });
    hosts.set(id, h);
  }
  for (const h of hosts.values()) {
    h.start();
    started.push(h);
  }
  return { hosts, replies };
}

function call(c: ReturnType<typeof cluster>, req: ClientRequest): Promise<ClientReply> {
  return callLeader([...c.hosts.values()], c.replies, req, { attempts: 200, pauseMs: 5, waitMs: 10_000 });
}

describe('a hosted node (real clock, write-ahead log)', function () {
  this.timeout(30_000);
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'liferaft-host-'));
  });
  afterEach(() => {
    for (const h of started.splice(0)) h.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('three nodes elect a leader and commit writes; after all stop and restart from disk, the writes are there', async () => {
    let c = cluster(dir);
    const client = clientId('c1');
    for (let seq = 1; seq <= 5; seq++) {
      const r = await call(c, { client, seq, op: { type: 'put', key: 'x', value: `v${seq}` } });
      assert.equal(r.outcome.status, 'ok');
    }
    // The answers went out as soon as what they rest on was durable (commit waits for the leader's
    // own fsync), not behind a later one.
    assert.ok(
      [...c.hosts.values()].some((h) => h.stats.early > 0),
      JSON.stringify([...c.hosts.values()].map((h) => h.stats)),
    );
    for (const h of c.hosts.values()) h.stop();
    c = cluster(dir);
    for (const h of c.hosts.values()) assert.ok(h.recovery.records > 0 && h.recovery.durable.log.length >= 5, `${h.id} recovered its log from disk`);
    const r = await call(c, { client, seq: 6, op: { type: 'get', key: 'x' } });
    assert.deepEqual(r.outcome, { status: 'ok', result: { ok: true, value: 'v5' } });
    for (const h of c.hosts.values()) h.stop();
  });

  it('a failed log write stops the node before anything of that step leaves it (no reply, no message)', async () => {
    const fatal: string[] = [];
    const c = cluster(dir, 0, (id, e) => fatal.push(`${id}: ${e.message}`));
    const client = clientId('c1');
    await call(c, { client, seq: 1, op: { type: 'put', key: 'x', value: '1' } });
    const leader = [...c.hosts.values()].find((h) => h.state.role === 'leader')!;
    (leader as unknown as { wal: { append: () => never } }).wal.append = () => {
      throw new Error('ENOSPC: no space left on device');
    };
    const n = c.replies.length;
    leader.request({ client, seq: 2, op: { type: 'put', key: 'x', value: '2' } });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(fatal.length, 1);
    assert.match(fatal[0]!, /writing the log failed \(ENOSPC: no space left on device\); stopping/);
    assert.equal(c.replies.slice(n).filter((r) => r.seq === 2).length, 0, 'the write was not answered');
    for (const h of c.hosts.values())
      if (h !== leader)
        assert.ok(
          h.state.log.every((e) => e.data.type !== 'command' || e.data.seq !== 2),
          `${h.id} never received the unwritten entry`,
        );
    for (const h of c.hosts.values()) h.stop();
  });

  it('with compaction the WAL stays bounded, and a restart recovers from the snapshot file plus the log after it', async () => {
    let c = cluster(dir, 10, undefined, 4096);
    const client = clientId('c1');
    const sizes: number[] = [];
    for (let seq = 1; seq <= 120; seq++) {
      await call(c, { client, seq, op: { type: 'put', key: `k${seq % 7}`, value: `v${seq}` } });
      if (seq % 20 === 0) sizes.push(Math.max(...[...c.hosts.values()].map((h) => h.walBytes)));
    }
    const leader = [...c.hosts.values()].find((h) => h.state.role === 'leader')!;
    assert.ok(leader.stats.snapshots >= 10, `snapshots taken: ${leader.stats.snapshots}`);
    assert.ok(
      leader.stats.rewrites >= 2 && leader.stats.rewrites < leader.stats.snapshots,
      `rewrites ${leader.stats.rewrites} (of ${leader.stats.snapshots} snapshots): only when the WAL passed its limit`,
    );
    assert.ok(Math.max(...sizes) <= 4 * 4096 + 2048, `the WAL stays bounded: ${sizes.join(', ')} bytes`);
    for (const h of c.hosts.values()) h.stop();
    c = cluster(dir, 10, undefined, 4096);
    for (const h of c.hosts.values()) {
      assert.ok(h.recovery.snapshotIndex !== null && h.recovery.snapshotIndex >= 100, `${h.id} recovered a snapshot (${h.recovery.snapshotIndex})`);
      assert.ok(h.recovery.durable.log.length <= 30, `${h.id} kept only the log after it (${h.recovery.durable.log.length} entries)`);
    }
    const r = await call(c, { client, seq: 121, op: { type: 'get', key: 'k1' } });
    assert.deepEqual(r.outcome, { status: 'ok', result: { ok: true, value: 'v120' } });
    for (const h of c.hosts.values()) h.stop();
  });
});
