// A whole node process: the hosted core (host.ts), its TCP transport to the peers (tcp.ts), and the
// client API over HTTP (http-api.ts) — what `liferaft node` runs.
import type { Server } from 'node:http';
import type { NodeId, Role, Term } from '../core';
import { NodeHost } from './host';
import { createApiServer } from './http-api';
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
  const ids = [o.id, ...o.peers.keys()];
  let host: NodeHost | null = null;
  let requester: Requester | null = null;
  const transport = await TcpTransport.listen({
    self: o.id,
    listen: o.listen,
    peers: o.peers,
    secret: o.secret ?? null,
    onMessage: (m) => host?.receive(m),
    log,
  });
  try {
    host = new NodeHost({
      id: o.id,
      peers: ids,
      dataDir: o.dataDir,
      transport,
      tickMs: o.tickMs ?? 50,
      ...(o.snapshotEntries === undefined ? {} : { snapshotEntries: o.snapshotEntries }),
      ...(o.walRewriteBytes === undefined ? {} : { walRewriteBytes: o.walRewriteBytes }),
      onReply: (r) => requester?.onReply(r),
      onSnapshot: (how, index, start) => log(how === 'installed' ? `installed the leader's snapshot at index ${index}; the log now begins after ${start}` : `took a snapshot at index ${index}; the log now begins after ${start}`),
      onRole: (role: Role, term: Term, leader: NodeId | null) => {
        log(`${role} in term ${term}${role === 'leader' ? '' : `, leader ${leader ?? 'unknown'}`}`);
        if (leader !== null) requester?.onLeaderChange();
      },
    });
  } catch (e) {
    await transport.close();
    throw e;
  }
  const h = host;
  const r = h.recovery;
  log(`recovered ${r.snapshotIndex === null ? '' : `a snapshot at index ${r.snapshotIndex} and `}${r.records} WAL records: term ${r.durable.term}, ${r.durable.log.length} log entries${r.truncatedBytes > 0 ? `; cut a torn tail of ${r.truncatedBytes} bytes` : ''}`);
  requester = new Requester({ request: (req) => h.request(req), leader: () => h.state.leader ?? (h.state.role === 'leader' ? h.id : null) }, o.id);
  const req = requester;

  let server: Server | null = null;
  let httpPort: number | null = null;
  if (o.http != null) {
    server = createApiServer({
      requester: req,
      status: () => {
        const s = h.state;
        return {
          id: h.id,
          role: s.role,
          term: s.term,
          leader: s.role === 'leader' ? h.id : s.leader,
          commit: s.commit,
          applied: s.applied,
          lastIndex: s.logStart.index + s.log.length,
          logStart: s.logStart.index,
          snapshot: s.snapshot?.index ?? null,
          keys: s.kv.data.size,
          wal: { bytes: h.walBytes, records: h.stats.records, fsyncs: h.stats.fsyncs, snapshots: h.stats.snapshots, rewrites: h.stats.rewrites },
          steps: h.stats.steps,
          pendingRequests: req.inFlight,
        };
      },
    });
    const srv = server;
    try {
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(o.http!.port, o.http!.host, () => {
          srv.off('error', reject);
          srv.on('error', (e) => log(`client listener: ${e.message}`));
          resolve();
        });
      });
    } catch (e) {
      // No client API: do not run as a member that nobody can use.
      h.stop();
      await transport.close();
      throw e;
    }
    const a = srv.address();
    httpPort = typeof a === 'object' && a !== null ? a.port : o.http.port;
  }
  // Only now, with every port bound, does the node take part in the cluster.
  h.start();
  return {
    host: h,
    requester: req,
    raftPort: transport.port,
    httpPort,
    async close() {
      req.close();
      h.stop();
      if (server !== null) {
        server.closeAllConnections();
        await new Promise<void>((res) => server!.close(() => res()));
      }
      await transport.close();
    },
  };
}
