// liferaft node: one member of a real key/value cluster — the simulator's core over TCP, its state
// in a write-ahead log under --data, and the client API over HTTP (net/README.md).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { startNode, type Address } from '../net/node';
import { certificateIdsOf, readTlsFiles, TlsConfigError, type TlsFiles } from '../net/tls';
import { WalCorruptError } from '../net/wal';
import { intOption, UsageError, type Io } from './args';

export const NODE_USAGE = `usage: liferaft node --id ID --listen [HOST:]PORT (--peers ID=[HOST:]PORT,... | --join) --data DIR
                     [--http [HOST:]PORT] [--secret-file FILE] [--tick-ms N] [--snapshot-entries N]
                     [--wal-rewrite-bytes N] [--peer-cert FILE --peer-key FILE --peer-ca FILE]
                     [--client-cert FILE --client-key FILE [--client-ca FILE]]
                     [--max-peer-connections N] [--max-client-requests N]
  --peers: the other members of the bootstrap configuration. --join: start outside the cluster and
  wait for its leader to add this node (liferaft member add ID HOST:PORT); it learns the members
  from the leader (--peers with --join only tells it where some are).
  HOST defaults to 127.0.0.1 (loopback). The cluster secret (authenticating peer frames) comes from
  --secret-file or the LIFERAFT_CLUSTER_SECRET environment variable; every member needs the same.
  --snapshot-entries: compact the log into a snapshot every N applied entries (default 10000; 0: never).
  --wal-rewrite-bytes: after compactions, rewrite the WAL (snapshot file + the log after it) once it
  passes N bytes or 4× its size after the last rewrite (default 16777216).
  --peer-cert/--peer-key/--peer-ca: mutual TLS between peers (PEM files). Every member's certificate
  must chain to the CA and name its node id (subject CN or a DNS subject alt name, e.g. CN=n2); a
  peer without one, with another CA's, or claiming another id gets nothing.
  --client-cert/--client-key: serve clients over HTTPS; with --client-ca, only clients presenting a
  certificate from that CA are served.
  --max-peer-connections: incoming peer connections open at once (default 256).
  --max-client-requests: client requests served at once (default 4096); more get 503 + Retry-After.`;

const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function parseAddress(flag: string, raw: string): Address {
  const m = /^(?:(.+):)?(\d+)$/.exec(raw.trim());
  if (m === null) throw new UsageError(`--${flag} must be [HOST:]PORT (got ${JSON.stringify(raw)})`);
  const port = intOption(flag, m[2], 0, 0, 65535);
  let host = m[1] ?? '127.0.0.1';
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return { host, port };
}

export function parsePeers(raw: string, self: string): Map<string, Address> {
  const peers = new Map<string, Address>();
  for (const part of raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    const eq = part.indexOf('=');
    if (eq < 0) throw new UsageError(`--peers: "${part}" must be ID=[HOST:]PORT`);
    const id = part.slice(0, eq);
    if (!ID.test(id)) throw new UsageError(`--peers: bad node id ${JSON.stringify(id)} (letters, digits, _ . -)`);
    if (id === self) throw new UsageError(`--peers: list the other members only (${id} is this node)`);
    if (peers.has(id)) throw new UsageError(`--peers: ${id} is listed twice`);
    peers.set(id, parseAddress('peers', part.slice(eq + 1)));
  }
  return peers;
}

/** The TLS files the flags name: all three --peer-* or none; --client-cert with --client-key. */
function tlsOptions(v: Record<string, string | boolean | undefined>): { peerTls: TlsFiles | null; clientTls: TlsFiles | null } {
  const str = (k: string): string | null => (typeof v[k] === 'string' ? (v[k] as string) : null);
  const peer = ['peer-cert', 'peer-key', 'peer-ca'].map(str);
  if (peer.some((x) => x !== null) && peer.some((x) => x === null))
    throw new UsageError("--peer-cert, --peer-key and --peer-ca go together (mutual TLS needs this node's certificate and key, and the CA of its peers)");
  const client = ['client-cert', 'client-key'].map(str);
  if (client.some((x) => x !== null) && client.some((x) => x === null)) throw new UsageError('--client-cert and --client-key go together');
  if (str('client-ca') !== null && client[0] === null) throw new UsageError('--client-ca needs --client-cert and --client-key (HTTPS)');
  try {
    return {
      peerTls:
        peer[0] === null ? null : readTlsFiles({ cert: '--peer-cert', key: '--peer-key', ca: '--peer-ca' }, { cert: peer[0]!, key: peer[1]!, ca: peer[2]! }),
      clientTls:
        client[0] === null
          ? null
          : readTlsFiles({ cert: '--client-cert', key: '--client-key', ca: '--client-ca' }, { cert: client[0]!, key: client[1]!, ca: str('client-ca') }),
    };
  } catch (e) {
    if (e instanceof TlsConfigError) throw new UsageError(e.message);
    throw e;
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

export async function nodeCommand(argv: string[], io: Io): Promise<number> {
  // A node under load allocates a little per request: a larger young generation means fewer
  // scavenges, and fewer short pauses in the latency tail (set before the heap grows).
  setFlagsFromString('--max-semi-space-size=32');
  const { values } = parseArgs({
    args: argv,
    options: {
      id: { type: 'string' },
      listen: { type: 'string' },
      peers: { type: 'string' },
      data: { type: 'string' },
      http: { type: 'string' },
      'secret-file': { type: 'string' },
      'tick-ms': { type: 'string' },
      'snapshot-entries': { type: 'string' },
      'wal-rewrite-bytes': { type: 'string' },
      join: { type: 'boolean' },
      help: { type: 'boolean' },
      'peer-cert': { type: 'string' },
      'peer-key': { type: 'string' },
      'peer-ca': { type: 'string' },
      'client-cert': { type: 'string' },
      'client-key': { type: 'string' },
      'client-ca': { type: 'string' },
      'max-peer-connections': { type: 'string' },
      'max-client-requests': { type: 'string' },
    },
  });
  if (values.help === true) {
    io.out(NODE_USAGE);
    return 0;
  }
  const join = values.join === true;
  const missing = (join ? (['id', 'listen', 'data'] as const) : (['id', 'listen', 'peers', 'data'] as const)).filter((k) => values[k] === undefined);
  if (missing.length > 0)
    throw new UsageError(
      `node: missing ${missing.map((k) => `--${k}`).join(', ')}${join ? '' : ' (or --join, to be added to a running cluster)'}\n${NODE_USAGE}`,
    );
  const id = values.id!;
  if (!ID.test(id)) throw new UsageError(`--id: bad node id ${JSON.stringify(id)} (letters, digits, _ . -)`);
  const listen = parseAddress('listen', values.listen!);
  const peers = parsePeers(values.peers ?? '', id);
  const http = values.http === undefined ? null : parseAddress('http', values.http);
  const tickMs = intOption('tick-ms', values['tick-ms'], 50, 1, 10_000);
  const snapshotEntries = intOption('snapshot-entries', values['snapshot-entries'], 10_000, 0, 100_000_000);
  const walRewriteBytes = intOption('wal-rewrite-bytes', values['wal-rewrite-bytes'], 16 * 1024 * 1024, 1, Number.MAX_SAFE_INTEGER);
  let secret: string | null = process.env['LIFERAFT_CLUSTER_SECRET'] ?? null;
  if (values['secret-file'] !== undefined) {
    try {
      secret = readFileSync(values['secret-file'], 'utf8').trim();
    } catch (e) {
      throw new UsageError(`cannot read --secret-file ${values['secret-file']}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  if (secret === '') throw new UsageError('the cluster secret is empty');
  const { peerTls, clientTls } = tlsOptions(values);
  if (peerTls !== null) {
    const names = certificateIdsOf(peerTls.cert);
    if (!names.includes(id))
      throw new UsageError(
        `--peer-cert names ${names.join(', ') || 'no node'}, but this node is ${id}: its peers would refuse it (a node's certificate names its id, as CN or a DNS alt name)`,
      );
  }
  if (clientTls !== null && http === null) throw new UsageError('--client-cert needs --http (the client API it secures)');
  const maxPeerConnections = intOption('max-peer-connections', values['max-peer-connections'], 256, 1, 65_536);
  const maxClientRequests = intOption('max-client-requests', values['max-client-requests'], 4096, 1, 1_000_000);
  const stamp = (): string => new Date().toISOString().slice(11, 23);
  const log = (l: string): void => io.err(`${stamp()} ${id}: ${l}`);
  if (secret === null && peerTls === null && [listen, ...(http === null ? [] : [http])].some((a) => !isLoopback(a.host))) {
    log(
      'WARNING: listening beyond loopback without a cluster secret — anyone who can reach the port can inject Raft messages (set LIFERAFT_CLUSTER_SECRET or --secret-file, or --peer-cert/--peer-key/--peer-ca)',
    );
  }

  let node;
  try {
    node = await startNode({
      id,
      listen,
      peers,
      join,
      dataDir: values.data!,
      http,
      secret,
      tickMs,
      snapshotEntries,
      walRewriteBytes,
      peerTls,
      clientTls,
      maxPeerConnections,
      maxClientRequests,
      log,
    });
  } catch (e) {
    if (e instanceof WalCorruptError) {
      io.err(`liferaft node: ${e.message}`);
      return 1;
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (code?.startsWith('ERR_OSSL') === true || /PEM|key values mismatch|certificate/i.test((e as Error).message)) {
      io.err(`liferaft node: the TLS files cannot be used: ${(e as Error).message}`);
      return 64;
    }
    if (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EACCES') {
      io.err(`liferaft node: cannot listen: ${(e as Error).message}`);
      return 1;
    }
    throw e;
  }
  log(
    `peers on ${listen.host}:${node.raftPort}${peerTls === null ? '' : ' (mutual TLS)'}${node.httpPort === null ? '' : `, clients on ${clientTls === null ? 'http' : 'https'}://${http!.host}:${node.httpPort}${clientTls?.ca != null ? ' (client certificates required)' : ''}`}; data in ${values.data}${secret === null ? '' : '; peer frames signed with the cluster secret'}`,
  );
  const m = node.host.state.members;
  if (join && m.voters.length === 0 && m.learners.length === 0)
    log(
      `waiting to be added: liferaft member add ${id} ${listen.host}:${node.raftPort}${node.httpPort === null ? '' : ` --http ${http!.host}:${node.httpPort}`}`,
    );
  const running = node;
  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (sig: string): void => {
      if (stopping) {
        log(`${sig} again: exiting now`);
        process.exit(130);
      }
      stopping = true;
      log(`${sig}: stopping`);
      void running.close().then(() => resolve(0));
    };
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGTERM', () => shutdown('SIGTERM'));
  });
}
