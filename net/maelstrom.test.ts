import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERR, MaelstromNode } from './maelstrom';
import { until } from './testing';

interface Line {
  src: string;
  dest: string;
  body: Record<string, unknown> & { type: string; in_reply_to?: number };
}

/** Three nodes wired through an in-process stand-in for Maelstrom's network; clients' answers collected. */
function network(dir: string) {
  const nodes = new Map<string, MaelstromNode>();
  const toClients: Line[] = [];
  const logs: string[] = [];
  for (const id of ['n1', 'n2', 'n3']) {
    nodes.set(
      id,
      new MaelstromNode({
        write: (l) => {
          const m = JSON.parse(l) as Line;
          if (m.dest.startsWith('c')) toClients.push(m);
          else setImmediate(() => nodes.get(m.dest)?.handleLine(l));
        },
        log: (l) => logs.push(l),
        dataDir: (i) => join(dir, i),
        tickMs: 5,
        timeoutMs: 3000,
      }),
    );
  }
  let msgId = 0;
  const ask = async (to: string, body: Record<string, unknown>, client = 'c1'): Promise<Line['body']> => {
    const id = ++msgId;
    nodes.get(to)!.handleLine(JSON.stringify({ src: client, dest: to, body: { ...body, msg_id: id } }));
    return (await until(`an answer to ${JSON.stringify(body)}`, () => toClients.find((m) => m.body.in_reply_to === id), 10_000)).body;
  };
  return { nodes, ask, logs };
}

describe('liferaft maelstrom (Maelstrom lin-kv protocol)', function () {
  this.timeout(30_000);
  let dir = '';
  let net: ReturnType<typeof network> | null = null;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'liferaft-maelstrom-'));
  });
  afterEach(() => {
    for (const n of net?.nodes.values() ?? []) n.stop();
    net = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it("init, then write / read / cas through any node, with Maelstrom's error codes", async () => {
    net = network(dir);
    const ids = ['n1', 'n2', 'n3'];
    for (const id of ids)
      assert.deepEqual(await net.ask(id, { type: 'init', node_id: id, node_ids: ids }), { type: 'init_ok', in_reply_to: ids.indexOf(id) + 1, msg_id: 1 });
    const strip = (b: Line['body']): Record<string, unknown> => {
      const { msg_id: _m, in_reply_to: _r, ...rest } = b as Record<string, unknown>;
      return rest;
    };
    const a = net;
    const ok = async (to: string, body: Record<string, unknown>): Promise<Record<string, unknown>> => {
      // Writes may meet an election at first: a definite "unavailable" (11) is retried, as Maelstrom's clients do.
      for (;;) {
        const r = strip(await a.ask(to, body));
        if (r['code'] !== ERR.unavailable) return r;
      }
    };
    assert.deepEqual(await ok('n2', { type: 'read', key: 1 }), { type: 'error', code: ERR.keyMissing, text: 'key does not exist' });
    assert.deepEqual(await ok('n1', { type: 'write', key: 1, value: 10 }), { type: 'write_ok' });
    for (const id of ids) assert.deepEqual(await ok(id, { type: 'read', key: 1 }), { type: 'read_ok', value: 10 });
    assert.deepEqual(await ok('n3', { type: 'cas', key: 1, from: 10, to: 11 }), { type: 'cas_ok' });
    assert.equal((await ok('n2', { type: 'cas', key: 1, from: 10, to: 12 }))['code'], ERR.precondition);
    assert.equal((await ok('n2', { type: 'cas', key: 2, from: 1, to: 2 }))['code'], ERR.keyMissing);
    assert.deepEqual(await ok('n1', { type: 'read', key: 1 }), { type: 'read_ok', value: 11 });
    assert.deepEqual(await ok('n1', { type: 'write', key: 'k', value: [1, { a: 'b' }] }), { type: 'write_ok' });
    assert.deepEqual(await ok('n3', { type: 'read', key: 'k' }), { type: 'read_ok', value: [1, { a: 'b' }] });
  });

  it('malformed lines and requests are refused with a message; the node keeps serving', async () => {
    net = network(dir);
    const n1 = net.nodes.get('n1')!;
    n1.handleLine('{not json');
    n1.handleLine('{"src":"c1"}');
    assert.equal((await net.ask('n1', { type: 'read', key: 1 }))['code'], ERR.unavailable, 'before init');
    assert.equal((await net.ask('n1', { type: 'init', node_id: 'n9', node_ids: ['n1'] }))['code'], ERR.malformed);
    const repeat = await net.ask('n1', { type: 'init', node_id: 'n1', node_ids: ['n1', 'n1'] });
    assert.deepEqual([repeat['code'], repeat['text']], [ERR.malformed, 'node_ids repeat a node']);
    assert.equal((await net.ask('n1', { type: 'init', node_id: 'n1', node_ids: ['n1'] }))['type'], 'init_ok');
    assert.equal((await net.ask('n1', { type: 'frobnicate' }))['code'], ERR.notSupported);
    assert.equal((await net.ask('n1', { type: 'write', key: 1 }))['code'], ERR.malformed);
    assert.equal((await net.ask('n1', { type: 'cas', key: 1, from: 1 }))['code'], ERR.malformed);
    n1.handleLine(
      JSON.stringify({ src: 'n7', dest: 'n1', body: { type: 'raft', msg: { type: 'Heartbeat', from: 'n7', to: 'n1', term: 50, commit: 0, readSeq: 0 } } }),
    );
    n1.handleLine(JSON.stringify({ src: 'n1', dest: 'n1', body: { type: 'raft', msg: { type: 'ClientForwardReply', from: 'n1', to: 'n1', term: 0 } } }));
    let r = await net.ask('n1', { type: 'write', key: 1, value: 2 });
    while (r['code'] === ERR.unavailable) r = await net.ask('n1', { type: 'write', key: 1, value: 2 });
    assert.equal(r['type'], 'write_ok', 'a single-node cluster commits on its own');
    assert.ok(
      net.logs.some((l) => /not JSON/.test(l)) &&
        net.logs.some((l) => /without src/.test(l)) &&
        net.logs.some((l) => /dropped a raft message from n7/.test(l)) &&
        net.logs.some((l) => /dropped a malformed raft message from n1: ClientForwardReply with a bad "reply"/.test(l)),
      net.logs.join('\n'),
    );
  });

  it('the CLI speaks it on stdin/stdout', async () => {
    const p = spawn(process.execPath, [join(__dirname, '..', 'dist', 'cli.js'), 'maelstrom', '--tick-ms', '5'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const lines: Line[] = [];
    let buf = '';
    p.stdout.on('data', (c: Buffer) => {
      buf += c.toString();
      const parts = buf.split('\n');
      buf = parts.pop()!;
      for (const l of parts) lines.push(JSON.parse(l) as Line);
    });
    const send = (body: Record<string, unknown>): void => void p.stdin.write(`${JSON.stringify({ src: 'c1', dest: 'n1', body })}\n`);
    send({ type: 'init', msg_id: 1, node_id: 'n1', node_ids: ['n1'] });
    await until('init_ok', () => lines.find((l) => l.body.in_reply_to === 1));
    let id = 1;
    let w: Line | undefined;
    do {
      send({ type: 'write', msg_id: ++id, key: 'x', value: 42 });
      const want = id;
      w = await until('write answer', () => lines.find((l) => l.body.in_reply_to === want));
    } while (w.body['code'] === ERR.unavailable);
    assert.equal(w.body.type, 'write_ok');
    send({ type: 'read', msg_id: ++id, key: 'x' });
    const want = id;
    const r = await until('read answer', () => lines.find((l) => l.body.in_reply_to === want));
    assert.deepEqual([r.src, r.dest, r.body.type, r.body['value']], ['n1', 'c1', 'read_ok', 42]);
    const exited = new Promise<number | null>((res) => p.on('exit', (c) => res(c)));
    p.stdin.end();
    assert.equal(await exited, 0, 'exits when stdin closes');
  });
});
