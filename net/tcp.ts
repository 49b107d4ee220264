// The TCP transport between real nodes: one outgoing connection per peer (reconnected with capped
// exponential backoff, messages queued up to a limit while it is down) and a listener for incoming
// connections. Frames are net/frame.ts's, signed when the cluster has a secret. A bad frame closes
// that connection only; the node keeps serving the others.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { Message, NodeId } from '../core';
import { encodeFrame, FrameDecoder, FrameError } from './frame';
import type { Transport } from './host';
import { messageProblem } from '../core';

export interface TcpOptions {
  /** This node's name: frames addressed to another node, or from a node outside `peers`, are dropped. */
  readonly self: string;
  readonly listen: { readonly host: string; readonly port: number };
  /** Where the peers listen (read when a peer is first sent to: it may be filled in after listening). */
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
    private readonly addr: { host: string; port: number },
    private readonly log: (l: string) => void,
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
    const s = connect(this.addr.port, this.addr.host);
    this.socket = s;
    s.setNoDelay(true);
    // A peer whose host vanished without a reset is noticed (and redialled) instead of written to forever.
    s.setKeepAlive(true, 5000);
    s.on('connect', () => {
      this.connected = true;
      this.backoff = BACKOFF_MIN_MS;
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
    void this.log;
  }

  close(): void {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.socket?.destroy();
  }
}

export class TcpTransport implements Transport {
  private readonly peers = new Map<string, Peer>();
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
      const addr = this.o.peers.get(to);
      if (addr === undefined) return;
      p = new Peer(to, addr, this.log);
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

  private accept(s: Socket): void {
    this.sockets.add(s);
    const decoder = new FrameDecoder(this.o.secret ?? null);
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
        const problem = messageProblem(v);
        const m = v as Message;
        if (problem !== null) this.log(`dropped a malformed message from ${s.remoteAddress ?? '?'}: ${problem}`);
        else if (m.to === this.o.self && this.o.peers.has(m.from)) this.deliver?.(m);
        else this.log(`dropped a frame that is not a message to ${this.o.self} from a peer`);
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
