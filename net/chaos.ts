// `liferaft chaos`: a real cluster of `liferaft node` processes on 127.0.0.1 under Jepsen-style
// faults while clients write and read. Every peer link runs through a relay of its own
// (net/chaos-proxy.ts) that the nodes' --peers point at, so the network can be cut, made one-way,
// slowed or made lossy between any two nodes. Each cycle injects one fault, holds it, and heals:
//
//   kill       kill -9 of a node (the leader half the time), restarted from its disk
//   partition  a minority (with the chosen node) cut off from the rest, both ways
//   cut        one way only: everything the node sends is lost, or everything it would receive
//   delay      the node's links (or every link) slowed by 50–400 ms plus jitter
//   loss       20–60% of the frames on the node's links (or every link) lost
//   pause      SIGSTOP, then SIGCONT: a node frozen with its sockets open
//
// At the end it heals everything, waits until every node has applied what the leader committed,
// reads every acknowledged write-once key from every node's own state machine (a serializable
// read), and checks the whole client history for linearizability. The choices are seeded; the
// timing is real, so two runs of one seed differ.
import { checkHistory, type LinResult, type Operation } from '../sim';
import { LinkProxy, type LinkFault } from './chaos-proxy';
import { LocalCluster, type Member } from './cluster';
import { lcg, missingWrites, startWorkload, type Workload } from './workload';

export const CHAOS_FAULTS = ['kill', 'partition', 'cut', 'delay', 'loss', 'pause'] as const;
export type ChaosFault = (typeof CHAOS_FAULTS)[number];

export interface ChaosOptions {
  /** The built CLI (dist/cli.js) the nodes run. */
  readonly cli: string;
  /** Where the nodes keep their data (a folder per node). */
  readonly dir: string;
  readonly cycles: number;
  readonly nodes: 3 | 5;
  readonly seed: number;
  /** The faults to draw from (default all). Every run of as many cycles as kinds has each once. */
  readonly faults?: readonly ChaosFault[];
  readonly clients?: number;
  /** How long a fault is held, drawn between these (ms; default 300–1500). */
  readonly holdMs?: readonly [number, number];
  /** Quiet time after healing, before the next cycle (ms; default 300). */
  readonly settleMs?: number;
  /** Each cycle as it is injected ("cycle 12/1000: partition {n1} | {n2,n3} for 812 ms"). */
  readonly onCycle?: (line: string) => void;
}

export interface ChaosReport {
  readonly cycles: number;
  readonly kills: number;
  readonly networkFaults: number;
  readonly pauses: number;
  readonly operations: number;
  /** Acknowledged write-once keys, each read back from every node. */
  readonly ackedWrites: number;
  /** Of those, missing (or with another value) on some node. */
  readonly lost: number;
  /** false: not linearizable; null: the checker's budget ran out (unknown). */
  readonly linearizable: boolean | null;
  readonly elapsedS: number;
  /** Operations whose outcome the clients could not know (timeouts, dead connections). */
  readonly unknownOutcome: number;
  /** The first lost writes (key, value, where missing). */
  readonly lostWrites: readonly string[];
  readonly check: LinResult;
  /** Leaders seen before the cycles (a change of leader between two cycles counts once), and the last term. */
  readonly leaderChanges: number;
  readonly term: number;
  /** What the relays did: frames dropped and held back, connections made (each redial is one). */
  readonly relays: { readonly dropped: number; readonly delayed: number; readonly connections: number };
  /** What else went wrong (a node that did not restart, no convergence); the run fails if any. */
  readonly problems: readonly string[];
  /** The clients' whole history (for `liferaft check`). */
  readonly history: readonly Operation[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Relays for every ordered pair of nodes: links.get(`${from}>${to}`). */
class Links {
  readonly map = new Map<string, LinkProxy>();

  static async open(members: ReadonlyMap<string, Member>, random: () => number): Promise<Links> {
    const l = new Links();
    for (const from of members.values())
      for (const to of members.values()) if (from.id !== to.id) l.map.set(`${from.id}>${to.id}`, await LinkProxy.listen(to.raftPort, random));
    return l;
  }

  get(from: string, to: string): LinkProxy {
    return this.map.get(`${from}>${to}`)!;
  }

  /** Sets `f` on the links from each of `froms` to each of `tos` (other than itself). */
  set(froms: readonly string[], tos: readonly string[], f: LinkFault): void {
    for (const a of froms) for (const b of tos) if (a !== b) this.get(a, b).set(f);
  }

  heal(): void {
    for (const p of this.map.values()) p.set({});
  }

  async close(): Promise<void> {
    await Promise.all([...this.map.values()].map((p) => p.close()));
  }
}

/** Which fault each cycle injects: the kinds in a seeded order, every kind once per round of kinds. */
function schedule(kinds: readonly ChaosFault[], cycles: number, random: () => number): ChaosFault[] {
  const out: ChaosFault[] = [];
  while (out.length < cycles) {
    const round = [...kinds];
    for (let i = round.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [round[i], round[j]] = [round[j]!, round[i]!];
    }
    out.push(...round);
  }
  return out.slice(0, cycles);
}

interface Counts {
  kills: number;
  networkFaults: number;
  pauses: number;
  leaderChanges: number;
  /** The leader seen last (before a cycle). */
  leader: string | null;
  /** What went wrong besides lost writes and the history: a node that did not come back, no convergence. */
  problems: string[];
}

/** The chaos run: see the header. */
export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const t0 = performance.now();
  const random = lcg(o.seed);
  const ids = Array.from({ length: o.nodes }, (_, i) => `n${i + 1}`);
  let links: Links | null = null;
  let cluster: LocalCluster | null = null;
  let workload: Workload | null = null;
  try {
    cluster = await LocalCluster.start({
      cli: o.cli,
      dir: o.dir,
      ids,
      // Compaction and WAL rewrites happen often, so restarts recover from snapshots and laggards get InstallSnapshot.
      snapshotEntries: 500,
      walRewriteBytes: 256 * 1024,
      prepare: async (members) => {
        links = await Links.open(members, lcg(o.seed + 1));
      },
      peerAddress: (from, to) => `127.0.0.1:${links!.get(from, to.id).port}`,
    });
    const c = cluster;
    const net = links! as Links;
    let cycle = 0;
    workload = startWorkload({
      urls: () => c.urls,
      clients: o.clients ?? 4,
      seed: o.seed,
      // Keys of this cycle and the one before: each key's history spans a fault and its recovery,
      // and stays short enough to check whatever the number of cycles.
      key: (r) => `g${Math.max(0, cycle - (r() < 0.5 ? 1 : 0))}-k${Math.floor(r() * 3)}`,
    });
    const counts: Counts = { kills: 0, networkFaults: 0, pauses: 0, leaderChanges: 0, leader: null, problems: [] };
    const kinds = schedule(o.faults ?? CHAOS_FAULTS, o.cycles, random);
    const [lo, hi] = o.holdMs ?? [300, 1500];
    for (cycle = 1; cycle <= o.cycles; cycle++) {
      const hold = Math.round(lo + (hi - lo) * random());
      const what = await inject(c, net, kinds[cycle - 1]!, ids, random, hold, counts);
      o.onCycle?.(`cycle ${cycle}/${o.cycles}: ${what}`);
      await sleep(o.settleMs ?? 300);
    }
    net.heal();
    return await finish(c, net, workload, counts, o, t0);
  } finally {
    // (Also when the cluster did not start: nothing may outlive the run, or the process would not exit.)
    await workload?.stop();
    await cluster?.stop();
    await (links as Links | null)?.close();
  }
}

/** Injects one fault, holds it `hold` ms, heals it; says what it did. */
async function inject(
  cluster: LocalCluster,
  net: Links,
  kind: ChaosFault,
  ids: readonly string[],
  random: () => number,
  hold: number,
  counts: Counts,
): Promise<string> {
  const leader = await cluster.leaderNow(300);
  if (leader !== null && counts.leader !== null && leader !== counts.leader) counts.leaderChanges++;
  if (leader !== null) counts.leader = leader;
  const pick = (): string => ids[Math.floor(random() * ids.length)]!;
  const node = leader !== null && random() < 0.5 ? leader : pick();
  const who = `${node}${node === leader ? ' (leader)' : ''}`;
  const others = ids.filter((x) => x !== node);
  const wide = random() < 0.3;
  let what: string;
  switch (kind) {
    case 'kill': {
      counts.kills++;
      await cluster.kill(node);
      await sleep(hold);
      const why = await restart(cluster, node);
      if (why === null) return `kill -9 ${who}, restarted after ${hold} ms`;
      counts.problems.push(`${node} did not restart after kill -9: ${why}`);
      return `kill -9 ${who}: it did not restart (${why})`;
    }
    case 'pause': {
      counts.pauses++;
      cluster.pause(node);
      await sleep(hold);
      cluster.resume(node);
      return `pause ${who} for ${hold} ms`;
    }
    case 'partition': {
      // The chosen node and, on 5 nodes, maybe one more: a minority either way.
      const side = [node, ...(ids.length >= 5 && random() < 0.5 ? [others[Math.floor(random() * others.length)]!] : [])];
      const rest = ids.filter((x) => !side.includes(x));
      net.set(side, rest, { cut: true });
      net.set(rest, side, { cut: true });
      what = `partition {${side.join(',')}} | {${rest.join(',')}}${side.includes(leader ?? '') ? ' (leader in the minority)' : ''}`;
      break;
    }
    case 'cut': {
      const out = random() < 0.5;
      if (out) net.set([node], others, { cut: true });
      else net.set(others, [node], { cut: true });
      what = out ? `one-way cut: nothing from ${who} arrives` : `one-way cut: nothing reaches ${who}`;
      break;
    }
    case 'delay': {
      const f = { delayMs: Math.round(50 + 350 * random()), jitterMs: Math.round(100 * random()) };
      const froms = wide ? ids : [node];
      net.set(froms, ids, f);
      if (!wide) net.set(others, [node], f);
      what = `delay ${f.delayMs}±${f.jitterMs} ms on ${wide ? 'every link' : `the links of ${who}`}`;
      break;
    }
    case 'loss': {
      const f = { loss: Math.round(20 + 40 * random()) / 100 };
      const froms = wide ? ids : [node];
      net.set(froms, ids, f);
      if (!wide) net.set(others, [node], f);
      what = `loss ${Math.round(f.loss * 100)}% on ${wide ? 'every link' : `the links of ${who}`}`;
      break;
    }
  }
  counts.networkFaults++;
  await sleep(hold);
  net.heal();
  return `${what} for ${hold} ms`;
}

/** Restarts a killed node; why it did not come back (null: it did). */
async function restart(cluster: LocalCluster, id: string): Promise<string | null> {
  try {
    await cluster.restart(id);
    return null;
  } catch (e) {
    return (e as Error).message.split('\n')[0]!;
  }
}

/**
 * Once the clients have stopped and everything is healed: waits until the leader has committed its
 * whole log (a new leader's commit index may lag what its predecessor committed until an entry of
 * its own term commits) and every node has applied at least that, and at least the highest commit
 * index any node reports. The leader's term; or why it did not happen in time.
 */
async function converge(cluster: LocalCluster, timeoutMs: number): Promise<{ term: number } | { problem: string }> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const all = await Promise.all([...cluster.members.keys()].map((id) => cluster.status(id)));
    const leaders = all.filter((x) => x?.['role'] === 'leader');
    const num = (x: Record<string, unknown> | null | undefined, k: string): number => Number(x?.[k] ?? -1);
    if (leaders.length === 1) {
      const l = leaders[0]!;
      const target = Math.max(num(l, 'lastIndex'), ...all.map((x) => num(x, 'commit')));
      if (num(l, 'commit') >= target && all.every((x) => num(x, 'applied') >= target)) return { term: num(l, 'term') };
    }
    last = JSON.stringify(
      all.map((x) => (x === null ? 'no answer' : { role: x['role'], commit: x['commit'], applied: x['applied'], lastIndex: x['lastIndex'] })),
    );
    if (Date.now() > deadline) return { problem: `the nodes did not converge in ${timeoutMs / 1000} s: ${last}` };
    await sleep(50);
  }
}

function relayStats(net: Links): ChaosReport['relays'] {
  const all = [...net.map.values()].map((p) => p.stats);
  const sum = (f: (s: (typeof all)[number]) => number): number => all.reduce((a, s) => a + f(s), 0);
  return { dropped: sum((s) => s.dropped), delayed: sum((s) => s.delayed), connections: sum((s) => s.connections) };
}

async function finish(cluster: LocalCluster, net: Links, workload: Workload, counts: Counts, o: ChaosOptions, t0: number): Promise<ChaosReport> {
  await sleep(o.settleMs ?? 300);
  await workload.stop();
  // A node that did not come back after a kill gets one more try.
  for (const m of cluster.members.values()) if (m.proc === null) await restart(cluster, m.id);
  const conv = await converge(cluster, 30_000);
  if ('problem' in conv) counts.problems.push(conv.problem);
  const term = 'term' in conv ? conv.term : 0;
  const lostBy = new Map<string, string[]>();
  for (const m of cluster.members.values()) {
    let missing;
    try {
      missing = await missingWrites(m.url, workload.unique, { serializable: true });
    } catch (e) {
      counts.problems.push(`${m.id} could not be read: ${(e as Error).message}`);
      continue;
    }
    for (const w of missing) {
      lostBy.set(`${w.key}=${w.value}`, [...(lostBy.get(`${w.key}=${w.value}`) ?? []), m.id]);
    }
  }
  const history = workload.history();
  const check = checkHistory(history, { searchStepsMax: 50_000_000 });
  return {
    cycles: o.cycles,
    kills: counts.kills,
    networkFaults: counts.networkFaults,
    pauses: counts.pauses,
    leaderChanges: counts.leaderChanges,
    term,
    relays: relayStats(net),
    operations: history.length,
    ackedWrites: workload.unique.filter((w) => w.kind === 'ok').length,
    lost: lostBy.size,
    linearizable: check.result === 'ok' ? true : check.result === 'illegal' ? false : null,
    elapsedS: Math.round((performance.now() - t0) / 100) / 10,
    unknownOutcome: history.filter((op) => op.return === null).length,
    lostWrites: [...lostBy].slice(0, 10).map(([w, on]) => `${w} missing on ${on.join(',')}`),
    check,
    history,
    problems: counts.problems,
  };
}
