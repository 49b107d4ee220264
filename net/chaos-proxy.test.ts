import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { LinkProxy } from './chaos-proxy';
import { encodeFrame, FrameDecoder } from './frame';
import { lcg } from './workload';

/** A node stand-in: the frames it received, in order. */
async function receiver(): Promise<{ server: Server; port: number; got: unknown[]; raw: Buffer[] }> {
  const got: unknown[] = [];
  const raw: Buffer[] = [];
  const server = createServer((s) => {
    const d = new FrameDecoder();
    s.on('data', (c: Buffer) => {
      raw.push(c);
      try {
        got.push(...d.push(c));
      } catch {
        // (garbage: kept in raw)
      }
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as { port: number }).port, got, raw };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(5);
  }
}

describe('the chaos relay of one link', () => {
  let target: Awaited<ReturnType<typeof receiver>>;
  let proxy: LinkProxy;
  let sender: Socket;
  beforeEach(async () => {
    target = await receiver();
    proxy = await LinkProxy.listen(target.port, lcg(3));
    sender = connect(proxy.port, '127.0.0.1');
    await new Promise((r) => sender.once('connect', r));
  });
  afterEach(async () => {
    sender.destroy();
    await proxy.close();
    await new Promise((r) => target.server.close(r));
  });

  const send = (...values: unknown[]): void => {
    // One write of several frames, cut at an odd place: frames are relayed whole whatever the chunks.
    const bytes = Buffer.concat(values.map((v) => encodeFrame(v)));
    sender.write(bytes.subarray(0, 7));
    sender.write(bytes.subarray(7));
  };

  it('relays frames whole and in order; a cut drops all but the hello; healed, they flow again', async () => {
    proxy.set({ cut: true });
    send({ hello: 'n1' }, { m: 1 }, { m: 2 });
    await until(() => proxy.stats.dropped === 2);
    proxy.set({});
    send({ m: 3 }, { m: 4 });
    await until(() => target.got.length === 3);
    assert.deepEqual(target.got, [{ hello: 'n1' }, { m: 3 }, { m: 4 }]);
  });

  it('loss drops about the fraction asked; delay holds frames back without reordering them', async () => {
    send({ hello: 'n1' });
    proxy.set({ loss: 0.5 });
    send(...Array.from({ length: 400 }, (_, i) => ({ m: i })));
    await until(() => proxy.stats.dropped + proxy.stats.forwarded === 401);
    assert.ok(proxy.stats.dropped > 140 && proxy.stats.dropped < 260, `dropped ${proxy.stats.dropped} of 400`);
    await until(() => target.got.length === proxy.stats.forwarded);
    const seen = target.got.slice(1).map((v) => (v as { m: number }).m);
    assert.deepEqual(
      seen,
      [...seen].sort((a, b) => a - b),
      'what passes keeps its order',
    );

    // Many frames with jitter larger than the delay, and a heal while some are held: still in order.
    proxy.set({ delayMs: 5, jitterMs: 40 });
    const n0 = target.got.length;
    send(...Array.from({ length: 1500 }, (_, i) => ({ j: i })));
    await sleep(20);
    proxy.set({});
    send(...Array.from({ length: 100 }, (_, i) => ({ j: 1500 + i })));
    await until(() => target.got.length === n0 + 1600);
    assert.deepEqual(
      target.got.slice(n0).map((v) => (v as { j: number }).j),
      Array.from({ length: 1600 }, (_, i) => i),
      'jitter and a heal never reorder',
    );

    proxy.set({ delayMs: 150, jitterMs: 100 });
    const before = target.got.length;
    const t0 = performance.now();
    send(...Array.from({ length: 20 }, (_, i) => ({ d: i })));
    await sleep(60);
    assert.equal(target.got.length, before, 'nothing arrives before the delay');
    await until(() => target.got.length === before + 20);
    assert.ok(performance.now() - t0 >= 150);
    assert.deepEqual(
      target.got.slice(before),
      Array.from({ length: 20 }, (_, i) => ({ d: i })),
      'jitter never reorders',
    );
  });

  it('passes bytes that are not frames through, so the node refuses them itself', async () => {
    sender.write('GET / HTTP/1.1\r\n\r\n');
    await until(() => Buffer.concat(target.raw).toString().includes('HTTP/1.1'));
  });

  it('a reset closes the connection; the sender sees it end', async () => {
    send({ hello: 'n1' });
    await until(() => target.got.length === 1);
    const closed = new Promise((r) => sender.once('close', r));
    proxy.reset();
    await closed;
  });
});
