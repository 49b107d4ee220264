// The TCP transport between real nodes: one outgoing connection per peer (reconnected with capped
// exponential backoff, messages queued up to a limit while it is down) and a listener for incoming
// connections. Frames are net/frame.ts's, signed when the cluster has a secret. A bad frame closes
// that connection only; the node keeps serving the others.
//
// Each outgoing connection opens with a hello: the sender's id and where it listens. The receiver
// then takes messages on that connection from that id only, and knows how to answer a node it has
// no address for — a node that joins the cluster knows nobody until the leader calls it.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { Message, NodeId } from '../core';
import { encodeFrame, FrameDecoder, FrameError } from './frame';
import type { Transport } from './host';
import { messageProblem } from '../core';

export interface TcpOptions {
  /**
   * This node's name: frames addressed to another node are dropped, and so are frames from a node
   * that neither said hello on the connection nor is in `peers`.
   */
  readonly self: string;
  readonly listen: { readonly host: string; readonly port: number };
  /**
   * Where the peers listen (read when a peer is first sent to: it may be filled in after listening,
   * and grows as the configuration does).
   */
  readonly peers: ReadonlyMap<string, { readonly host: string; readonly port: number }>;
  readonly secret?: string | null;
  /** Problems worth a log line (refused frames, connection errors). */
  readonly log?: (line: string) => void;
}

/** Messages kept per peer while its connection is down (the oldest are dropped: Raft retransmits). */
const QUEUE_LIMIT = 1000;
const BACKOFF_MIN_MS = 50;
const BACKOFF_MAX_MS = 2000;

class Peer {
  private socket: Socket | null = null;
  private connected = false;
  private queue: Buffer[] = [];
  private backoff = BACKOFF_MIN_MS;
  private timer: ReturnType<typeof setTimeout> | null = null;
  closed = false;

  constructor(
    readonly id: string,
    readonly addr: { readonly host: string; readonly port: number },
    private readonly log: (l: string) => void,
    /** The first frame on every connection: who we are and where we listen. */
    private readonly hello: Buffer,
  ) {}

  send(frame: Buffer): void {
    if (this.connected && this.socket !== null) {
      this.socket.write(frame);
      return;
    }
    this.queue.push(frame);
    if (this.queue.length > QUEUE_LIMIT) this.queue.shift();
    if (this.socket === null && this.timer === null) this.dial();
  }

  private dial(): void {
    if (this.closed) return;
    let s: Socket;
    try {
      s = connect(this.addr.port, this.addr.host);
    } catch (e) {
      // A bad address (a port out of range) must not take the node down: nothing is sent to it.
      this.log(`cannot dial ${this.id} at ${this.addr.host}:${this.addr.port}: ${(e as Error).message}`);
      this.closed = true;
      this.queue = [];
      return;
    }
    this.socket = s;
    s.setNoDelay(true);
    // A peer whose host vanished without a reset is noticed (and redialled) instead of written to forever.
    s.setKeepAlive(true, 5000);
    s.on('connect', () => {
      this.connected = true;
      this.backoff = BACKOFF_MIN_MS;
      s.write(this.hello);
      for (const f of this.queue.splice(0)) s.write(f);
    });
    s.on('error', () => undefined);
    s.on('close', () => {
      this.connected = false;
      this.socket = null;
      if (this.closed) return;
      this.timer = setTimeout(() => {
        this.timer = null;
        if (this.queue.length > 0) this.dial();
      }, this.backoff);
      this.backoff = Math.min(BACKOFF_MAX_MS, this.backoff * 2);
    });
    s.on('data', () => undefined); // peers only send on their own connections
  }

  close(): void {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.socket?.destroy();
  }
}

/** The first frame of a connection. */
interface Hello {
  readonly hello: string;
  readonly host: string;
  readonly port: number;
}

function isHello(v: unknown): v is Hello {
  const h = v as Hello;
  return (
    typeof h === 'object' &&
    h !== null &&
    typeof h.hello === 'string' &&
    typeof h.host === 'string' &&
    Number.isSafeInteger(h.port) &&
    h.port > 0 &&
    h.port < 65536
  );
}

export class TcpTransport implements Transport {
  private readonly peers = new Map<string, Peer>();
  /** Where nodes that said hello listen (for those not in the address book). */
  private readonly learned = new Map<string, { host: string; port: number }>();
  private hello: Buffer | null = null;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly log: (l: string) => void;
  /** Where messages for this node go (until deliverTo, nothing takes part yet: they are dropped, and Raft resends). */
  private deliver: ((m: Message) => void) | null = null;

  private constructor(private readonly o: TcpOptions) {
    this.log = o.log ?? (() => undefined);
    this.server = createServer((s) => this.accept(s));
  }

  /** Hands every message addressed to this node from a known peer to `receive` (the node's host). */
  deliverTo(receive: (m: Message) => void): void {
    this.deliver = receive;
  }

  static async listen(o: TcpOptions): Promise<TcpTransport> {
    const t = new TcpTransport(o);
    await new Promise<void>((resolve, reject) => {
      t.server.once('error', reject);
      t.server.listen(o.listen.port, o.listen.host, () => {
        t.server.off('error', reject);
        // Later server errors (EMFILE on accept, …) are logged; the node keeps serving.
        t.server.on('error', (e) => t.log(`peer listener: ${e.message}`));
        resolve();
      });
    });
    return t;
  }

  get port(): number {
    const a = this.server.address();
    return typeof a === 'object' && a !== null ? a.port : this.o.listen.port;
  }

  send(to: NodeId, m: Message): void {
    let p = this.peers.get(to);
    if (p === undefined) {
      const addr = this.o.peers.get(to) ?? this.learned.get(to);
      if (addr === undefined) return;
      this.hello ??= encodeFrame({ hello: this.o.self, host: this.o.listen.host, port: this.port } satisfies Hello, this.o.secret ?? null);
      p = new Peer(to, addr, this.log, this.hello);
      this.peers.set(to, p);
    }
    let frame: Buffer;
    try {
      frame = encodeFrame(m, this.o.secret ?? null);
    } catch (e) {
      // A message over the frame limit (a snapshot of a very large state machine) is not sent; Raft
      // treats it as lost. The node keeps running and says why.
      this.log(`not sending ${m.type} to ${to}: ${e instanceof FrameError ? e.message : String(e)}`);
      return;
    }
    p.send(frame);
  }

  /**
   * The address book changed `id`'s address: a connection to the old one is closed, so the next
   * message dials the new one (a node removed and added again elsewhere).
   */
  readdress(id: string): void {
    const p = this.peers.get(id);
    const now = this.o.peers.get(id);
    if (p === undefined || now === undefined || (p.addr.host === now.host && p.addr.port === now.port)) return;
    p.close();
    this.peers.delete(id);
  }

  private accept(s: Socket): void {
    this.sockets.add(s);
    const decoder = new FrameDecoder(this.o.secret ?? null);
    // Who is on the other end, once it said hello.
    let from: string | null = null;
    s.on('data', (chunk: Buffer) => {
      let values: unknown[];
      try {
        values = decoder.push(chunk);
      } catch (e) {
        this.log(`refused a connection from ${s.remoteAddress ?? '?'}:${s.remotePort ?? '?'}: ${e instanceof FrameError ? e.message : String(e)}`);
        s.destroy();
        return;
      }
      for (const v of values) {
        if (isHello(v)) {
          from = v.hello;
          // A wildcard listen address names no host: the connection's source does.
          const host = v.host === '0.0.0.0' || v.host === '::' || v.host === '' ? (s.remoteAddress ?? v.host) : v.host;
          if (!this.o.peers.has(from)) this.learned.set(from, { host, port: v.port });
          continue;
        }
        const problem = messageProblem(v);
        const m = v as Message;
        if (problem !== null) this.log(`dropped a malformed message from ${s.remoteAddress ?? '?'}: ${problem}`);
        else if (m.to === this.o.self && (from === null ? this.o.peers.has(m.from) : m.from === from)) this.deliver?.(m);
        else this.log(`dropped a frame that is not a message to ${this.o.self} from ${from ?? 'a peer'}`);
      }
    });
    s.on('error', () => undefined);
    s.on('close', () => this.sockets.delete(s));
  }

  async close(): Promise<void> {
    for (const p of this.peers.values()) p.close();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
