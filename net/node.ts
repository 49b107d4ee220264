// A whole node process: the hosted core (host.ts), its TCP transport to the peers (tcp.ts), and the
// client API over HTTP (http-api.ts) — what `liferaft node` runs.
import type { Server } from 'node:http';
import type { NodeId } from '../core';
import { NodeHost } from './host';
import { createApiServer, type TransferOutcome } from './http-api';
import { Requester } from './requester';
import { TcpTransport } from './tcp';

export interface Address {
  readonly host: string;
  readonly port: number;
}

export interface NodeOptions {
  readonly id: string;
  readonly listen: Address;
  /** The other members and where they listen for peer traffic. */
  readonly peers: ReadonlyMap<string, Address>;
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
  const transport = await TcpTransport.listen({ self: o.id, listen: o.listen, peers: o.peers, secret: o.secret ?? null, log });
  let host: NodeHost;
  try {
    host = new NodeHost({
      id: o.id,
      peers: [o.id, ...o.peers.keys()],
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
  log(
    `recovered ${r.snapshotIndex === null ? '' : `a snapshot at index ${r.snapshotIndex} and `}${r.records} WAL records: term ${r.durable.term}, ${r.durable.log.length} log entries${r.truncatedBytes > 0 ? `; cut a torn tail of ${r.truncatedBytes} bytes` : ''}`,
  );
  // The parts, wired once: peers' messages to the host, the host's answers to the requester.
  const requester = new Requester(host, o.id);
  host.listen({
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
    snapshot: (how, index, start) =>
      log(
        how === 'installed'
          ? `installed the leader's snapshot at index ${index}; the log now begins after ${start}`
          : `took a snapshot at index ${index}; the log now begins after ${start}`,
      ),
  });
  transport.deliverTo((m) => host.receive(m));
  let server: Server | null = null;
  try {
    const api = { requester, status: () => host.status(requester.inFlight), transfer: (to: string, ms: number) => transferLeadership(host, to, ms) };
    server = o.http == null ? null : await listenHttp(createApiServer(api), o.http, log);
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
