import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientId, type ClientReply, type ClientRequest } from '../core';
import { encodeFrame } from './frame';
import { NodeHost } from './host';
import { TcpTransport } from './tcp';
import { callLeader } from './testing';

const SECRET = 'test-cluster-secret';

describe('three nodes over TCP on 127.0.0.1', function () {
  this.timeout(40_000);
  let dir = '';
  const hosts = new Map<string, NodeHost>();
  const transports = new Map<string, TcpTransport>();
  const replies: ClientReply[] = [];
  const refused: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'liferaft-tcp-'));
    const ids = ['n1', 'n2', 'n3'];
    const addrs = new Map<string, { host: string; port: number }>();
    for (const id of ids) {
      const t = await TcpTransport.listen({
        self: id,
        listen: { host: '127.0.0.1', port: 0 },
        peers: addrs,
        secret: SECRET,
        log: (l) => refused.push(`${id}: ${l}`),
      });
      transports.set(id, t);
      addrs.set(id, { host: '127.0.0.1', port: t.port });
    }
    for (const id of ids) {
      const t = transports.get(id)!;
      const h = new NodeHost({ id, peers: ids, dataDir: join(dir, id), tickMs: 10, transport: t });
      h.listen({ reply: (r) => replies.push(r) });
      t.deliverTo((m) => h.receive(m));
      hosts.set(id, h);
      h.start();
    }
  });

  after(async () => {
    for (const h of hosts.values()) h.stop();
    for (const t of transports.values()) await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function call(req: ClientRequest): Promise<ClientReply> {
    return callLeader([...hosts.values()], replies, req, { attempts: 300, pauseMs: 10, waitMs: 15_000 });
  }

  it('elects a leader and commits writes through authenticated frames', async () => {
    for (let seq = 1; seq <= 3; seq++)
      assert.equal((await call({ client: clientId('c1'), seq, op: { type: 'put', key: 'k', value: `v${seq}` } })).outcome.status, 'ok');
  });

  it('garbage, an oversized frame and a stranger without the secret are refused; the cluster keeps serving', async () => {
    const port = transports.get('n1')!.port;
    const closed = (bytes: Buffer): Promise<void> =>
      new Promise((resolve) => {
        const s = connect(port, '127.0.0.1', () => s.write(bytes));
        s.on('close', () => resolve());
        s.on('error', () => undefined);
      });
    await closed(Buffer.from('GET /kv/x HTTP/1.1\r\nHost: x\r\n\r\n'));
    const big = encodeFrame({ x: 1 }, SECRET);
    big.writeUInt32LE(1 << 30, 4);
    await closed(big);
    await closed(encodeFrame({ type: 'RequestVote', from: 'n2', to: 'n1', term: 999, lastLogIndex: 99, lastLogTerm: 99 }, 'wrong-secret'));
    assert.ok(
      refused.some((l) => /bad magic/.test(l)),
      refused.join('\n'),
    );
    assert.ok(refused.some((l) => /exceeds/.test(l)));
    assert.ok(refused.some((l) => /bad signature/.test(l)));
    assert.ok(
      [...hosts.values()].every((h) => h.state.term < 999),
      'the forged vote request had no effect',
    );
    assert.equal((await call({ client: clientId('c1'), seq: 4, op: { type: 'get', key: 'k' } })).outcome.status, 'ok');
  });
});
