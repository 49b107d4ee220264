// The TCP transport between real nodes: one outgoing connection per peer (reconnected with capped
// exponential backoff, messages queued up to a limit while it is down) and a listener for incoming
// connections. Frames are net/frame.ts's, signed when the cluster has a secret. A bad frame closes
// that connection only; the node keeps serving the others.
//
// Each outgoing connection opens with a hello: the sender's id and where it listens. The receiver
// then takes messages on that connection from that id only, and knows how to answer a node it has
// no address for — a node that joins the cluster knows nobody until the leader calls it.
import { createServer, connect, isIP, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { Message, NodeId } from '../core';
import { encodeFrame, FrameDecoder, FrameError } from './frame';
import type { Transport } from './host';
import { messageProblem } from '../core';
import { certificateIds, tlsProblem, type TlsFiles } from './tls';

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
  /**
   * Mutual TLS: connections are dialled and accepted only with certificates that chain to `ca`, and
   * a peer's certificate must name the node it says it is (its CN or a DNS alt name is the node id).
   */
  readonly tls?: TlsFiles | null;
  /** Incoming peer connections open at once (default 256); more are closed at once and logged. */
  readonly maxConnections?: number;
  /** An incoming connection must bring a whole frame (or finish its TLS handshake) within this (default 10 s). */
  readonly firstFrameMs?: number;
  /** Problems worth a log line (refused frames, connection errors). */
  readonly log?: (line: string) => void;
}

/** Messages kept per peer while its connection is down (the oldest are dropped: Raft retransmits). */
const QUEUE_LIMIT = 1000;
const BACKOFF_MIN_MS = 50;
const BACKOFF_MAX_MS = 2000;
/** An incoming connection that has sent no whole frame by then is closed (it holds a slot). */
const FIRST_FRAME_MS = 10_000;

class Peer {
  private socket: Socket | null = null;
  private connected = false;
  private queue: Buffer[] = [];
  private backoff = BACKOFF_MIN_MS;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** The last connection error logged (each new one is logged once, not every redial). */
  private lastError: string | null = null;
  closed = false;

  constructor(
    readonly id: string,
    readonly addr: { readonly host: string; readonly port: number },
    private readonly log: (l: string) => void,
    /** The first frame on every connection: who we are and where we listen. */
    private readonly hello: Buffer,
    private readonly tls: TlsFiles | null,
  ) {}

  private open(): Socket {
    const { host, port } = this.addr;
    if (this.tls === null) return connect(port, host);
    return tlsConnect({
      host,
      port,
      cert: this.tls.cert,
      key: this.tls.key,
      ca: this.tls.ca ?? undefined,
      ...(isIP(host) === 0 ? { servername: host } : {}),
      // Who answers must be the node we meant to reach, whatever address it has.
      checkServerIdentity: (_host, cert) => {
        const ids = certificateIds(cert);
        return ids.includes(this.id) ? undefined : new Error(`its certificate names ${ids.join(', ') || 'no node'}, not ${this.id}`);
      },
    });
  }

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
      s = this.open();
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
    let openedAt = 0;
    s.on(this.tls === null ? 'connect' : 'secureConnect', () => {
      this.connected = true;
      openedAt = Date.now();
      if (this.tls !== null) this.lastError = null;
      this.backoff = BACKOFF_MIN_MS;
      s.write(this.hello);
      for (const f of this.queue.splice(0)) s.write(f);
    });
    s.on('error', (e) => {
      // (Refused connections while a peer is down are the normal case; TLS refusals are worth a line.)
      if (this.tls === null || (e as NodeJS.ErrnoException).code === 'ECONNREFUSED') return;
      // Our own identity check says it plainly; OpenSSL's failures get words.
      const why = /^its certificate names/.test(e.message) ? e.message : tlsProblem(e);
      if (why === this.lastError) return;
      this.lastError = why;
      this.log(`cannot reach ${this.id} over TLS at ${this.addr.host}:${this.addr.port}: ${why}`);
    });
    s.on('close', () => {
      // A plaintext connection the other side closes at once: it refused our frames (or our hello).
      if (this.tls === null && this.connected && Date.now() - openedAt < 1000) {
        const why = 'closed the connection as soon as it opened (does it use TLS, --peer-cert, or another cluster secret?)';
        if (why !== this.lastError) this.log(`${this.id} at ${this.addr.host}:${this.addr.port} ${why}`);
        this.lastError = why;
      } else if (this.tls === null && this.connected) this.lastError = null;
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
  /** When each kind of refused connection was last logged (a flood gives a line per kind every 5 s). */
  private readonly warned = new Map<string, number>();
  /** Where messages for this node go (until deliverTo, nothing takes part yet: they are dropped, and Raft resends). */
  private deliver: ((m: Message) => void) | null = null;

  private constructor(private readonly o: TcpOptions) {
    this.log = o.log ?? (() => undefined);
    const tls = o.tls ?? null;
    if (tls !== null && tls.ca === null) throw new Error("mutual TLS needs the CA that signs the peers' certificates");
    if (tls === null) this.server = createServer((s) => this.accept(s, null));
    else {
      this.server = createTlsServer(
        {
          cert: tls.cert,
          key: tls.key,
          ca: tls.ca ?? undefined,
          requestCert: true,
          rejectUnauthorized: true,
          handshakeTimeout: o.firstFrameMs ?? FIRST_FRAME_MS,
        },
        (s: TLSSocket) => this.accept(s, certificateIds(s.getPeerCertificate())),
      );
      // Plaintext, no certificate, or one from another CA: the handshake fails and nothing is read.
      // (A socket cut during its handshake has lost its address: the underlying connection's is kept.)
      this.server.on('tlsClientError', (e, s) => {
        const from = s.remoteAddress ?? (s as TLSSocket & { _parent?: Socket })._parent?.remoteAddress;
        this.warn(`tls: ${tlsProblem(e)}`, `refused a TLS connection${from === undefined ? '' : ` from ${from}`}: ${tlsProblem(e)}`);
      });
    }
    this.server.prependListener('connection', (raw: Socket) => this.admit(raw));
  }

  /** Logs `line` unless a line of this kind was logged in the last 5 s. */
  private warn(kind: string, line: string): void {
    const now = Date.now();
    if (now - (this.warned.get(kind) ?? -Infinity) < 5000) return;
    this.warned.set(kind, now);
    this.log(line);
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
      p = new Peer(to, addr, this.log, this.hello, this.o.tls ?? null);
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

  /**
   * Every incoming TCP connection, before any TLS handshake: the cap counts these (a handshake in
   * progress holds a slot too).
   */
  private admit(raw: Socket): void {
    const max = this.o.maxConnections ?? 256;
    if (this.sockets.size >= max) {
      this.warn('cap', `refused a connection from ${raw.remoteAddress ?? '?'}: ${max} peer connections are open already`);
      raw.destroy();
      return;
    }
    this.sockets.add(raw);
    raw.on('close', () => this.sockets.delete(raw));
    raw.on('error', () => undefined);
  }

  /** A connection ready to carry frames; `ids`: the node ids its TLS certificate vouches for (null without TLS). */
  private accept(s: Socket, ids: readonly string[] | null): void {
    s.on('error', () => undefined);
    // A whole frame within FIRST_FRAME_MS of the connection, or it is closed (a byte now and then
    // does not keep a slot).
    let framed = false;
    const ms = this.o.firstFrameMs ?? FIRST_FRAME_MS;
    const deadline = setTimeout(() => {
      if (framed) return;
      this.warn('idle', `closed a connection from ${s.remoteAddress ?? '?'} that sent no whole frame in ${ms / 1000} s`);
      s.destroy();
    }, ms);
    s.once('close', () => clearTimeout(deadline));
    const decoder = new FrameDecoder(this.o.secret ?? null);
    // Who is on the other end, once it said hello.
    let from: string | null = null;
    s.on('data', (chunk: Buffer) => {
      let values: unknown[];
      try {
        values = decoder.push(chunk);
      } catch (e) {
        const why = e instanceof FrameError ? e.message : String(e);
        this.warn(`frame: ${why}`, `refused a connection from ${s.remoteAddress ?? '?'}:${s.remotePort ?? '?'}: ${why}`);
        s.destroy();
        return;
      }
      if (values.length > 0 && !framed) {
        framed = true;
        clearTimeout(deadline);
      }
      for (const v of values) {
        if (isHello(v)) {
          if (ids !== null && !ids.includes(v.hello)) {
            this.warn('identity', `refused a connection that says it is ${v.hello}: its certificate names ${ids.join(', ') || 'no node'}`);
            s.destroy();
            return;
          }
          from = v.hello;
          // A wildcard listen address names no host: the connection's source does.
          const host = v.host === '0.0.0.0' || v.host === '::' || v.host === '' ? (s.remoteAddress ?? v.host) : v.host;
          if (!this.o.peers.has(from)) this.learned.set(from, { host, port: v.port });
          continue;
        }
        const problem = messageProblem(v);
        const m = v as Message;
        if (problem !== null) this.log(`dropped a malformed message from ${s.remoteAddress ?? '?'}: ${problem}`);
        else if (m.to === this.o.self && (from === null ? this.o.peers.has(m.from) && (ids === null || ids.includes(m.from)) : m.from === from))
          this.deliver?.(m);
        else this.log(`dropped a frame that is not a message to ${this.o.self} from ${from ?? 'a peer'}`);
      }
    });
  }

  async close(): Promise<void> {
    for (const p of this.peers.values()) p.close();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
