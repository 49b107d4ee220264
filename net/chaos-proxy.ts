// One direction of one link between two real nodes, for `liferaft chaos`: a TCP relay on 127.0.0.1
// that node A's --peers names as B's address. A node sends only on the connections it dials
// (net/tcp.ts), so this relay carries everything A says to B and nothing else. It forwards whole
// frames (net/frame.ts), which is what lets it lose or hold back single messages without cutting a
// frame in two: a cut link drops every frame, a lossy one some, a slow one holds them back in order.
// The first frame of a connection (the hello) always passes. Nothing here listens anywhere but on
// loopback, and nothing is relayed anywhere but to the target's loopback port.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { frameSize, notAFrame } from './frame';

export interface LinkFault {
  /** Every frame is dropped (a partition, or a one-way cut). */
  readonly cut?: boolean;
  /** Each frame is dropped with this probability. */
  readonly loss?: number;
  /** Each frame is held back this long (plus up to `jitterMs`), order kept. */
  readonly delayMs?: number;
  readonly jitterMs?: number;
}

export interface LinkStats {
  forwarded: number;
  dropped: number;
  delayed: number;
  connections: number;
}

interface Relay {
  readonly down: Socket;
  readonly up: Socket;
  buf: Buffer;
  /** Frames seen (the first, the hello, always passes). */
  frames: number;
  /** Frames held back, in order, each with when it may go (never before the one ahead of it). */
  readonly queue: { readonly frame: Buffer; readonly at: number }[];
  /** The one timer that sends the head of the queue when it is due. */
  timer: ReturnType<typeof setTimeout> | null;
  /** The connection does not speak frames: relayed byte for byte. */
  raw: boolean;
}

export class LinkProxy {
  private fault: LinkFault = {};
  private readonly relays = new Set<Relay>();
  readonly stats: LinkStats = { forwarded: 0, dropped: 0, delayed: 0, connections: 0 };

  private constructor(
    private readonly server: Server,
    /** The receiving node's peer port on 127.0.0.1. */
    private readonly targetPort: number,
    /** A number in [0, 1): the proxy's own draws (loss, jitter), seeded by the caller. */
    private readonly random: () => number,
  ) {}

  static async listen(targetPort: number, random: () => number): Promise<LinkProxy> {
    const server = createServer();
    const p = new LinkProxy(server, targetPort, random);
    server.on('connection', (s) => p.accept(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', () => undefined);
    return p;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  /** The fault from now on (replacing any before it); {} heals the link. */
  set(f: LinkFault): void {
    this.fault = f;
  }

  get current(): LinkFault {
    return this.fault;
  }

  private accept(down: Socket): void {
    this.stats.connections++;
    const up = connect(this.targetPort, '127.0.0.1');
    const r: Relay = { down, up, buf: Buffer.alloc(0), frames: 0, queue: [], timer: null, raw: false };
    this.relays.add(r);
    down.setNoDelay(true);
    up.setNoDelay(true);
    // Until the target accepts, writes to `up` are buffered by the socket.
    const end = (): void => {
      this.relays.delete(r);
      if (r.timer !== null) clearTimeout(r.timer);
      down.destroy();
      up.destroy();
    };
    down.on('data', (chunk: Buffer) => this.take(r, chunk));
    up.on('data', (chunk: Buffer) => down.write(chunk));
    for (const s of [down, up]) {
      s.on('error', end);
      s.on('close', end);
    }
  }

  private take(r: Relay, chunk: Buffer): void {
    if (r.raw) {
      r.up.write(chunk);
      return;
    }
    r.buf = r.buf.length === 0 ? chunk : Buffer.concat([r.buf, chunk]);
    for (;;) {
      const size = frameSize(r.buf);
      if (size === null) {
        // Not a frame: the node will refuse it; pass it on so it does.
        if (notAFrame(r.buf)) {
          r.raw = true;
          r.up.write(r.buf);
          r.buf = Buffer.alloc(0);
        }
        return;
      }
      const frame = r.buf.subarray(0, size);
      r.buf = r.buf.subarray(size);
      this.frame(r, frame);
    }
  }

  private frame(r: Relay, frame: Buffer): void {
    const f = this.fault;
    const hello = r.frames++ === 0;
    if (!hello && (f.cut === true || (f.loss !== undefined && this.random() < f.loss))) {
      this.stats.dropped++;
      return;
    }
    const now = performance.now();
    const hold = hello ? 0 : (f.delayMs ?? 0) + (f.jitterMs ?? 0) * this.random();
    // Nothing overtakes a frame held back before it (TCP keeps order, whatever the delays).
    if (hold <= 0 && r.queue.length === 0) {
      this.stats.forwarded++;
      r.up.write(frame);
      return;
    }
    const last = r.queue[r.queue.length - 1];
    // (A copy: the socket's chunk buffer may be reused.)
    r.queue.push({ frame: Buffer.from(frame), at: Math.max(now + hold, last?.at ?? 0) });
    this.stats.delayed++;
    if (r.timer === null) this.release(r);
  }

  /** Sends every queued frame that is due, in order, and waits for the next one. */
  private release(r: Relay): void {
    r.timer = null;
    const now = performance.now();
    while (r.queue.length > 0 && r.queue[0]!.at <= now) {
      this.stats.forwarded++;
      r.up.write(r.queue.shift()!.frame);
    }
    if (r.queue.length > 0 && this.relays.has(r)) r.timer = setTimeout(() => this.release(r), Math.max(1, r.queue[0]!.at - now));
  }

  /** Closes every connection through the link (the sender redials: a reset, as after a crash of a middlebox). */
  reset(): void {
    for (const r of [...this.relays]) {
      r.down.destroy();
      r.up.destroy();
    }
    this.relays.clear();
  }

  async close(): Promise<void> {
    this.reset();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
