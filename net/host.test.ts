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
function cluster(dir: string): { hosts: Map<string, NodeHost>; replies: ClientReply[] } {
  const ids = ['n1', 'n2', 'n3'];
  const hosts = new Map<string, NodeHost>();
  const replies: ClientReply[] = [];
  for (const id of ids) {
    hosts.set(id, new NodeHost({
      id, peers: ids, dataDir: join(dir, id), tickMs: 5,
      transport: { send: (to: NodeId, m: Message) => void setImmediate(() => hosts.get(to)?.receive(m)) },
      onReply: (r) => replies.push(r),
    }));
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
    for (const h of c.hosts.values()) h.stop();
    c = cluster(dir);
    for (const h of c.hosts.values()) assert.ok(h.recovery.records > 0 && h.recovery.durable.log.length >= 5, `${h.id} recovered its log from disk`);
    const r = await call(c, { client, seq: 6, op: { type: 'get', key: 'x' } });
    assert.deepEqual(r.outcome, { status: 'ok', result: { ok: true, value: 'v5' } });
    for (const h of c.hosts.values()) h.stop();
  });
});
