// Mutual TLS between peers and HTTPS for clients, with the committed test certificates of
// net/testdata/tls (scripts/make-test-certs.sh): who gets through, who gets nothing, and what the
// node says about it.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import type { Message, NodeId } from '../core';
import { encodeFrame } from './frame';
import { createApiServer } from './http-api';
import type { Requester } from './requester';
import { TcpTransport } from './tcp';
import { certificateIds, readTlsFiles, TlsConfigError, type TlsFiles } from './tls';

const DIR = join(__dirname, 'testdata', 'tls');
const pem = (name: string): Buffer => readFileSync(join(DIR, name));
const files = (name: string, ca = 'ca'): TlsFiles => ({ cert: pem(`${name}.crt`), key: pem(`${name}.key`), ca: pem(`${ca}.crt`) });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function heartbeat(from: string, to: string): Message {
  return { type: 'Heartbeat', from: from as NodeId, to: to as NodeId, term: 1 as never, commit: 0 as never, readSeq: 0 };
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(10);
  }
}

describe('mutual TLS between peers', function () {
  this.timeout(20_000);
  const open: TcpTransport[] = [];
  afterEach(async () => {
    for (const t of open.splice(0)) await t.close();
  });

  /** A transport for `id` with `tls`, delivering into `got`, logging into `log`. */
  async function node(id: string, tls: TlsFiles | null, peers: Map<string, { host: string; port: number }>, extra: { maxConnections?: number } = {}) {
    const got: Message[] = [];
    const log: string[] = [];
    const t = await TcpTransport.listen({ self: id, listen: { host: '127.0.0.1', port: 0 }, peers, tls, log: (l) => log.push(l), ...extra });
    t.deliverTo((m) => got.push(m));
    open.push(t);
    return { t, got, log };
  }

  it('names the node ids a certificate vouches for (CN and DNS alt names)', () => {
    const ids = (name: string): string[] => {
      const x = new X509Certificate(pem(`${name}.crt`));
      return certificateIds({ subject: { CN: /CN=([^\n]+)/.exec(x.subject)![1]! }, subjectaltname: x.subjectAltName } as never);
    };
    assert.deepEqual(ids('n2'), ['n2']);
    assert.deepEqual(ids('stranger'), ['n1']);
    assert.deepEqual(certificateIds(null), []);
    assert.throws(
      () => readTlsFiles({ cert: '--peer-cert', key: '--peer-key', ca: '--peer-ca' }, { cert: join(DIR, 'nope.crt'), key: '', ca: null }),
      (e: Error) => {
        assert.ok(e instanceof TlsConfigError);
        assert.match(e.message, /^cannot read --peer-cert .*nope\.crt: ENOENT$/);
        return true;
      },
    );
    assert.throws(() => readTlsFiles({ cert: '--peer-cert', key: '--peer-key', ca: '--peer-ca' }, { cert: __filename, key: '', ca: null }), /is not PEM/);
  });

  it('members with certificates from the cluster CA talk; the receiver knows who sent what', async () => {
    const peers = new Map<string, { host: string; port: number }>();
    const a = await node('n1', files('n1'), peers);
    const b = await node('n2', files('n2'), peers);
    peers.set('n1', { host: '127.0.0.1', port: a.t.port });
    peers.set('n2', { host: '127.0.0.1', port: b.t.port });
    a.t.send('n2' as NodeId, heartbeat('n1', 'n2'));
    await until(() => b.got.length === 1);
    assert.equal(b.got[0]!.from, 'n1');
    assert.deepEqual([a.log, b.log], [[], []]);
  });

  it('plaintext, a foreign CA, no certificate, or a certificate for another node: nothing gets through, and the node says why', async () => {
    const peers = new Map<string, { host: string; port: number }>();
    const b = await node('n2', files('n2'), peers);
    const at = { host: '127.0.0.1', port: b.t.port };
    // Plaintext frames (even well-formed ones from a listed peer).
    const plain = connect(at.port, at.host, () => {
      plain.write(encodeFrame({ hello: 'n1', host: '127.0.0.1', port: 1 }));
      plain.write(encodeFrame(heartbeat('n1', 'n2')));
    });
    plain.on('error', () => undefined);
    // A stranger whose CA is not the cluster's, though its certificate says n1.
    const stranger = await node('n1', files('stranger', 'ca'), new Map([['n2', at]]));
    stranger.t.send('n2' as NodeId, heartbeat('n1', 'n2'));
    // A member (n3's certificate is the cluster's) that says hello as n1.
    const liar = tlsConnect(
      { host: at.host, port: at.port, cert: pem('n3.crt'), key: pem('n3.key'), ca: pem('ca.crt'), checkServerIdentity: () => undefined },
      () => {
        liar.write(encodeFrame({ hello: 'n1', host: '127.0.0.1', port: 1 }));
        liar.write(encodeFrame(heartbeat('n1', 'n2')));
      },
    );
    liar.on('error', () => undefined);
    // No client certificate at all.
    const anonymous = tlsConnect({ host: at.host, port: at.port, ca: pem('ca.crt'), checkServerIdentity: () => undefined }, () =>
      anonymous.write(encodeFrame(heartbeat('n1', 'n2'))),
    );
    anonymous.on('error', () => undefined);
    await until(() => b.log.some((l) => /certificate names n3/.test(l)) && b.log.some((l) => /refused a TLS connection/.test(l)));
    await sleep(300);
    assert.deepEqual(b.got, [], 'nothing delivered');
    assert.ok(
      b.log.some((l) => l === 'refused a connection that says it is n1: its certificate names n3'),
      b.log.join('\n'),
    );
    // And the dialler that reaches the wrong node (n2's address, but it meant n3) refuses to send to it.
    const caller = await node('n1', files('n1'), new Map([['n3', at]]));
    caller.t.send('n3' as NodeId, heartbeat('n1', 'n3'));
    await until(() => caller.log.length > 0);
    assert.match(caller.log[0]!, /^cannot reach n3 over TLS at 127\.0\.0\.1:\d+: its certificate names n2, not n3$/);
    plain.destroy();
    liar.destroy();
    anonymous.destroy();
  });

  it('caps incoming peer connections; the ones over the cap are closed and logged once', async () => {
    const b = await node('n2', null, new Map([['n1', { host: '127.0.0.1', port: 1 }]]), { maxConnections: 2 });
    const sockets = Array.from({ length: 5 }, () => connect(b.t.port, '127.0.0.1'));
    for (const s of sockets) s.on('error', () => undefined);
    const closed = await Promise.all(sockets.map((s) => new Promise<boolean>((r) => (s.once('close', () => r(true)), setTimeout(() => r(false), 1000)))));
    assert.deepEqual(closed.filter(Boolean).length, 3, 'three over the cap closed');
    assert.deepEqual(b.log.filter((l) => /peer connections are open already/.test(l)).length, 1, 'one line for the flood');
    for (const s of sockets) s.destroy();
  });
});

describe('HTTPS for clients', function () {
  this.timeout(20_000);

  function get(port: number, opts: { cert?: Buffer; key?: Buffer }): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const r = request({ host: '127.0.0.1', port, path: '/kv/x?timeout=5000', ca: pem('ca.crt'), ...opts }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      r.on('error', reject);
      r.end();
    });
  }

  it('serves over HTTPS; with a client CA, only clients with a certificate from it; caps requests in flight with 503 + Retry-After', async () => {
    // A requester that answers only when told: requests stay in flight.
    const waiting: ((v: unknown) => void)[] = [];
    const requester = {
      call: () => new Promise((r) => waiting.push(r)),
      get inFlight() {
        return waiting.length;
      },
    } as unknown as Requester;
    const server = createApiServer({ requester, status: () => ({}), maxInFlight: 1 }, { cert: pem('server.crt'), key: pem('server.key'), ca: pem('ca.crt') });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      await assert.rejects(get(port, {}), /certificate|handshake|socket hang up|ECONNRESET/i, 'no client certificate: refused in the handshake');
      await assert.rejects(get(port, { cert: pem('stranger.crt'), key: pem('stranger.key') }), /certificate|handshake|socket hang up|ECONNRESET|unknown ca/i);
      const first = get(port, { cert: pem('client.crt'), key: pem('client.key') });
      await until(() => waiting.length === 1);
      const second = await get(port, { cert: pem('client.crt'), key: pem('client.key') });
      assert.equal(second.status, 503);
      assert.deepEqual(JSON.parse(second.body), { error: 'overloaded: 1 requests in flight here (limit 1); not applied, retry later' });
      waiting[0]!({ kind: 'ok', outcome: { status: 'ok', result: { ok: true, value: 'v' } } });
      const ok = await first;
      assert.deepEqual([ok.status, JSON.parse(ok.body)], [200, { key: 'x', value: 'v' }]);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('peer connection limits', function () {
  this.timeout(30_000);

  it('a connection that trickles bytes but never a whole frame is closed in time; raw connections count against the cap', async () => {
    const log: string[] = [];
    const t = await TcpTransport.listen({
      self: 'n2',
      listen: { host: '127.0.0.1', port: 0 },
      peers: new Map(),
      secret: 's',
      maxConnections: 2,
      firstFrameMs: 1500,
      log: (l) => log.push(l),
    });
    try {
      const header = Buffer.alloc(12);
      header.write('LR', 0, 'latin1');
      header[2] = 1;
      header[3] = 1;
      header.writeUInt32LE(1000, 4);
      const slow = connect(t.port, '127.0.0.1');
      slow.on('error', () => undefined);
      let i = 0;
      const drip = setInterval(() => slow.write(header.subarray(i % 12, (i++ % 12) + 1)), 200);
      const closed = new Promise<number>((r) => {
        const t0 = Date.now();
        slow.once('close', () => r(Date.now() - t0));
      });
      // A TLS-less transport still counts raw connections: a second one fills the cap, a third is refused.
      const second = connect(t.port, '127.0.0.1');
      second.on('error', () => undefined);
      await sleep(100);
      const third = connect(t.port, '127.0.0.1');
      third.on('error', () => undefined);
      const thirdClosed = await new Promise<boolean>((r) => (third.once('close', () => r(true)), setTimeout(() => r(false), 1000)));
      assert.ok(thirdClosed, 'over the cap: closed');
      const after = await closed;
      clearInterval(drip);
      assert.ok(after >= 1_400 && after < 4_000, `the trickler was closed after ${after} ms`);
      assert.ok(
        log.some((l) => /sent no whole frame in 1\.5 s/.test(l)),
        log.join('\n'),
      );
      second.destroy();
    } finally {
      await t.close();
    }
  });

  it('mutual TLS without a CA is refused at start (it would trust the public roots)', async () => {
    await assert.rejects(
      TcpTransport.listen({ self: 'n1', listen: { host: '127.0.0.1', port: 0 }, peers: new Map(), tls: { cert: pem('n1.crt'), key: pem('n1.key'), ca: null } }),
      /mutual TLS needs the CA/,
    );
  });
});
