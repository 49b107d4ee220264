import assert from 'node:assert/strict';
import { request, type Server } from 'node:http';
import { connect } from 'node:net';
import { execute } from '../core/kv';
import type { ClientId, ClientReply, KvOp, NodeId } from '../core';
import { createApiServer, LIMITS } from './http-api';
import { Requester } from './requester';

/** A node stand-in: a plain map as the state machine, answering on a later turn; or not at all. */
function fakeNode(mode: { answer: 'ok' | 'not-leader' | 'silent' | 'lost' }) {
  const data = new Map<string, string>();
  const seen: { client: ClientId; seq: number; op: KvOp }[] = [];
  let requester: Requester | null = null;
  const node = {
    request(r: { client: ClientId; seq: number; op: KvOp }) {
      seen.push(r);
      const reply = (outcome: ClientReply['outcome']): void => void setImmediate(() => requester!.onReply({ client: r.client, seq: r.seq, outcome }));
      if (mode.answer === 'ok') reply({ status: 'ok', result: execute(data, r.op) });
      else if (mode.answer === 'not-leader') reply({ status: 'not-leader', leaderHint: null });
      else if (mode.answer === 'lost') reply({ status: 'leadership-lost' });
    },
    leader: () => (mode.answer === 'ok' ? ('n1' as NodeId) : null),
  };
  requester = new Requester(node, 'n1', { attemptMs: 50 });
  return { requester, seen, data };
}

describe('the HTTP client API', () => {
  let server: Server;
  let base = '';
  const mode: { answer: 'ok' | 'not-leader' | 'silent' | 'lost' } = { answer: 'ok' };
  let fake: ReturnType<typeof fakeNode>;

  before(async () => {
    fake = fakeNode(mode);
    server = createApiServer({
      requester: fake.requester,
      status: () => ({ id: 'n1', leader: mode.answer === 'ok' ? 'n1' : null }),
      localRead: (key) => ({ value: fake.data.get(key) ?? null, applied: 7 }),
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  beforeEach(() => {
    mode.answer = 'ok';
  });

  async function call(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<[number, Record<string, unknown>]> {
    const res = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    return [res.status, (await res.json()) as Record<string, unknown>];
  }

  it("a serializable read answers from the node's own copy at once, with no leader; a bad consistency is refused", async () => {
    assert.deepEqual(await call('PUT', '/kv/s', '{"value":"here"}'), [200, { key: 's', value: 'here' }]);
    mode.answer = 'silent';
    assert.deepEqual(await call('GET', '/kv/s?consistency=serializable'), [200, { key: 's', value: 'here', applied: 7 }]);
    assert.deepEqual(await call('GET', '/kv/none?consistency=serializable'), [404, { error: 'key not found', key: 'none', applied: 7 }]);
    assert.deepEqual(await call('GET', '/kv/s?consistency=stale'), [
      400,
      { error: 'consistency must be "linearizable" (the default) or "serializable" (got "stale")' },
    ]);
    assert.deepEqual(await call('PUT', '/kv/s?consistency=serializable', '{"value":"x"}'), [
      400,
      { error: 'consistency is a read option: PUT always goes through the log' },
    ]);
    // The default is a linearizable read, through the leader: with none, it waits and gives up.
    const [status] = await call('GET', '/kv/s?consistency=linearizable&timeout=100');
    assert.equal(status, 503);
  });

  it('get / put / delete / cas / append with their answers', async () => {
    assert.deepEqual(await call('GET', '/kv/a%2Fb'), [404, { error: 'key not found', key: 'a/b' }]);
    assert.deepEqual(await call('PUT', '/kv/a%2Fb', '{"value":"1"}'), [200, { key: 'a/b', value: '1' }]);
    assert.deepEqual(await call('GET', '/kv/a%2Fb'), [200, { key: 'a/b', value: '1' }]);
    assert.deepEqual(await call('POST', '/kv/a%2Fb', '{"op":"cas","expected":"0","value":"2"}'), [
      409,
      { error: 'compare failed: the current value is not the expected one', key: 'a/b', value: '1' },
    ]);
    assert.deepEqual(await call('POST', '/kv/a%2Fb', '{"op":"cas","expected":"1","value":"2"}'), [200, { key: 'a/b', value: '2', swapped: true }]);
    assert.deepEqual(await call('POST', '/kv/new', '{"op":"cas","expected":null,"value":"x"}'), [200, { key: 'new', value: 'x', swapped: true }]);
    assert.deepEqual(await call('POST', '/kv/a%2Fb', '{"op":"append","value":"3"}'), [200, { key: 'a/b', value: '23' }]);
    assert.deepEqual(await call('DELETE', '/kv/a%2Fb'), [200, { key: 'a/b', deleted: true }]);
    assert.deepEqual(await call('DELETE', '/kv/a%2Fb'), [404, { error: 'key not found', key: 'a/b' }]);
    const [s, body] = await call('GET', '/status');
    assert.equal(s, 200);
    assert.equal(body['id'], 'n1');
  });

  it('refuses bad input with 400/404/405/413 and a message, and keeps serving', async () => {
    const cases: [string, string, string | undefined, number, RegExp][] = [
      ['PUT', '/kv/x', '{bad', 400, /bad JSON/],
      ['PUT', '/kv/x', '', 400, /expected a JSON object/],
      ['PUT', '/kv/x', '[1]', 400, /expected a JSON object/],
      ['PUT', '/kv/x', '{"value":3}', 400, /"value" must be a string/],
      ['POST', '/kv/x', '{"op":"swap","value":"1"}', 400, /"op" must be "cas" or "append"/],
      ['POST', '/kv/x', '{"op":"cas","value":"1"}', 400, /"expected" must be/],
      ['GET', '/kv/', undefined, 400, /empty key/],
      ['GET', '/kv/%E0%A4%A', undefined, 400, /percent-encoding/],
      ['GET', '/kv/x?timeout=abc', undefined, 400, /timeout must be/],
      ['GET', '/nothing', undefined, 404, /no such route/],
      ['PATCH', '/kv/x', '{}', 405, /not allowed/],
      ['POST', '/status', '{}', 405, /not allowed/],
      ['GET', `/kv/${'k'.repeat(LIMITS.keyBytes + 1)}`, undefined, 413, /key of \d+ bytes exceeds/],
      ['PUT', '/kv/x', JSON.stringify({ value: 'v'.repeat(LIMITS.valueBytes) }), 413, /value of \d+ bytes/],
      ['PUT', '/kv/x', JSON.stringify({ value: 'v'.repeat(LIMITS.bodyBytes) }), 413, /body of \d+ bytes exceeds/],
    ];
    for (const [method, path, body, status, re] of cases) {
      const [s, b] = await call(method, path, body);
      assert.equal(s, status, `${method} ${path.slice(0, 40)} → ${status}`);
      assert.match(String(b['error']), re);
    }
    // A target that would name a host if resolved as a URL reference is a path here (it was a 500).
    assert.deepEqual(await call('GET', '//[x/kv'), [404, { error: 'no such route //[x/kv (routes: /kv/KEY, /status, /health, /transfer, /members)' }]);
    // What Node's own parser refuses gets the API's form too: a status and {"error"}.
    const raw = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const r = request(`${base}/kv/x`, { method: 'BREW' }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      r.on('error', reject);
      r.end();
    });
    assert.deepEqual([raw.status, JSON.parse(raw.body)], [400, { error: 'malformed HTTP request: HPE_INVALID_METHOD (Invalid method encountered)' }]);
    const [s, b] = await call('PUT', '/kv/x', '{"value":"still here"}');
    assert.deepEqual([s, b], [200, { key: 'x', value: 'still here' }]);
    assert.deepEqual(await call('GET', '/kv/x', undefined, { 'liferaft-client': 'c', 'liferaft-seq': 'zero' }), [
      400,
      { error: 'LifeRaft-Seq must be a positive integer (with LifeRaft-Client)' },
    ]);
  });

  it('no leader: 503 (not applied) with Retry-After; a write that lost its leader: 504, indeterminate', async () => {
    mode.answer = 'not-leader';
    const res = await fetch(`${base}/kv/x?timeout=120`, { method: 'PUT', body: '{"value":"1"}' });
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '1');
    assert.match(String(((await res.json()) as Record<string, unknown>)['error']), /unavailable: no leader \(not applied\)/);
    assert.equal((await call('GET', '/health'))[0], 503);
    mode.answer = 'lost';
    const [s, b] = await call('PUT', '/kv/x?timeout=120', '{"value":"1"}');
    assert.equal(s, 504);
    assert.equal(b['indeterminate'], true);
    mode.answer = 'silent';
    assert.equal((await call('GET', '/kv/x?timeout=120'))[0], 503, 'an unanswered read is simply unavailable');
  });

  it('a request keeps its client and seq across retries (exactly-once); lanes are reused, so sessions stay few', async () => {
    fake.seen.length = 0;
    mode.answer = 'lost';
    const pending = call('PUT', '/kv/y?timeout=3000', '{"value":"1"}', { 'liferaft-client': 'me', 'liferaft-seq': '7' });
    await new Promise((r) => setTimeout(r, 120));
    mode.answer = 'ok';
    assert.equal((await pending)[0], 200);
    assert.ok(fake.seen.length >= 2);
    assert.ok(
      fake.seen.every((r) => r.client === 'http:me' && r.seq === 7),
      JSON.stringify(fake.seen),
    );
    fake.seen.length = 0;
    for (let i = 0; i < 5; i++) await call('PUT', '/kv/z', `{"value":"${i}"}`);
    assert.equal(new Set(fake.seen.map((r) => r.client)).size, 1, 'one lane served five sequential requests');
    assert.deepEqual(
      fake.seen.map((r) => r.seq),
      [1, 2, 3, 4, 5].map((k) => k + fake.seen[0]!.seq - 1),
    );
  });
});

describe('the HTTP client API, connection by connection', () => {
  /** A server whose requester answers only when `answer()` is called (requests stay in flight). */
  async function serve(maxInFlight: number) {
    const waiting: ((v: unknown) => void)[] = [];
    const calls: KvOp[] = [];
    const requester = {
      call: (op: KvOp) => {
        calls.push(op);
        return new Promise((r) => waiting.push(r));
      },
      inFlight: 0,
    } as unknown as Requester;
    const server = createApiServer({ requester, status: () => ({}), maxInFlight });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const answer = (): void => {
      for (const w of waiting.splice(0)) w({ kind: 'ok', outcome: { status: 'ok', result: { ok: true, value: 'v' } } });
    };
    const close = async (): Promise<void> => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    };
    return { port, answer, calls, close };
  }

  /** Writes `bytes` on a connection of its own; what came back before it closed (or `ms` passed). */
  function raw(port: number, bytes: string, ms = 300): Promise<string> {
    return new Promise((resolve) => {
      const s = connect(port, '127.0.0.1', () => s.write(bytes));
      let got = '';
      s.on('data', (c: Buffer) => (got += c.toString()));
      s.on('error', () => undefined);
      s.on('close', () => resolve(got));
      setTimeout(() => s.destroy(), ms);
    });
  }

  it('pipelined requests dropped with their connection give their places back (no lasting 503)', async () => {
    const srv = await serve(3);
    try {
      await raw(srv.port, 'GET /kv/a HTTP/1.1\r\nHost: x\r\n\r\nGET /kv/b HTTP/1.1\r\nHost: x\r\n\r\nGET /kv/c HTTP/1.1\r\nHost: x\r\n\r\n', 100);
      await new Promise((r) => setTimeout(r, 50));
      for (let i = 0; i < 4; i++) {
        const res = fetch(`http://127.0.0.1:${srv.port}/kv/k${i}`);
        await new Promise((r) => setTimeout(r, 20));
        srv.answer();
        assert.equal((await res).status, 200, `request ${i} after the dropped connection`);
      }
    } finally {
      srv.close();
    }
  });

  it('garbage after a write on the same connection resets it: no 400 that would read as "not applied"', async () => {
    const srv = await serve(10);
    try {
      const got = await raw(srv.port, 'PUT /kv/x HTTP/1.1\r\nHost: x\r\nContent-Length: 13\r\n\r\n{"value":"a"}NOT HTTP AT ALL\r\n\r\n');
      assert.deepEqual(srv.calls, [{ type: 'put', key: 'x', value: 'a' }], 'the write was taken');
      assert.doesNotMatch(got, /^HTTP\/1\.1 400/, 'and the client was not told it was refused');
      // The absolute form of a target names the same route.
      const abs = raw(srv.port, 'GET http://node.example/kv/y HTTP/1.1\r\nHost: node.example\r\n\r\n');
      await new Promise((r) => setTimeout(r, 50));
      srv.answer();
      assert.match(await abs, /^HTTP\/1\.1 200 OK[\s\S]*"key":"y"/);
    } finally {
      srv.close();
    }
  });
});
