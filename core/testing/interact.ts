// The command language of the core's transcripts (core/testdata/*.txt), on top of MemoryCluster.
// Each command returns the text it prints; see core/testdata/README.md for the list.
import { describeEntry } from '../describe';
import { clientId, nodeId, type ClientRequest, type KvOp, type NodeId } from '../types';
import { MemoryCluster } from '../memory-cluster';

export interface Command {
  readonly cmd: string;
  readonly args: readonly { readonly key: string; readonly vals: readonly string[] }[];
}

export class Interaction {
  private cluster: MemoryCluster | null = null;

  get c(): MemoryCluster {
    if (this.cluster === null) throw new Error('no cluster: start with add-nodes');
    return this.cluster;
  }

  run(command: Command): string {
    const pos = command.args.filter((a) => a.vals.length === 0).map((a) => a.key);
    const opt = (k: string): string | undefined => command.args.find((a) => a.key === k)?.vals[0];
    const lines = this.exec(command.cmd, pos, opt);
    const printed = [...this.c.takeLines(), ...lines];
    return printed.length === 0 ? 'ok' : printed.join('\n');
  }

  private exec(cmd: string, pos: string[], opt: (k: string) => string | undefined): string[] {
    const ids = (): NodeId[] => pos.map((p) => this.checkNode(p));
    switch (cmd) {
      case 'add-nodes':
        return this.addNodes(Number(pos[0]), opt);
      case 'tick':
        return this.tick(this.checkNode(pos[0]), Number(pos[1] ?? 1));
      case 'campaign':
        return this.campaign(this.checkNode(pos[0]));
      case 'transfer': {
        const [from, to] = [this.checkNode(pos[0]), pos[1] ?? ''];
        this.c.stepNode(from, { type: 'transferLeadership', to: nodeId(to) }, `${from} ⇐ transfer leadership to ${to}`);
        return [];
      }
      case 'member': {
        const [leader, action, target] = [this.checkNode(pos[0]), pos[1], pos[2] ?? ''];
        if (action !== 'add' && action !== 'remove') throw new Error(`member: add or remove, not ${action}`);
        this.c.stepNode(leader, { type: 'changeMembership', action, node: nodeId(target) }, `${leader} ⇐ ${action} ${target}`);
        return [];
      }
      case 'deliver':
        this.c.deliver(ids());
        return [];
      case 'stabilize':
        this.c.stabilize(ids());
        return [];
      case 'drop': {
        const from = opt('from');
        const to = opt('to');
        if (this.c.drop(from === undefined ? null : this.checkNode(from), to === undefined ? null : this.checkNode(to)).length === 0)
          return ['nothing to drop'];
        return [];
      }
      case 'request':
        this.c.request(this.checkNode(pos[0]), parseRequest(pos.slice(1)));
        return [];
      case 'partition':
        this.c.partition(pos.map((g) => g.split(',').map((p) => this.checkNode(p))));
        return [`cut: ${[...this.c.cut].join(' ') || 'none'}`];
      case 'isolate': {
        const id = this.checkNode(pos[0]);
        this.c.partition([[id], this.c.ids.filter((x) => x !== id)]);
        return [`cut: ${[...this.c.cut].join(' ')}`];
      }
      case 'heal':
        this.c.heal();
        return ['all links up'];
      case 'crash':
        this.c.crash(this.checkNode(pos[0]));
        return [];
      case 'restart':
        this.c.restart(this.checkNode(pos[0]));
        return [];
      case 'status':
        return (pos.length > 0 ? ids() : [...this.c.ids]).map((id) => this.c.statusLine(id));
      case 'log':
        return (pos.length > 0 ? ids() : [...this.c.ids]).map((id) => {
          const n = this.c.node(id);
          const start = n.logStart.index > 0 ? `(compacted to ${n.logStart.index}/t${n.logStart.term}) ` : '';
          const snap = n.snapshot === null ? '' : ` · snapshot at ${n.snapshot.index}`;
          return `${id}: ${start}${n.log.map(describeEntry).join(', ') || '(empty)'}${snap}`;
        });
      case 'kv':
        return this.kv(this.checkNode(pos[0]));
      case 'in-flight':
        return this.c.inFlight.map((f) => `${f.message.from}→${f.message.to} ${f.message.type} t${f.message.term}`);
      default:
        throw new Error(`unknown command ${cmd}`);
    }
  }

  private addNodes(size: number, opt: (k: string) => string | undefined): string[] {
    const bool = (k: string): boolean | undefined => (opt(k) === undefined ? undefined : opt(k) === 'true');
    const num = (k: string): number | undefined => (opt(k) === undefined ? undefined : Number(opt(k)));
    const config = Object.fromEntries(
      Object.entries({
        preVote: bool('prevote'),
        checkQuorum: bool('checkquorum'),
        electionTicksMin: num('election'),
        electionTicksMax: num('election-max'),
        heartbeatTicks: num('heartbeat'),
        entriesPerAppendMax: num('max-entries'),
        inflightAppendsMax: num('max-inflight'),
        pendingRequestsMax: num('max-pending'),
        snapshotEntries: num('snapshot-entries'),
      }).filter(([, v]) => v !== undefined),
    );
    this.cluster = new MemoryCluster({ size, spares: num('spares') ?? 0, config });
    return this.c.ids.map((id) => this.c.statusLine(id));
  }

  /** Ticks a node; quiet ticks (no rule but the tick itself, no output) are not printed. */
  private tick(id: NodeId, count: number): string[] {
    for (let i = 0; i < count; i++) this.c.tick(id);
    return [];
  }

  /** Ticks a follower until its election timer fires. */
  private campaign(id: NodeId): string[] {
    const max = this.c.node(id).config.electionTicksMax;
    for (let i = 1; i <= max; i++) {
      if (this.c.tick(id).reasons.includes('election.timeout')) return [];
    }
    throw new Error(`${id} did not campaign within ${max} ticks (is it the leader?)`);
  }

  private kv(id: NodeId): string[] {
    const kv = this.c.node(id).kv;
    const data = [...kv.data].map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ') || '(empty)';
    const sessions = [...kv.sessions].map(([c, s]) => `${c}#${s.lastSeq}`).join(' ') || '(none)';
    return [`data: ${data}`, `sessions: ${sessions}`];
  }

  private checkNode(p: string | undefined): NodeId {
    if (p === undefined || !this.c.ids.includes(nodeId(p))) throw new Error(`unknown node ${p}`);
    return nodeId(p);
  }
}

/** `c1 1 put x 1` · `c1 2 get x` · `c1 3 cas x old new` (old "-" = absent) · `c1 4 append x ab` · `c1 5 delete x` */
export function parseRequest(words: readonly string[]): ClientRequest {
  const [client, seq, type, key, a, b] = words;
  if (client === undefined || seq === undefined || type === undefined || key === undefined) {
    throw new Error('usage: request NODE CLIENT SEQ OP KEY [VALUE...]');
  }
  const need = (v: string | undefined): string => {
    if (v === undefined) throw new Error(`${type} needs a value`);
    return v;
  };
  let op: KvOp;
  switch (type) {
    case 'get':
    case 'delete':
      op = { type, key };
      break;
    case 'put':
    case 'append':
      op = { type, key, value: need(a) };
      break;
    case 'cas':
      op = { type, key, expected: need(a) === '-' ? null : need(a), value: need(b) };
      break;
    default:
      throw new Error(`unknown operation ${type}`);
  }
  return { client: clientId(client), seq: Number(seq), op };
}
