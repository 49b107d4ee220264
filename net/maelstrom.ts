// A node speaking Jepsen Maelstrom's protocol (JSON lines on stdin/stdout), so Maelstrom's lin-kv
// workload and its linearizability checker can run against the core: `maelstrom test -w lin-kv
// --bin liferaft-maelstrom ...` where the binary runs `liferaft maelstrom`.
//
// Messages are {"src","dest","body"}. Maelstrom sends `init` (node_id, node_ids) first; clients send
// `read` {key}, `write` {key, value}, `cas` {key, from, to}; answers are read_ok {value}, write_ok,
// cas_ok, or `error` {code, text} with Maelstrom's codes: 20 key does not exist, 22 precondition
// failed (definite), 11 temporarily unavailable (definitely not applied), 0 timeout (indeterminate),
// 10 not supported, 12 malformed request. Raft messages between nodes travel through Maelstrom's
// network as bodies of type "raft". Keys and values are any JSON; the KV stores their JSON text.
import type { KvOp, NodeId } from '../core';
import { NodeHost } from './host';
import { messageProblem } from '../core';
import { Requester, type CallResult } from './requester';

export const ERR = { timeout: 0, notSupported: 10, unavailable: 11, malformed: 12, crash: 13, keyMissing: 20, precondition: 22 } as const;

interface Envelope {
  readonly src: string;
  readonly dest: string;
  readonly body: Record<string, unknown> & { readonly type: string; readonly msg_id?: number };
}

export interface MaelstromOptions {
  /** Writes one line to stdout (the protocol owns it). */
  readonly write: (line: string) => void;
  /** Diagnostics (stderr). */
  readonly log: (line: string) => void;
  /** The node's WAL directory, once its id is known. */
  readonly dataDir: (id: string) => string;
  readonly tickMs?: number;
  /** How long a client request may take before the node answers "timeout". */
  readonly timeoutMs?: number;
}

export class MaelstromNode {
  private id: string | null = null;
  private peers: ReadonlySet<string> = new Set();
  private host: NodeHost | null = null;
  private requester: Requester | null = null;
  private nextMsgId = 1;

  constructor(private readonly o: MaelstromOptions) {}

  /** One line from stdin. Bad lines are reported on stderr and skipped; the node keeps running. */
  handleLine(line: string): void {
    if (line.trim() === '') return;
    let env: Envelope;
    try {
      env = JSON.parse(line) as Envelope;
    } catch (e) {
      this.o.log(`skipped a line that is not JSON: ${(e as Error).message}`);
      return;
    }
    if (
      typeof env !== 'object' ||
      env === null ||
      typeof env.src !== 'string' ||
      typeof env.body !== 'object' ||
      env.body === null ||
      typeof env.body.type !== 'string'
    ) {
      this.o.log('skipped a message without src and body.type');
      return;
    }
    const b = env.body;
    switch (b.type) {
      case 'init':
        return this.init(env);
      case 'raft': {
        const problem = messageProblem(b['msg']);
        const m = b['msg'] as { from?: unknown; to?: unknown };
        if (problem !== null) this.o.log(`dropped a malformed raft message from ${env.src}: ${problem}`);
        else if (this.host !== null && this.peers.has(env.src) && m.from === env.src && m.to === this.id) this.host.receive(m as never);
        else this.o.log(`dropped a raft message from ${env.src} that is not from a peer to ${this.id ?? '(uninitialized)'}`);
        return;
      }
      case 'read':
      case 'write':
      case 'cas':
        void this.client(env);
        return;
      default:
        if (b.msg_id !== undefined) this.error(env, ERR.notSupported, `unsupported message type ${JSON.stringify(b.type)}`);
    }
  }

  stop(): void {
    this.host?.stop();
  }

  private init(env: Envelope): void {
    const b = env.body;
    const id = b['node_id'];
    const ids = b['node_ids'];
    if (typeof id !== 'string' || !Array.isArray(ids) || !ids.every((x) => typeof x === 'string') || !ids.includes(id)) {
      this.error(env, ERR.malformed, 'init needs node_id (a string) and node_ids (strings, including node_id)');
      return;
    }
    if (this.id !== null) {
      this.error(env, ERR.malformed, `already initialized as ${this.id}`);
      return;
    }
    if (new Set(ids).size !== ids.length) {
      this.error(env, ERR.malformed, 'node_ids repeat a node');
      return;
    }
    let host: NodeHost;
    try {
      host = new NodeHost({
        id,
        peers: ids as string[],
        dataDir: this.o.dataDir(id),
        tickMs: this.o.tickMs ?? 20,
        transport: { send: (to: NodeId, m) => this.send(to, { type: 'raft', msg: m }) },
      });
    } catch (e) {
      this.error(env, ERR.crash, `cannot start node ${id}: ${(e as Error).message}`);
      return;
    }
    this.id = id;
    this.peers = new Set((ids as string[]).filter((p) => p !== id));
    this.host = host;
    const requester = new Requester(host, `${id}.m`, { attemptMs: 500 });
    this.requester = requester;
    host.listen({
      reply: (r) => requester.onReply(r),
      role: (role, term, leader) => {
        this.o.log(`${id}: ${role} in term ${term}`);
        if (leader !== null) requester.onLeaderChange();
      },
    });
    host.start();
    this.reply(env, { type: 'init_ok' });
  }

  private async client(env: Envelope): Promise<void> {
    if (this.requester === null) {
      this.error(env, ERR.unavailable, 'not initialized yet');
      return;
    }
    const b = env.body;
    if (!('key' in b)) {
      this.error(env, ERR.malformed, `${b.type} needs a key`);
      return;
    }
    const key = JSON.stringify(b['key']);
    let op: KvOp;
    if (b.type === 'read') op = { type: 'get', key };
    else if (b.type === 'write') {
      if (!('value' in b)) return this.error(env, ERR.malformed, 'write needs a value');
      op = { type: 'put', key, value: JSON.stringify(b['value']) };
    } else {
      if (!('from' in b) || !('to' in b)) return this.error(env, ERR.malformed, 'cas needs from and to');
      op = { type: 'cas', key, expected: JSON.stringify(b['from']), value: JSON.stringify(b['to']) };
    }
    const r: CallResult = await this.requester.call(op, { timeoutMs: this.o.timeoutMs ?? 1000 });
    switch (r.kind) {
      case 'ok': {
        const res = r.outcome.result;
        if (op.type === 'get') {
          if (res.value === null) this.error(env, ERR.keyMissing, 'key does not exist');
          else this.reply(env, { type: 'read_ok', value: JSON.parse(res.value) as unknown });
        } else if (op.type === 'put') this.reply(env, { type: 'write_ok' });
        else if (res.ok) this.reply(env, { type: 'cas_ok' });
        else if (res.value === null) this.error(env, ERR.keyMissing, 'key does not exist');
        else this.error(env, ERR.precondition, `expected ${op.expected}, but the value is ${res.value}`);
        return;
      }
      case 'unavailable':
        this.error(env, ERR.unavailable, `${r.reason} (not applied)`);
        return;
      case 'indeterminate':
        this.error(env, ERR.timeout, `${r.reason}; may or may not be applied`);
        return;
      case 'stale-sequence':
        this.error(env, ERR.unavailable, 'stale sequence (not applied)');
        return;
    }
  }

  private send(dest: string, body: Record<string, unknown>): void {
    this.o.write(JSON.stringify({ src: this.id, dest, body: { ...body, msg_id: this.nextMsgId++ } }));
  }

  private reply(env: Envelope, body: Record<string, unknown>): void {
    this.send(env.src, { ...body, ...(env.body.msg_id === undefined ? {} : { in_reply_to: env.body.msg_id }) });
  }

  private error(env: Envelope, code: number, text: string): void {
    this.reply(env, { type: 'error', code, text });
  }
}
