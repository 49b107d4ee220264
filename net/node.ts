// A whole node process: the hosted core (host.ts), its TCP transport to the peers (tcp.ts), and the
// client API over HTTP (http-api.ts) — what `liferaft node` runs.
import type { Server } from 'node:http';
import { describeMembers, type Membership, type NodeId } from '../core';
import { NodeHost, type HostListener } from './host';
import { createApiServer, type MembersBody, type MembershipOutcome, type TransferOutcome } from './http-api';
import { Requester } from './requester';
import { TcpTransport } from './tcp';
import type { TlsFiles } from './tls';

export interface Address {
  readonly host: string;
  readonly port: number;
}

export interface NodeOptions {
  readonly id: string;
  readonly listen: Address;
  /** The other members and where they listen for peer traffic (with `join`: where to find the cluster; may be empty). */
  readonly peers: ReadonlyMap<string, Address>;
  /**
   * Start outside the cluster, with no configuration, and wait for a leader to add this node
   * (`liferaft member add`, thesis §4.2.1). Without it, `peers` and this node are the bootstrap
   * configuration — until the log holds a configuration entry.
   */
  readonly join?: boolean;
  readonly dataDir: string;
  readonly http?: Address | null;
  /** Authenticates peer frames (HMAC-SHA256); every member must have the same. */
  readonly secret?: string | null;
  readonly tickMs?: number;
  /** Log compaction every this many applied entries (0: never; default 10,000). */
  readonly snapshotEntries?: number;
  /** Rewrite the WAL (after compactions) once it passes this size (default 16 MiB). */
  readonly walRewriteBytes?: number;
  readonly log?: (line: string) => void;
  /** Mutual TLS between peers (net/tls.ts): every member needs a certificate naming its id, from one CA. */
  readonly peerTls?: TlsFiles | null;
  /** HTTPS for clients; with a `ca`, clients must present a certificate from it. */
  readonly clientTls?: TlsFiles | null;
  /** Incoming peer connections open at once (default 256). */
  readonly maxPeerConnections?: number;
  /** Client requests served at once; more get 503 with Retry-After (default 4096). */
  readonly maxClientRequests?: number;
}

export interface RunningNode {
  readonly host: NodeHost;
  readonly requester: Requester;
  readonly raftPort: number;
  readonly httpPort: number | null;
  close(): Promise<void>;
}

export async function startNode(o: NodeOptions): Promise<RunningNode> {
  const log = o.log ?? (() => undefined);
  const book = new AddressBook(o.id, o.peers);
  const transport = await TcpTransport.listen({
    self: o.id,
    listen: o.listen,
    peers: book.peers,
    secret: o.secret ?? null,
    tls: o.peerTls ?? null,
    ...(o.maxPeerConnections === undefined ? {} : { maxConnections: o.maxPeerConnections }),
    log,
  });
  book.transport = transport;
  let host: NodeHost;
  try {
    host = new NodeHost({
      id: o.id,
      peers: o.join === true ? [] : [o.id, ...o.peers.keys()],
      dataDir: o.dataDir,
      transport,
      tickMs: o.tickMs ?? 50,
      ...(o.snapshotEntries === undefined ? {} : { snapshotEntries: o.snapshotEntries }),
      ...(o.walRewriteBytes === undefined ? {} : { walRewriteBytes: o.walRewriteBytes }),
    });
  } catch (e) {
    await transport.close();
    throw e;
  }
  const r = host.recovery;
  book.learn(host.state.members);
  log(
    `recovered ${r.snapshotIndex === null ? '' : `a snapshot at index ${r.snapshotIndex} and `}${r.records} WAL records: term ${r.durable.term}, ${r.durable.log.length} log entries${r.truncatedBytes > 0 ? `; cut a torn tail of ${r.truncatedBytes} bytes` : ''}`,
  );
  // The parts, wired once: peers' messages to the host, the host's answers to the requester.
  const requester = new Requester(host, o.id);
  host.listen(listenerFor(o.id, requester, book, log));
  transport.deliverTo((m) => host.receive(m));
  let server: Server | null = null;
  try {
    const here = (): Record<string, string> => book.known(`${o.listen.host}:${transport.port}`);
    const api = {
      requester,
      status: () => host.status(requester.inFlight),
      localRead: (key: string) => host.localRead(key),
      transfer: (to: string, ms: number) => transferLeadership(host, to, ms),
      members: () => membersBody(host, book.peers),
      changeMembership: (c: Parameters<typeof changeMembership>[1], ms: number) => changeMembership(host, c, ms, () => membersBody(host, book.peers), here),
    };
    const limits = o.maxClientRequests === undefined ? {} : { maxInFlight: o.maxClientRequests };
    server = o.http == null ? null : await listenHttp(createApiServer({ ...api, ...limits }, o.clientTls ?? null), o.http, log);
    const a = server?.address();
    if (server !== null && typeof a === 'object' && a !== null) book.httpUrl = `${o.clientTls == null ? 'http' : 'https'}://${o.http!.host}:${a.port}`;
  } catch (e) {
    // No client API: do not run as a member that nobody can use.
    host.stop();
    await transport.close();
    throw e;
  }
  // Only now, with every port bound, does the node take part in the cluster.
  host.start();
  const a = server?.address();
  return {
    host,
    requester,
    raftPort: transport.port,
    httpPort: server === null ? null : typeof a === 'object' && a !== null ? a.port : o.http!.port,
    async close() {
      requester.close();
      host.stop();
      if (server !== null) {
        server.closeAllConnections();
        await new Promise<void>((res) => server.close(() => res()));
      }
      await transport.close();
    },
  };
}

/**
 * Asks the host to hand leadership to `to` and waits until `to` leads, this node learns another
 * leader, or `timeoutMs` passes (the core gives a transfer up after an election timeout).
 */
async function transferLeadership(host: NodeHost, to: string, timeoutMs: number): Promise<TransferOutcome> {
  const leader = host.leader();
  const term = host.term();
  if (leader === to) return { kind: 'refused', status: 409, error: `${to} already leads (term ${term})` };
  const why = host.transferLeadership(to);
  if (why !== null)
    return host.members().includes(to as NodeId) ? { kind: 'refused', status: 503, error: why, leader } : { kind: 'refused', status: 400, error: why };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await new Promise((r) => setTimeout(r, 10));
    const now = host.leader();
    if (now === to) return { kind: 'done', leader: to, term: host.term() };
    if (now !== null && now !== leader) return { kind: 'refused', status: 409, error: `${now} took leadership instead of ${to}`, leader: now };
    if (Date.now() > deadline || (now === leader && host.leads() && !host.transferring()))
      return {
        kind: 'timeout',
        error: `leadership did not move to ${to}: the transfer was given up (is ${to} reachable and caught up? a TimeoutNow already sent may still reach it later and start an election)`,
      };
  }
}

/**
 * Where the other nodes listen: the command line's peers, then what configurations say (members
 * added later); and what this node writes into a configuration entry when it leads a change.
 */
class AddressBook {
  readonly peers: Map<string, Address>;
  transport: TcpTransport | null = null;
  httpUrl: string | null = null;

  constructor(
    private readonly self: string,
    initial: ReadonlyMap<string, Address>,
  ) {
    this.peers = new Map(initial);
  }

  /** Takes in the addresses a configuration carries. */
  learn(m: Membership): void {
    for (const [id, a] of Object.entries(m.addresses ?? {})) {
      const peer = parseAddresses(a)?.peer;
      // (A wildcard listen address names no host: the hello of that node's connection will.)
      if (id === this.self || peer === undefined || peer.host === '0.0.0.0' || peer.host === '::') continue;
      this.peers.set(id, peer);
      this.transport?.readdress(id);
    }
  }

  /** Every address known, this node's (`peer`) included, as configuration entries carry them. */
  known(peer: string): Record<string, string> {
    const known: Record<string, string> = {};
    for (const [id, a] of this.peers) known[id] = JSON.stringify({ peer: `${a.host}:${a.port}` });
    known[this.self] = JSON.stringify({ peer, ...(this.httpUrl === null ? {} : { http: this.httpUrl }) });
    return known;
  }
}

/** What the node logs and whom it tells when its role, transfers, configuration or snapshots change. */
function listenerFor(id: string, requester: Requester, book: AddressBook, log: (line: string) => void): HostListener {
  return {
    reply: (reply) => requester.onReply(reply),
    role: (role, term, leader) => {
      log(`${role} in term ${term}${role === 'leader' ? '' : `, leader ${leader ?? 'unknown'}`}`);
      if (leader !== null) requester.onLeaderChange();
    },
    transfer: (what, to) =>
      log(
        what === 'started'
          ? `handing leadership to ${to} (thesis §3.10): no new writes until it leads or an election timeout passes`
          : 'gave the leadership transfer up: taking writes again',
      ),
    config: (m, index) => {
      book.learn(m);
      const self = m.voters.includes(id as NodeId) ? 'a voter' : m.learners.includes(id as NodeId) ? 'a learner' : 'not a member';
      log(`configuration ${describeMembers(m)} (entry ${index}): this node is ${self}`);
    },
    snapshot: (how, index, start) =>
      log(
        how === 'installed'
          ? `installed the leader's snapshot at index ${index}; the log now begins after ${start}`
          : `took a snapshot at index ${index}; the log now begins after ${start}`,
      ),
  };
}

/** A member's address as a configuration carries it: {"peer": "HOST:PORT", "http"?: URL}. */
function parseAddresses(text: string): { peer: Address; http: string | null } | null {
  try {
    const v = JSON.parse(text) as { peer?: unknown; http?: unknown };
    if (typeof v.peer !== 'string') return null;
    const colon = v.peer.lastIndexOf(':');
    const port = Number(v.peer.slice(colon + 1));
    if (colon <= 0 || !Number.isSafeInteger(port) || port < 1 || port > 65535) return null;
    return { peer: { host: v.peer.slice(0, colon).replace(/^\[|\]$/g, ''), port }, http: typeof v.http === 'string' ? v.http : null };
  } catch {
    return null;
  }
}

function membersBody(host: NodeHost, book: ReadonlyMap<string, Address>): MembersBody {
  const { members, index, committed } = host.membership();
  const addresses: Record<string, { peer: string; http?: string }> = {};
  for (const id of [...members.voters, ...members.learners]) {
    const carried = parseAddresses(members.addresses?.[id] ?? '');
    const a = carried?.peer ?? book.get(id);
    if (a !== undefined) addresses[id] = { peer: `${a.host}:${a.port}`, ...(carried?.http == null ? {} : { http: carried.http }) };
  }
  return { voters: [...members.voters], learners: [...members.learners], index, committed, addresses };
}

/**
 * Adds or removes a member through the host (which must lead) and waits until the change is
 * committed here — for an added node, until it was promoted to voter (thesis §4.2.1), which needs it
 * running (liferaft node --join) and caught up.
 */
async function changeMembership(
  host: NodeHost,
  c: { readonly action: 'add'; readonly id: string; readonly peer: string; readonly http: string | null } | { readonly action: 'remove'; readonly id: string },
  timeoutMs: number,
  body: () => MembersBody,
  known: () => Record<string, string>,
): Promise<MembershipOutcome> {
  const member = host.members().includes(c.id as NodeId);
  if (!host.leads()) return { kind: 'refused', status: 503, error: `${host.id} does not lead`, leader: host.leader() };
  if (c.action === 'add' && member)
    return { kind: 'refused', status: 409, error: `${c.id} is already a member (${describeMembers(host.membership().members)})` };
  if (c.action === 'remove' && !member)
    return { kind: 'refused', status: 404, error: `${c.id} is not a member (${describeMembers(host.membership().members)})` };
  const addresses = c.action === 'add' ? { ...known(), [c.id]: JSON.stringify({ peer: c.peer, ...(c.http === null ? {} : { http: c.http }) }) } : known();
  const why = host.changeMembership(c.action, c.id, addresses);
  if (why !== null) return { kind: 'refused', status: 409, error: why };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await new Promise((r) => setTimeout(r, 10));
    const { members, committed } = host.membership();
    const done =
      c.action === 'add' ? members.voters.includes(c.id as NodeId) : !members.voters.includes(c.id as NodeId) && !members.learners.includes(c.id as NodeId);
    if (done && committed) return { kind: 'done', config: body() };
    if (!host.leads() && !done)
      return {
        kind: 'refused',
        status: 503,
        error: `${host.id} stopped leading before the change committed (it may still commit: see member list)`,
        leader: host.leader(),
      };
    if (Date.now() > deadline)
      return {
        kind: 'refused',
        status: 504,
        error:
          c.action === 'add' && members.learners.includes(c.id as NodeId)
            ? `${c.id} was added as a learner but has not caught up within ${timeoutMs} ms: is it running (liferaft node --join) and reachable at ${c.peer}?`
            : `the change was not committed within ${timeoutMs} ms`,
      };
  }
}

/** Binds the client API (an error here, such as the port in use, fails the start). */
async function listenHttp(srv: Server, at: Address, log: (line: string) => void): Promise<Server> {
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(at.port, at.host, () => {
      srv.off('error', reject);
      srv.on('error', (e) => log(`client listener: ${e.message}`));
      resolve();
    });
  });
  return srv;
}
