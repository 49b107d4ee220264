// A local cluster of `liferaft node` processes on loopback, for the process tests and `bench kv`:
// start, kill -9, restart, read a node's status, stop. Data under one folder, a sub-folder per node.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface LocalClusterOptions {
  /** The built CLI (dist/cli.js). */
  readonly cli: string;
  readonly dir: string;
  readonly ids?: readonly string[];
  readonly tickMs?: number;
  /** Passed as --snapshot-entries (default: the node's). */
  readonly snapshotEntries?: number;
  /** Passed as --wal-rewrite-bytes (default: the node's). */
  readonly walRewriteBytes?: number;
  /** The cluster secret per node (a wrong one on a node is how tests play a stranger). */
  readonly secret?: (id: string) => string | null;
  /**
   * Where node `from` is told `to` listens, as HOST:PORT (default: `to`'s own port). `liferaft chaos`
   * points it at a relay per link.
   */
  readonly peerAddress?: (from: string, to: Member) => string;
  /** Called once every member's ports are chosen, before any process starts (to set up relays). */
  readonly prepare?: (members: ReadonlyMap<string, Member>) => Promise<void>;
  /**
   * Mutual TLS between the peers: a folder with ca.crt and ID.crt/ID.key per node
   * (net/testdata/tls); `tlsFiles` may name another node's files for one (a stranger).
   */
  readonly tlsDir?: string;
  readonly tlsFiles?: (id: string) => { cert: string; key: string; ca: string };
  /** Every line a node writes on stderr. */
  readonly onLog?: (id: string, line: string) => void;
}

export interface Member {
  readonly id: string;
  readonly raftPort: number;
  readonly httpPort: number;
  readonly url: string;
  proc: ChildProcess | null;
  /** Started with --join: outside the cluster until a leader adds it (not in other nodes' --peers). */
  readonly joins: boolean;
  /** How the last process ended (null while running). */
  exit: { code: number | null; signal: string | null } | null;
  readonly log: string[];
}

/** Ports free right now (bound to port 0 and released): the processes are told them on their command line. */
export async function freePorts(k: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: k },
      () =>
        new Promise<import('node:net').Server>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export class LocalCluster {
  readonly members = new Map<string, Member>();

  private constructor(private readonly o: LocalClusterOptions) {}

  static async start(o: LocalClusterOptions): Promise<LocalCluster> {
    const ids = o.ids ?? ['n1', 'n2', 'n3'];
    const ports = await freePorts(ids.length * 2);
    const c = new LocalCluster(o);
    ids.forEach((id, i) => {
      const raftPort = ports[2 * i]!;
      const httpPort = ports[2 * i + 1]!;
      c.members.set(id, { id, raftPort, httpPort, url: `http://127.0.0.1:${httpPort}`, proc: null, joins: false, exit: null, log: [] });
    });
    await o.prepare?.(c.members);
    for (const id of ids) c.spawn(id);
    try {
      await c.waitReady();
    } catch (e) {
      // (The ones that did start must not outlive the failure.)
      await c.stop();
      throw e;
    }
    return c;
  }

  get urls(): string[] {
    return [...this.members.values()].map((m) => m.url);
  }

  member(id: string): Member {
    const m = this.members.get(id);
    if (m === undefined) throw new Error(`no member ${id}`);
    return m;
  }

  /**
   * Starts a new node with an empty disk and --join: it waits outside the cluster until a leader adds
   * it (`liferaft member add ID 127.0.0.1:PORT`). Answers once it serves /status.
   */
  async join(id: string): Promise<Member> {
    if (this.members.has(id)) throw new Error(`${id} exists`);
    const [raftPort, httpPort] = await freePorts(2);
    const m: Member = { id, raftPort: raftPort!, httpPort: httpPort!, url: `http://127.0.0.1:${httpPort}`, proc: null, joins: true, exit: null, log: [] };
    this.members.set(id, m);
    this.spawn(id);
    await this.waitReady([id]);
    return m;
  }

  spawn(id: string): void {
    const m = this.member(id);
    const peers = [...this.members.values()]
      .filter((p) => p.id !== id && !p.joins)
      .map((p) => `${p.id}=${this.o.peerAddress?.(id, p) ?? `127.0.0.1:${p.raftPort}`}`)
      .join(',');
    const secret = this.o.secret?.(id) ?? null;
    const env = { ...process.env };
    delete env['LIFERAFT_CLUSTER_SECRET'];
    if (secret !== null) env['LIFERAFT_CLUSTER_SECRET'] = secret;
    const proc = spawn(
      process.execPath,
      [
        this.o.cli,
        'node',
        '--id',
        id,
        '--listen',
        `127.0.0.1:${m.raftPort}`,
        ...(m.joins ? ['--join'] : ['--peers', peers]),
        '--data',
        join(this.o.dir, id),
        '--http',
        `127.0.0.1:${m.httpPort}`,
        '--tick-ms',
        String(this.o.tickMs ?? 20),
        ...(this.o.snapshotEntries === undefined ? [] : ['--snapshot-entries', String(this.o.snapshotEntries)]),
        ...(this.o.walRewriteBytes === undefined ? [] : ['--wal-rewrite-bytes', String(this.o.walRewriteBytes)]),
        ...this.tlsArgs(id),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], env },
    );
    m.proc = proc;
    m.exit = null;
    let rest = '';
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop()!;
      for (const l of lines) {
        m.log.push(l);
        this.o.onLog?.(id, l);
      }
    });
    proc.on('exit', (code, signal) => {
      m.exit = { code, signal };
      if (m.proc === proc) m.proc = null;
    });
  }

  private tlsArgs(id: string): string[] {
    const dir = this.o.tlsDir;
    if (dir === undefined) return [];
    const f = this.o.tlsFiles?.(id) ?? { cert: `${id}.crt`, key: `${id}.key`, ca: 'ca.crt' };
    return ['--peer-cert', join(dir, f.cert), '--peer-key', join(dir, f.key), '--peer-ca', join(dir, f.ca)];
  }

  /** kill -9: no chance to flush or say goodbye. */
  async kill(id: string): Promise<void> {
    const m = this.member(id);
    const p = m.proc;
    if (p === null) return;
    const gone = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await gone;
  }

  /** SIGSTOP: the process halts where it is, its sockets open (a long GC pause, a stalled VM). */
  pause(id: string): void {
    this.member(id).proc?.kill('SIGSTOP');
  }

  /** SIGCONT after pause(). */
  resume(id: string): void {
    this.member(id).proc?.kill('SIGCONT');
  }

  async restart(id: string): Promise<void> {
    this.spawn(id);
    await this.waitReady([id]);
  }

  async status(id: string, timeoutMs = 1000): Promise<Record<string, unknown> | null> {
    try {
      const res = await fetch(`${this.member(id).url}/status`, { signal: AbortSignal.timeout(timeoutMs) });
      return (await res.json()) as Record<string, unknown>;
    } catch {
      return null;
    }
  }

  /** The node every running member agrees leads (waits for one). */
  async leader(timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const l = await this.leaderNow();
      if (l !== null) return l;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('no single leader in time');
  }

  /** The node every running member that answers now says leads, if exactly one does (no waiting). */
  async leaderNow(statusTimeoutMs = 1000): Promise<string | null> {
    const live = [...this.members.values()].filter((m) => m.proc !== null);
    const s = await Promise.all(live.map((m) => this.status(m.id, statusTimeoutMs)));
    const leaders = s.filter((x) => x?.['role'] === 'leader').map((x) => String(x!['id']));
    return leaders.length === 1 ? leaders[0]! : null;
  }

  /** Waits until the given members answer /status. */
  async waitReady(ids: readonly string[] = [...this.members.keys()], timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const id of ids) {
      for (;;) {
        const m = this.member(id);
        if (m.exit !== null && m.proc === null) throw new Error(`${id} exited (${m.exit.signal ?? m.exit.code}):\n${m.log.join('\n')}`);
        if ((await this.status(id, 500)) !== null) break;
        if (Date.now() > deadline) throw new Error(`${id} did not start in time:\n${m.log.join('\n')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }

  async stop(): Promise<void> {
    await Promise.all(
      [...this.members.values()].map(async (m) => {
        const p = m.proc;
        if (p === null) return;
        const gone = new Promise((r) => p.once('exit', r));
        // (A paused process would hold the SIGTERM until continued.)
        p.kill('SIGCONT');
        p.kill('SIGTERM');
        const t = setTimeout(() => p.kill('SIGKILL'), 3000);
        await gone;
        clearTimeout(t);
      }),
    );
  }
}
