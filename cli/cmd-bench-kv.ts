// liferaft bench kv: the real cluster under load — N concurrent clients doing puts, then gets, over
// HTTP/JSON against 3 `liferaft node` processes on loopback with fsync on; then, when Debian's etcd
// is installed, the same harness against 3 etcd members through their v3 JSON gateway (etcd also
// fsyncs its WAL before acknowledging), printing the ratios side by side.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { freePorts, LocalCluster } from '../net/cluster';
import { intOption, type Io } from './args';

interface Target {
  readonly name: string;
  readonly urls: readonly string[];
  put(agent: Agent, url: string, key: string, value: string): Promise<boolean>;
  get(agent: Agent, url: string, key: string): Promise<boolean>;
  /** Starts counting for stats(). */
  mark?(): Promise<void>;
  /** Figures the target can tell about itself since mark() (fsyncs per put). */
  stats?(puts: number): Promise<string>;
  stop(): Promise<void>;
}

interface Phase {
  readonly ops: number;
  readonly errors: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

function httpJson(agent: Agent, url: string, method: string, body: string | undefined): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method, agent, headers: body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.end(body);
  });
}

async function drive(t: Target, op: 'put' | 'get', clients: number, seconds: number, keys: number, value: string): Promise<Phase> {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const lat: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      const url = t.urls[c % t.urls.length]!;
      for (let k = 0; performance.now() < end; k++) {
        const key = `key-${(c * 7919 + k) % keys}`;
        const s = performance.now();
        let ok = false;
        try {
          ok = op === 'put' ? await t.put(agent, url, key, value) : await t.get(agent, url, key);
        } catch {
          ok = false;
        }
        if (ok) lat.push(performance.now() - s);
        else errors++;
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  agent.destroy();
  lat.sort((a, b) => a - b);
  const q = (p: number): number => (lat.length === 0 ? NaN : lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!);
  return {
    ops: lat.length,
    errors,
    seconds: elapsed,
    perSecond: lat.length / elapsed,
    p50: q(0.5),
    p99: q(0.99),
    max: lat.length === 0 ? NaN : lat[lat.length - 1]!,
  };
}

async function liferaftTarget(cli: string, dir: string, tickMs: number): Promise<Target> {
  const c = await LocalCluster.start({ cli, dir, tickMs });
  await c.leader();
  const fsyncs = async (): Promise<Map<string, number>> => {
    const m = new Map<string, number>();
    for (const id of c.members.keys()) m.set(id, Number(((await c.status(id)) as { wal?: { fsyncs?: number } } | null)?.wal?.fsyncs ?? 0));
    return m;
  };
  let before = new Map<string, number>();
  return {
    name: 'LifeRaft',
    urls: c.urls,
    async put(agent, url, key, value) {
      const r = await httpJson(agent, `${url}/kv/${key}`, 'PUT', JSON.stringify({ value }));
      return r.status === 200;
    },
    async get(agent, url, key) {
      const r = await httpJson(agent, `${url}/kv/${key}`, 'GET', undefined);
      return r.status === 200 || r.status === 404;
    },
    async mark() {
      before = await fsyncs();
    },
    async stats(puts) {
      const after = await fsyncs();
      const leader = await c.leader();
      const onLeader = after.get(leader)! - (before.get(leader) ?? 0);
      let all = 0;
      for (const [id, n] of after) all += n - (before.get(id) ?? 0);
      return `fsyncs: ${onLeader} on the leader, ${all} on all 3 — ${(puts / Math.max(1, onLeader)).toFixed(1)} puts per leader fsync`;
    },
    stop: () => c.stop(),
  };
}

function findOnPath(name: string): string | null {
  for (const d of (process.env['PATH'] ?? '').split(delimiter)) if (d !== '' && existsSync(join(d, name))) return join(d, name);
  return null;
}

async function etcdTarget(bin: string, dir: string): Promise<Target> {
  const ports = await freePorts(6);
  const names = ['e1', 'e2', 'e3'];
  const peer = (i: number): string => `http://127.0.0.1:${ports[2 * i]}`;
  const client = (i: number): string => `http://127.0.0.1:${ports[2 * i + 1]}`;
  const initial = names.map((n, i) => `${n}=${peer(i)}`).join(',');
  const procs: ChildProcess[] = names.map((n, i) =>
    spawn(
      bin,
      [
        '--name',
        n,
        '--data-dir',
        join(dir, n),
        '--listen-peer-urls',
        peer(i),
        '--initial-advertise-peer-urls',
        peer(i),
        '--listen-client-urls',
        client(i),
        '--advertise-client-urls',
        client(i),
        '--initial-cluster',
        initial,
        '--initial-cluster-state',
        'new',
        '--initial-cluster-token',
        'liferaft-bench',
        '--log-level',
        'error',
        '--logger',
        'zap',
      ],
      { stdio: 'ignore' },
    ),
  );
  const urls = names.map((_, i) => client(i));
  const agent = new Agent({ keepAlive: false });
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const ok = await Promise.all(urls.map(async (u) => (await httpJson(agent, `${u}/health`, 'GET', undefined)).text.includes('true')));
      if (ok.every(Boolean)) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      for (const p of procs) p.kill('SIGKILL');
      throw new Error('etcd did not become healthy in 20 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  return {
    name: 'etcd',
    urls,
    async put(a, url, key, value) {
      const r = await httpJson(a, `${url}/v3/kv/put`, 'POST', JSON.stringify({ key: b64(key), value: b64(value) }));
      return r.status === 200;
    },
    async get(a, url, key) {
      // Linearizable by default (serializable: false), like LifeRaft's ReadIndex reads.
      const r = await httpJson(a, `${url}/v3/kv/range`, 'POST', JSON.stringify({ key: b64(key) }));
      return r.status === 200;
    },
    async stop() {
      await Promise.all(
        procs.map(
          (p) =>
            new Promise<void>((resolve) => {
              if (p.exitCode !== null) return resolve();
              p.once('exit', () => resolve());
              p.kill('SIGTERM');
              setTimeout(() => p.kill('SIGKILL'), 3000).unref();
            }),
        ),
      );
    },
  };
}

type Results = Record<string, { put: Phase; get: Phase; note: string }>;

/** `--clients 32,64`: one or more client counts. */
function clientCounts(raw: string | undefined): number[] {
  return (raw ?? '32').split(',').map((x) => intOption('clients', x.trim(), 32, 1, 4096));
}

export async function benchKvCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      clients: { type: 'string' },
      runs: { type: 'string' },
      seconds: { type: 'string' },
      'value-bytes': { type: 'string' },
      keys: { type: 'string' },
      'tick-ms': { type: 'string' },
      etcd: { type: 'string' },
      'no-etcd': { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  const counts = clientCounts(values.clients);
  const runs = intOption('runs', values.runs, 1, 1, 100);
  const seconds = intOption('seconds', values.seconds, 8, 1, 3600);
  const valueBytes = intOption('value-bytes', values['value-bytes'], 100, 1, 60_000);
  const keys = intOption('keys', values.keys, 1000, 1, 1_000_000);
  const tickMs = intOption('tick-ms', values['tick-ms'], 50, 1, 1000);
  const json = values.json === true;
  const etcdBin = values['no-etcd'] === true ? null : (values.etcd ?? findOnPath('etcd'));
  const cli = join(__dirname, 'cli.js');
  const value = 'v'.repeat(valueBytes);
  const dir = mkdtempSync(join(tmpdir(), 'liferaft-bench-kv-'));
  const say = (l: string): void => {
    if (!json) io.out(l);
  };
  const all: { run: number; clients: number; results: Results }[] = [];
  say(
    `liferaft bench kv: ${counts.join(' and ')} concurrent clients over HTTP/JSON (keep-alive), spread over 3 members on loopback; ${keys} keys, ${valueBytes}-byte values; ${seconds} s of puts, then ${seconds} s of linearizable gets; fsync on; ${runs} run${runs === 1 ? '' : 's'} of each, LifeRaft and etcd interleaved; data in ${tmpdir()}`,
  );
  if (etcdBin === null) say("  (etcd not found on PATH: install Debian's etcd-server, or pass --etcd PATH, for the side-by-side run)");
  try {
    for (let run = 1; run <= runs; run++) {
      for (const clients of counts) {
        const results: Results = {};
        say(`  run ${run}, ${clients} clients:`);
        const targets: (() => Promise<Target>)[] = [() => liferaftTarget(cli, join(dir, `liferaft-${run}-${clients}`), tickMs)];
        if (etcdBin !== null) targets.push(() => etcdTarget(etcdBin, join(dir, `etcd-${run}-${clients}`)));
        for (const make of targets) {
          const t = await make();
          try {
            await drive(t, 'put', clients, 1, keys, value); // warm-up: connections, JIT, first entries
            await t.mark?.();
            const put = await drive(t, 'put', clients, seconds, keys, value);
            const note = t.stats === undefined ? '' : await t.stats(put.ops);
            const get = await drive(t, 'get', clients, seconds, keys, value);
            results[t.name] = { put, get, note };
            say(`    ${t.name.padEnd(9)} put ${row(put)}${note === '' ? '' : `  (${note})`}`);
            say(`    ${''.padEnd(9)} get ${row(get)}`);
          } finally {
            await t.stop();
          }
        }
        const l = results['LifeRaft'];
        const e = results['etcd'];
        if (l !== undefined && e !== undefined) say(`    ratio LifeRaft/etcd: ${ratios(l, e)}`);
        all.push({ run, clients, results });
      }
    }
    if (etcdBin !== null && runs > 1) {
      for (const clients of counts) {
        const rs = all.filter((x) => x.clients === clients).map((x) => ({ l: x.results['LifeRaft']!, e: x.results['etcd']! }));
        const met = rs.filter(({ l, e }) => l.put.perSecond >= e.put.perSecond && l.put.p99 <= e.put.p99).length;
        say(
          `  ${clients} clients: put throughput ratio ${rs.map(({ l, e }) => (l.put.perSecond / e.put.perSecond).toFixed(2)).join(', ')}; put p99 ratio ${rs.map(({ l, e }) => (l.put.p99 / e.put.p99).toFixed(2)).join(', ')} — both targets met in ${met} of ${rs.length} runs`,
        );
      }
    }
    if (json) io.out(JSON.stringify({ clients: counts[0], seconds, valueBytes, keys, results: all[all.length - 1]!.results, runs: all }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return 0;
}

/** Put and get, LifeRaft against etcd: throughput (target ≥ 1) and p99 (target ≤ 1). */
function ratios(l: Results[string], e: Results[string]): string {
  return `put throughput ${(l.put.perSecond / e.put.perSecond).toFixed(2)} (target ≥ 1), put p99 ${(l.put.p99 / e.put.p99).toFixed(2)} (target ≤ 1); get throughput ${(l.get.perSecond / e.get.perSecond).toFixed(2)}, get p99 ${(l.get.p99 / e.get.p99).toFixed(2)}`;
}

function row(p: Phase): string {
  return `${Math.round(p.perSecond).toString().padStart(6)} ops/s   p50 ${p.p50.toFixed(2).padStart(6)} ms   p99 ${p.p99.toFixed(2).padStart(7)} ms   max ${p.max.toFixed(1).padStart(6)} ms   (${p.ops} ok, ${p.errors} errors)`;
}
