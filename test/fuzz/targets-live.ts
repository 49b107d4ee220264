// Fuzz targets that are live: DAP requests on a running debug session, TCP frames into the
// pipeline a node runs on each peer connection (frames → message check → the core), and HTTP
// requests against a real node (its API, requester, core and write-ahead log, on 127.0.0.1).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { makeConfig, messageProblem, newNode, nodeId, RaftAssertionError, step, type Message, type NodeState } from '../../core';
import { AdapterError } from '../../debug-adapter/errors';
import { ExprError } from '../../debug-adapter/expr';
import { RuntimeError } from '../../debug-adapter/runtime';
import { SimDebugSession } from '../../debug-adapter/session';
import { encodeFrame, FrameDecoder, FrameError } from '../../net/frame';
import { startNode, type RunningNode } from '../../net/node';
import { TcpTransport } from '../../net/tcp';
import { FuzzFailure, type FuzzTarget, type Outcome } from './campaign';
import { junkValue, mutateJson, randomString, type Rng } from './gen';
import { scenarioCorpus } from './targets-text';

const ROOT = join(__dirname, '..', '..');

/** Messages an error of ours never has: a JavaScript runtime error leaking through as a refusal. */
const INTERNAL =
  /Cannot read prop|Cannot set prop|is not a function|is not iterable|is not defined|Maximum call stack|Invalid array length|Invalid time value|\bof undefined\b|\bof null\b/;

// ---- DAP

const THREADS = [1000, 1, 2, 3, 5, 9, 0, -1, 99999];
const EXPRESSIONS = [
  'step',
  'n1.term',
  'n1.log',
  'n2.config',
  'leader',
  'n1.role == "leader"',
  'n9.term',
  '.crash n1',
  '.add n4',
  '.remove n2',
  '.partition n1 n2',
  '.heal',
  '.goto 10',
  'n1.log[0]',
  'n1.log[-1]',
  'n1.log[99999999]',
  '1 +',
  '(',
  '"',
  'messages',
  'help',
  '.help',
];

/** One request, from the kinds a client sends, with arguments that are often valid and sometimes anything. */
function dapRequest(r: Rng, pool: { frames: number[]; refs: number[]; lines: number[]; path: string }): { command: string; args: unknown } {
  const thread = r.chance(0.8) ? 1000 : r.pick(THREADS);
  const frame = r.chance(0.8) && pool.frames.length > 0 ? r.pick(pool.frames) : r.int(50) - 5;
  const ref = r.chance(0.8) && pool.refs.length > 0 ? r.pick(pool.refs) : r.int(1000) - 5;
  const line = r.chance(0.7) ? r.pick(pool.lines) : r.int(200) - 10;
  const expr = r.chance(0.8) ? r.pick(EXPRESSIONS) : randomString(r, 12);
  const source = { path: r.chance(0.9) ? pool.path : randomString(r, 10) };
  const kinds: [string, () => unknown][] = [
    ['threads', () => ({})],
    ['stackTrace', () => ({ threadId: thread, startFrame: r.int(5), levels: r.int(30) })],
    ['scopes', () => ({ frameId: frame })],
    ['variables', () => ({ variablesReference: ref, start: r.chance(0.2) ? r.int(20) - 2 : undefined, count: r.chance(0.2) ? r.int(20) - 2 : undefined })],
    ['evaluate', () => ({ expression: expr, frameId: r.chance(0.5) ? frame : undefined, context: r.pick(['watch', 'repl', 'hover', 'clipboard', 'x']) })],
    ['completions', () => ({ text: expr, column: r.int(expr.length + 3), frameId: frame })],
    ['next', () => ({ threadId: thread })],
    ['stepBack', () => ({ threadId: thread })],
    ['stepIn', () => ({ threadId: thread })],
    ['stepOut', () => ({ threadId: thread })],
    ['continue', () => ({ threadId: thread })],
    ['reverseContinue', () => ({ threadId: thread })],
    ['pause', () => ({ threadId: thread })],
    ['gotoTargets', () => ({ source, line })],
    ['goto', () => ({ threadId: thread, targetId: r.int(3000) - 5 })],
    ['restartFrame', () => ({ frameId: frame })],
    [
      'setBreakpoints',
      () => ({
        source,
        breakpoints: Array.from({ length: r.int(4) }, () => ({
          line: r.chance(0.8) ? r.pick(pool.lines) : r.int(100) - 5,
          condition: r.chance(0.3) ? expr : undefined,
          hitCondition: r.chance(0.2) ? r.pick(['2', '>3', '%2', 'x']) : undefined,
          logMessage: r.chance(0.1) ? '{step}' : undefined,
        })),
      }),
    ],
    [
      'setFunctionBreakpoints',
      () => ({
        breakpoints: Array.from({ length: r.int(3) }, () => ({
          name: r.pick(['becomeLeader', 'configChange', 'crash', 'election.start', 'nope', randomString(r, 6)]),
          condition: r.chance(0.2) ? expr : undefined,
        })),
      }),
    ],
    [
      'setExceptionBreakpoints',
      () => ({
        filters: r.chance(0.8) ? [r.pick(['any-invariant', 'liveness', 'assertion', 'node-crash', 'invariant:ElectionSafety'])] : [randomString(r, 5)],
      }),
    ],
    ['dataBreakpointInfo', () => ({ variablesReference: ref, name: r.pick(['term', 'role', 'config', 'log', 'x']) })],
    ['setDataBreakpoints', () => ({ breakpoints: Array.from({ length: r.int(3) }, () => ({ dataId: r.pick(['n1.term', 'n2.role', 'n4.config', 'x', '']) })) })],
    ['exceptionInfo', () => ({ threadId: thread })],
    ['source', () => ({ sourceReference: r.int(5), source })],
    ['liferaft/state', () => ({})],
    ['liferaft/steps', () => ({ from: r.int(3000) - 5, count: r.int(200) })],
    ['liferaft/goto', () => ({ step: r.chance(0.8) ? r.int(3000) : junkValue(r) })],
    ['liferaft/trace', () => ({})],
    ['restart', () => ({})],
    ['configurationDone', () => ({})],
    ['launch', () => ({ scenario: r.chance(0.5) ? pool.path : randomString(r, 8), seed: junkValue(r) })],
    ['disconnect', () => ({})],
    [randomString(r, 8), () => ({})],
  ];
  // disconnect and launch are rare: most of a sequence runs on a live session.
  const [command, make] = r.chance(0.97) ? r.pick(kinds.slice(0, -3)) : r.pick(kinds.slice(-3));
  const args = r.chance(0.08)
    ? r.pick([null, [], 'x', 7, { threadId: 'a', frameId: {}, variablesReference: [] }])
    : r.chance(0.05)
      ? mutateJson(r, make())
      : make();
  return { command, args };
}

/** A debug session on one scenario, and a client that sees every answer (no stream: as VS Code's inline adapter). */
class Sequence {
  private seq = 1;
  private readonly waiting = new Map<number, (r: DebugProtocol.Response) => void>();
  readonly internal: unknown[] = [];
  readonly session: SimDebugSession;

  constructor(text: string) {
    this.session = new SimDebugSession({
      readFile: async (p) => {
        if (!p.endsWith('.raftsim')) throw new Error(`ENOENT: no such file ${p}`);
        return text;
      },
    });
    // Record any error a handler throws that is not one of the adapter's own refusals.
    const s = this.session as unknown as { fail(resp: DebugProtocol.Response, e: unknown): void };
    const fail = s.fail.bind(this.session);
    s.fail = (resp, e) => {
      if (!(e instanceof AdapterError) && !(e instanceof ExprError) && !(e instanceof RuntimeError)) this.internal.push(e);
      fail(resp, e);
    };
    this.session.onDidSendMessage((m) => {
      const msg = m as DebugProtocol.ProtocolMessage;
      if (msg.type === 'response') {
        const r = msg as DebugProtocol.Response;
        this.waiting.get(r.request_seq)?.(r);
        this.waiting.delete(r.request_seq);
      } else if (msg.type === 'event') {
        const e = msg as DebugProtocol.Event;
        // A failure inside a run is reported as output, not as a response: it is a crash all the same.
        if (e.event === 'output' && /internal error/.test(String((e.body as { output?: string }).output))) this.internal.push(new Error(String(e.body.output)));
        if (e.event === 'stopped' || e.event === 'terminated') {
          this.stops++;
          for (const w of this.stopWaiters.splice(0)) w();
        }
      }
    });
  }

  stops = 0;
  private stopWaiters: (() => void)[] = [];

  /** Resolves at the next stop (or end) after `since` stops; a run that never stops is a failure. */
  stopAfter(since: number, what: string): Promise<void> {
    if (this.stops > since) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new FuzzFailure(`${what}: the run never stopped (10 s)`)), 10_000);
      this.stopWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  request(command: string, args: unknown): Promise<DebugProtocol.Response> {
    const seq = this.seq++;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new FuzzFailure(`${command}: no response in 10 s`)), 10_000);
      this.waiting.set(seq, (r) => {
        clearTimeout(t);
        resolve(r);
      });
      this.session.handleMessage({ seq, type: 'request', command, arguments: args } as DebugProtocol.Request);
    });
  }
}

/** Requests answered before the run they start, which ends with a stop. */
const RUNS = new Set(['continue', 'reverseContinue', 'next', 'stepBack', 'stepIn', 'stepOut', 'goto', 'restartFrame', 'liferaft/goto']);

export const dapTarget: FuzzTarget<{ command: string; args: unknown }> = {
  name: 'dap',
  about: 'DAP requests in random sequences on live debug sessions (a new session every 50 requests)',
  async open() {
    const corpus = [readFileSync(join(ROOT, 'examples', 'default.raftsim'), 'utf8'), ...scenarioCorpus().slice(0, 6)];
    let current: Sequence | null = null;
    let left = 0;
    const pool = { frames: [] as number[], refs: [] as number[], lines: [1, 2, 3, 5, 8], path: '/w/fuzz.raftsim' };
    const start = async (r: Rng): Promise<Sequence> => {
      current?.session.dispose();
      const text = r.pick(corpus);
      const s = new Sequence(text);
      await s.request('initialize', { adapterID: 'liferaft' });
      const launched = await s.request('launch', { scenario: pool.path, seed: r.between(1, 50), stopOnEntry: true, maxSteps: 3000 });
      if (!launched.success) throw new FuzzFailure(`launch of a corpus scenario refused: ${launched.message}`);
      await s.request('configurationDone', {});
      pool.lines = text.split('\n').map((_, i) => i + 1);
      pool.frames = [];
      pool.refs = [];
      return s;
    };
    let rng: Rng | null = null;
    return {
      make(r) {
        rng = r;
        const { command, args } = dapRequest(r, pool);
        return { command, args };
      },
      async run(input) {
        if (current === null || left <= 0) {
          current = await start(rng!);
          left = 50;
        }
        left--;
        const s = current;
        const stops = s.stops;
        const resp = await s.request(input.command, input.args);
        // A request that starts a run is judged once the run has stopped (errors inside it show then).
        if (resp.success && RUNS.has(input.command)) await s.stopAfter(stops, input.command);
        await new Promise((res) => setImmediate(res));
        if (s.internal.length > 0) {
          const e = s.internal.splice(0)[0];
          throw e instanceof Error ? e : new Error(String(e));
        }
        if (!resp.success) {
          const message = resp.message ?? '';
          const body = (resp.body as { error?: { format?: string } } | undefined)?.error?.format ?? message;
          if (body.trim() === '') throw new FuzzFailure(`${input.command}: refused without a message`);
          if (INTERNAL.test(body)) throw new FuzzFailure(`${input.command}: an internal error as the refusal: ${body}`);
          if (input.command === 'disconnect') left = 0;
          return { kind: 'refused', message: `${input.command}: ${body}` };
        }
        // Answers feed the next requests: frames, variable references.
        const b = resp.body as Record<string, unknown> | undefined;
        if (input.command === 'stackTrace') pool.frames = ((b?.['stackFrames'] as { id: number }[] | undefined) ?? []).map((f) => f.id);
        if (input.command === 'scopes')
          pool.refs.push(...((b?.['scopes'] as { variablesReference: number }[] | undefined) ?? []).map((x) => x.variablesReference));
        if (input.command === 'variables')
          pool.refs.push(...((b?.['variables'] as { variablesReference: number }[] | undefined) ?? []).map((x) => x.variablesReference).filter((x) => x > 0));
        if (pool.refs.length > 200) pool.refs.splice(0, 100);
        if (input.command === 'disconnect') left = 0;
        return { kind: 'accepted' };
      },
      show: (i) => JSON.stringify({ command: i.command, args: i.args }),
      async close() {
        current?.session.dispose();
      },
    };
  },
};

// ---- TCP frames

const IDS = ['n1', 'n2', 'n3', 'n2', 'n3', 'n4', 'n9', ''];

function entryOf(r: Rng, index: number): unknown {
  const term = r.int(6);
  const kind = r.int(10);
  if (kind < 2) return { index, term, data: { type: 'noop' } };
  if (kind < 3)
    return {
      index,
      term,
      data: { type: 'config', voters: r.pick([['n1', 'n2', 'n3'], ['n1'], ['n2', 'n3', 'n4'], []]), learners: r.chance(0.3) ? ['n4'] : [] },
    };
  return {
    index,
    term,
    data: {
      type: 'command',
      client: `c${r.int(3)}`,
      seq: r.int(5),
      op: r.pick([
        { type: 'put', key: 'k', value: 'v' },
        { type: 'append', key: 'k', value: 'x' },
        { type: 'delete', key: 'k' },
      ]),
    },
  };
}

/** A message of any type, with fields drawn from small ranges (well-formed unless mutated). */
function messageOf(r: Rng): Record<string, unknown> {
  const base = { from: r.pick(IDS.slice(1, 7)), to: r.chance(0.9) ? 'n1' : r.pick(IDS), term: r.int(7) };
  const idx = (): number => r.int(12);
  const prev = idx();
  const bodies: (() => Record<string, unknown>)[] = [
    () => ({ type: 'PreVote', lastLogIndex: idx(), lastLogTerm: r.int(6), round: r.int(3) }),
    () => ({ type: 'PreVoteResp', granted: r.chance(0.5), round: r.int(3) }),
    () => ({ type: 'RequestVote', lastLogIndex: idx(), lastLogTerm: r.int(6), ...(r.chance(0.2) ? { transfer: true } : {}) }),
    () => ({ type: 'RequestVoteResp', granted: r.chance(0.5) }),
    () => ({
      type: 'AppendEntries',
      prevLogIndex: prev,
      prevLogTerm: r.int(6),
      commit: idx(),
      entries: Array.from({ length: r.int(4) }, (_, k) => entryOf(r, prev + 1 + k)),
    }),
    () =>
      r.chance(0.5)
        ? { type: 'AppendEntriesResp', success: true, matchIndex: idx() }
        : { type: 'AppendEntriesResp', success: false, rejectedIndex: idx(), conflictIndex: idx(), conflictTerm: r.int(6) },
    () => ({
      type: 'InstallSnapshot',
      snapshot: {
        index: idx(),
        term: r.int(6),
        data: [['k', 'v']],
        sessions: [['c1', r.int(4), { ok: true, value: null }]],
        ...(r.chance(0.3) ? { config: { voters: ['n1', 'n2'], learners: [] } } : {}),
      },
    }),
    () => ({ type: 'Heartbeat', commit: idx(), readSeq: r.int(5) }),
    () => ({ type: 'HeartbeatResp', readSeq: r.int(5) }),
    () => ({ type: 'ClientForward', request: { client: `c${r.int(3)}`, seq: r.int(5), op: { type: 'get', key: 'k' } } }),
    () => ({ type: 'ClientForwardReply', reply: { client: 'c1', seq: 1, outcome: { status: 'ok', result: { ok: true, value: 'v' } } } }),
    () => ({ type: 'TimeoutNow' }),
  ];
  return { ...r.pick(bodies)(), ...base };
}

/** What a node does with one connection's bytes (net/tcp.ts accept): frames, hello, the message check, the core. */
function deliverBytes(node: NodeState, bytes: Buffer, cuts: readonly number[], secret: string | null): Outcome {
  const d = new FrameDecoder(secret);
  let at = 0;
  const values: unknown[] = [];
  try {
    for (const c of [...cuts, bytes.length]) {
      const next = Math.min(bytes.length, at + c);
      values.push(...d.push(bytes.subarray(at, next)));
      at = next;
    }
  } catch (e) {
    if (!(e instanceof FrameError)) throw e;
    if (!/\S/.test(e.message)) throw new FuzzFailure('a FrameError without a message');
    return { kind: 'refused', message: `frame: ${e.message}` };
  }
  let refusal: string | null = null;
  for (const v of values) {
    if (typeof v === 'object' && v !== null && typeof (v as { hello?: unknown }).hello === 'string') continue;
    const problem = messageProblem(v);
    if (problem !== null) {
      refusal ??= `message: ${problem}`;
      continue;
    }
    const m = v as Message;
    if (m.to !== node.config.id) {
      refusal ??= 'not addressed here';
      continue;
    }
    try {
      step(node, { type: 'receive', message: m });
    } catch (e) {
      // A well-formed message that breaks the protocol (forged: what the cluster secret is for)
      // trips one of the core's assertions, which names the invariant.
      if (!(e instanceof RaftAssertionError)) throw e;
      throw new AssertionStop(e.message);
    }
  }
  return refusal === null ? { kind: 'accepted' } : { kind: 'refused', message: refusal };
}

/** The core stopped on an assertion: the node would stop (fail-stop); counted apart from crashes. */
class AssertionStop extends Error {}

/** One input over a real socket into a live TcpTransport: what it delivered, refused or stopped. */
async function overSocket(port: number, bytes: Buffer, cuts: readonly number[]): Promise<void> {
  const s = connect(port, '127.0.0.1');
  s.on('error', () => undefined);
  await new Promise<void>((r) => {
    s.once('connect', () => r());
    s.once('close', () => r());
  });
  let at = 0;
  for (const c of [...cuts, bytes.length]) {
    const next = Math.min(bytes.length, at + c);
    if (!s.destroyed) s.write(bytes.subarray(at, next));
    at = next;
  }
  // The transport has read it all (or closed the connection) by then.
  await new Promise<void>((r) => {
    const t = setTimeout(r, 25);
    s.once('close', () => (clearTimeout(t), r()));
  });
  s.destroy();
}

export const tcpTarget: FuzzTarget<{ bytes: Buffer; cuts: number[]; secret: string | null; live: boolean }> = {
  name: 'tcp',
  about:
    'peer connections: frames cut anywhere, mutated bytes and messages, into the core (fresh node every 100 inputs); one in 40 over a real socket into a live transport',
  async open() {
    let node: NodeState | null = null;
    let used = 0;
    const fresh = (): NodeState => newNode(makeConfig({ id: nodeId('n1'), peers: ['n1', 'n2', 'n3'].map(nodeId), seed: 1 }));
    // The live transport's node: an assertion inside the socket's handler would stop a real node;
    // here it is caught and counted as such, anything else escapes as a crash.
    let liveNode = fresh();
    let delivered = 0;
    let stopped: string | null = null;
    const logs: string[] = [];
    const peer = { host: '127.0.0.1', port: 1 };
    const live = await TcpTransport.listen({
      self: 'n1',
      listen: { host: '127.0.0.1', port: 0 },
      peers: new Map([
        ['n2', peer],
        ['n3', peer],
      ]),
      log: (l) => logs.push(l),
    });
    live.deliverTo((m) => {
      try {
        step(liveNode, { type: 'receive', message: m });
        delivered++;
      } catch (e) {
        if (!(e instanceof RaftAssertionError)) throw e;
        stopped = e.message;
        liveNode = fresh();
      }
    });
    return {
      make(r) {
        const secret = r.chance(0.3) ? 's3cret' : null;
        const signer = secret !== null && r.chance(0.9) ? secret : r.chance(0.5) ? 'wrong' : null;
        const frames: Buffer[] = [];
        if (r.chance(0.7)) frames.push(encodeFrame({ hello: r.pick(IDS), host: '127.0.0.1', port: r.between(1, 65535) }, signer));
        for (let k = r.between(1, 6); k > 0; k--) {
          const m = messageOf(r);
          frames.push(encodeFrame(r.chance(0.25) ? mutateJson(r, m) : m, signer));
        }
        let bytes = Buffer.concat(frames);
        if (r.chance(0.3)) {
          // Damage the bytes: a flipped byte, a cut, garbage appended, a header field changed.
          bytes = Buffer.from(bytes);
          const i = r.int(bytes.length);
          const how = r.int(4);
          if (how === 0) bytes[i] = r.int(256);
          else if (how === 1) bytes = bytes.subarray(0, i);
          else if (how === 2) bytes = Buffer.concat([bytes, Buffer.from(randomString(r, 20))]);
          else bytes.writeUInt32LE(r.pick([0, 1, 0xffffffff, 16 * 1024 * 1024 + 1, r.int(100)]), Math.min(4, Math.max(0, bytes.length - 4)));
        }
        const cuts = Array.from({ length: r.int(6) }, () => r.int(40));
        return { bytes, cuts, secret, live: r.chance(1 / 40) };
      },
      async run(input) {
        if (input.live) {
          const before = delivered;
          logs.length = 0;
          stopped = null;
          await overSocket(live.port, input.bytes, input.cuts);
          if (stopped !== null) return { kind: 'stopped', message: `core assertion: ${stopped}` };
          if (delivered > before) return { kind: 'accepted' };
          const line = logs[logs.length - 1];
          if (line !== undefined && line.trim() === '') throw new FuzzFailure('an empty log line for a refusal');
          return { kind: 'refused', message: `live: ${line ?? 'nothing delivered'}` };
        }
        if (node === null || used++ >= 100) {
          node = fresh();
          used = 0;
        }
        try {
          return deliverBytes(node, input.bytes, input.cuts, input.secret);
        } catch (e) {
          if (!(e instanceof AssertionStop)) throw e;
          node = null;
          return { kind: 'stopped', message: `core assertion: ${e.message}` };
        }
      },
      show: (i) => JSON.stringify({ bytes: i.bytes.toString('base64'), cuts: i.cuts, secret: i.secret, live: i.live }),
      close: () => live.close(),
    };
  },
};

// ---- HTTP

interface HttpInput {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
  /** Bytes sent as they are, on a connection of their own (not HTTP a client library would send). */
  readonly raw: string | null;
  /** The raw bytes are a whole, well-formed request: no answer is a failure. */
  readonly whole?: boolean;
}

const KEYS = ['k', 'a/b', 'x%2Fy', '%zz', '%', '', '..', 'é', '%00', 'k'.repeat(1100), '🚀', 'k?x=1', 'k#f'];

function httpInput(r: Rng): HttpInput {
  if (r.chance(0.005)) return { method: 'RAW', path: '', headers: {}, body: undefined, raw: `GET /kv/k?timeout=200 HTTP/1.1\r\nHost: x\r\n\r\n`, whole: true };
  if (r.chance(0.03)) {
    const raw = r.pick([
      `GET /kv/k HTTP/1.1\r\nHost: x\r\n\r\n`,
      `BREW /kv/k HTTP/1.1\r\n\r\n`,
      `GET /kv/${randomString(r, 10)} HTTP/1.1\r\nContent-Length: -1\r\n\r\n`,
      `PUT /kv/k HTTP/1.1\r\nContent-Length: 5\r\n\r\n{"val`,
      `${randomString(r, 40)}\r\n\r\n`,
      `POST /kv/k HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`,
    ]);
    return { method: 'RAW', path: '', headers: {}, body: undefined, raw };
  }
  const method = r.chance(0.95)
    ? r.pick(['GET', 'PUT', 'POST', 'DELETE', 'GET', 'PUT', 'HEAD', 'PATCH', 'OPTIONS'])
    : randomString(r, 5).replace(/[^A-Z]/gi, '') || 'X';
  const route = r.int(10);
  let path: string;
  if (route < 6) path = `/kv/${r.chance(0.85) ? encodeURIComponent(r.pick(['k', 'a', 'b'])) : r.pick(KEYS)}`;
  else if (route === 6) path = r.pick(['/status', '/health', '/members', '/members/n9', '/members/n1', '/members/', '/transfer']);
  else path = r.pick(['/', '/kv', '/kv/', '//kv/k', '/KV/k', `/${randomString(r, 8)}`]);
  const q: string[] = [];
  if (r.chance(0.8)) q.push(`timeout=${r.chance(0.9) ? r.between(1, 300) : r.pick(['-1', 'x', '1e9', '', '0.5', '99999999'])}`);
  if (r.chance(0.15)) q.push(`consistency=${r.pick(['serializable', 'linearizable', 'stale', ''])}`);
  if (q.length > 0) path += `?${q.join('&')}`;
  const headers: Record<string, string> = {};
  if (r.chance(0.5)) headers['content-type'] = r.pick(['application/json', 'text/plain', 'x']);
  if (r.chance(0.2)) {
    headers['liferaft-client'] = r.pick(['c1', 'c2', '', 'x'.repeat(300)]);
    headers['liferaft-seq'] = r.pick(['1', '2', '0', '-1', 'x', '1e99', String(r.int(50))]);
  }
  const bodies = [
    () => JSON.stringify({ value: r.pick(['v', '', 'é', 'x'.repeat(r.int(2000))]) }),
    () =>
      JSON.stringify({ op: r.pick(['cas', 'append', 'cas', 'append', 'x']), expected: r.pick([null, 'v', 'v', 3]), value: r.pick(['w', 'w', 'w', 7, null]) }),
    () => JSON.stringify({ to: r.pick(['n1', 'n2', '', 5]) }),
    () =>
      JSON.stringify({
        id: r.pick(['n4', 'n1', '', 'bad id']),
        peer: r.pick(['127.0.0.1:1', 'x', '127.0.0.1:99999', '']),
        http: r.pick([undefined, '127.0.0.1:2', 'x']),
      }),
    () => JSON.stringify(mutateJson(r, { value: 'v', op: 'cas', expected: null })),
    () => randomString(r, 40),
    () => '',
    () => 'null',
    () => '[]',
    () => `{"value": "${'x'.repeat(70_000)}"}`,
  ];
  // Mostly what the route takes (a value to PUT, a cas or append to POST), so requests also get through.
  const fitting = path.startsWith('/kv/') && r.chance(0.6) ? (method === 'PUT' ? bodies[0] : method === 'POST' ? bodies[1] : undefined) : undefined;
  const body = method === 'GET' || method === 'HEAD' ? undefined : fitting !== undefined ? fitting() : r.chance(0.9) ? r.pick(bodies)() : undefined;
  return { method, path, headers, body, raw: null };
}

function send(agent: Agent, base: string, i: HttpInput): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${i.path}`,
      { method: i.method, agent, headers: { ...i.headers, ...(i.body === undefined ? {} : { 'content-length': Buffer.byteLength(i.body) }) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(15_000, () => req.destroy(new FuzzFailure('no answer in 15 s')));
    req.end(i.body);
  });
}

function sendRaw(port: number, raw: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    s.on('data', (c: Buffer) => (got += c.toString()));
    s.on('error', () => undefined);
    s.on('close', () => resolve(got));
    s.write(raw);
    setTimeout(() => s.end(), 100);
    setTimeout(() => s.destroy(), 3000);
  });
}

export const httpTarget: FuzzTarget<HttpInput> = {
  name: 'http',
  about: 'HTTP requests against a real single-node cluster on 127.0.0.1 (API, core, WAL with fsync)',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'liferaft-fuzz-http-'));
    const node: RunningNode = await startNode({
      id: 'n1',
      listen: { host: '127.0.0.1', port: 0 },
      peers: new Map(),
      dataDir: dir,
      http: { host: '127.0.0.1', port: 0 },
      tickMs: 10,
    });
    const base = `http://127.0.0.1:${node.httpPort}`;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    // A leader first (a single node elects itself).
    for (let k = 0; k < 300 && (await fetch(`${base}/health`)).status !== 200; k++) await new Promise((r) => setTimeout(r, 10));
    return {
      make: httpInput,
      async run(i) {
        if (i.raw !== null) {
          const got = await sendRaw(node.httpPort!, i.raw);
          const status = Number(/^HTTP\/1\.1 (\d+)/.exec(got)?.[1] ?? 0);
          if (status === 0 && i.whole === true) throw new FuzzFailure(`a well-formed request got no answer: ${JSON.stringify(i.raw)}`);
          if (status >= 500) throw new FuzzFailure(`raw request answered ${status}: ${got.slice(0, 200)}`);
          // (Node's HTTP parser answers what it cannot parse with 400 and closes; a valid one is served.)
          return status >= 200 && status < 300
            ? { kind: 'accepted' }
            : { kind: 'refused', message: `raw: ${got === '' ? '(closed without an answer)' : got.split('\r\n')[0]}` };
        }
        const res = await send(agent, base, i);
        if (res.status >= 500 && res.status !== 503 && res.status !== 504)
          throw new FuzzFailure(`${i.method} ${i.path}: ${res.status} ${res.text.slice(0, 300)}`);
        if (res.status < 400) return { kind: 'accepted' };
        // (A HEAD answer has no body to read the error from.)
        if (i.method === 'HEAD') return { kind: 'refused', message: `HEAD answered ${res.status} (no body)` };
        let error: unknown;
        try {
          error = (JSON.parse(res.text) as { error?: unknown }).error;
        } catch {
          throw new FuzzFailure(`${i.method} ${i.path}: ${res.status} with a body that is not JSON: ${res.text.slice(0, 200)}`);
        }
        if (typeof error !== 'string' || error.trim() === '') throw new FuzzFailure(`${i.method} ${i.path}: ${res.status} without an error message`);
        if (INTERNAL.test(error)) throw new FuzzFailure(`${i.method} ${i.path}: an internal error as the refusal: ${error}`);
        return { kind: 'refused', message: `${res.status} ${error}` };
      },
      show: (i) => JSON.stringify(i),
      async close() {
        agent.destroy();
        await node.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};
