// `liferaft demo`: the pure Raft core on an in-memory network, without the simulator — elect a
// leader, then commit client writes sent to every node (followers relay them to the leader).
import { clientId, describeEntryData, describeOutcome, describeRequest, lastIndex, MemoryCluster, type ClientRequest, type NodeId } from '../core';

export interface DemoOptions {
  readonly nodes: number;
  readonly writes: number;
  readonly seed: number;
}

export interface DemoReport {
  readonly ok: boolean;
  readonly nodes: number;
  readonly seed: number;
  readonly leader: string | null;
  readonly term: number;
  readonly electedAtTick: number | null;
  readonly steps: number;
  readonly writes: { readonly request: string; readonly via: string; readonly outcome: string }[];
  readonly read: string | null;
  /** Every node applied the same entries, in the same order. */
  readonly logsAgree: boolean;
  readonly lines: readonly string[];
}

const MAX_TICKS = 500;

export function runDemo(opts: DemoOptions): DemoReport {
  const cluster = new MemoryCluster({ size: opts.nodes, config: { seed: opts.seed } });
  const lines: string[] = [];
  let steps = 0;
  cluster.onStep = (id, _input, out) => {
    steps++;
    if (out.reasons.includes('election.timeout')) lines.push(`step ${steps}: ${id}'s election timer fired; it asks for pre-votes`);
    if (out.reasons.includes('election.start')) lines.push(`step ${steps}: ${id} won the pre-vote and starts an election for term ${cluster.node(id).term}`);
    if (out.reasons.includes('election.won')) lines.push(`step ${steps}: ${id} became leader of term ${cluster.node(id).term} and appended a no-op`);
  };
  const roundOfTicks = (): void => {
    for (const id of cluster.ids) cluster.tick(id);
    cluster.stabilize();
  };
  let tick = 0;
  while (cluster.leaders().length === 0 && tick < MAX_TICKS) {
    tick++;
    roundOfTicks();
  }
  const electedAtTick = cluster.leaders().length === 1 ? tick : null;
  const writes: DemoReport['writes'][number][] = [];
  for (let i = 1; i <= opts.writes && electedAtTick !== null; i++) {
    const via = cluster.ids[(i - 1) % cluster.ids.length]!;
    const request: ClientRequest = { client: clientId('c1'), seq: i, op: { type: 'put', key: `k${i}`, value: `v${i}` } };
    const before = cluster.replies.length;
    cluster.request(via, request);
    cluster.stabilize();
    const reply = cluster.replies.slice(before).find((r) => r.reply.seq === request.seq);
    const outcome = reply === undefined ? 'no answer' : describeOutcome(reply.reply.outcome);
    writes.push({ request: describeRequest(request), via, outcome });
    lines.push(`step ${steps}: ${describeRequest(request)} sent to ${via}${via === cluster.leaders()[0] ? '' : ' (relayed to the leader)'} → ${outcome}`);
  }
  // One heartbeat round so every follower learns the final commit index, then a linearizable read.
  roundOfTicks();
  let read: string | null = null;
  if (electedAtTick !== null) {
    const via = cluster.ids[cluster.ids.length - 1]!;
    const request: ClientRequest = { client: clientId('c2'), seq: 1, op: { type: 'get', key: 'k1' } };
    const before = cluster.replies.length;
    cluster.request(via, request);
    cluster.stabilize();
    const reply = cluster.replies.slice(before)[0];
    read = reply === undefined ? 'no answer' : describeOutcome(reply.reply.outcome);
    lines.push(`step ${steps}: ${describeRequest(request)} sent to ${via} → ReadIndex round → ${read}`);
  }
  const logsAgree = agree(cluster);
  const leader = cluster.leaders()[0] ?? null;
  lines.push('', 'final state:', ...cluster.ids.map((id) => `  ${cluster.statusLine(id)}`));
  const first = cluster.node(cluster.ids[0]!);
  lines.push('', `applied on every node (${logsAgree ? 'identical' : 'DIFFERENT'}):`);
  for (const e of first.log.slice(0, first.applied)) lines.push(`  ${e.index}@t${e.term} ${describeEntryData(e.data)}`);
  const ok = electedAtTick !== null && logsAgree && writes.every((w) => w.outcome.startsWith('ok')) && read === 'ok "v1"';
  return {
    ok,
    nodes: opts.nodes,
    seed: opts.seed,
    leader,
    term: leader === null ? 0 : cluster.node(leader).term,
    electedAtTick,
    steps,
    writes,
    read,
    logsAgree,
    lines,
  };
}

function agree(cluster: MemoryCluster): boolean {
  const ids: readonly NodeId[] = cluster.ids;
  const ref = cluster.node(ids[0]!);
  return ids.every((id) => {
    const n = cluster.node(id);
    if (n.applied !== ref.applied || lastIndex(n) < n.applied) return false;
    return n.log.slice(0, n.applied).every((e, i) => JSON.stringify(e) === JSON.stringify(ref.log[i]));
  });
}
