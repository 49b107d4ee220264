// The client API of a node over HTTP/JSON. Every operation is linearizable: writes go through the
// log, reads through ReadIndex at the leader (thesis §6.4); a follower relays both to the leader
// (core ClientForward), and answers 503 with the leader it knows when there is none to relay to.
//
//   GET    /kv/KEY                          → 200 {"key","value"} · 404 key not found
//   GET    /kv/KEY?consistency=serializable → the same from this node's own state machine, at once, with
//                                             no round to the leader: it may be stale (etcd's serializable
//                                             read); {"applied"} says how far this node had applied
//   PUT    /kv/KEY   {"value": "v"}         → 200 {"key","value"}
//   DELETE /kv/KEY                          → 200 {"key","deleted":true} · 404 key not found
//   POST   /kv/KEY   {"op":"cas","expected": "old" | null,"value":"new"}
//                                           → 200 {"key","value","swapped":true} · 409 {"error","value": current}
//   POST   /kv/KEY   {"op":"append","value":"suffix"} → 200 {"key","value": new value}
//   GET    /status                          → this node's role, term, leader, indexes, WAL and fsync counts
//   POST   /transfer {"to": "n2"}           → 200 {"leader","term"} once n2 leads (thesis §3.10) · 400 not a
//                                             member · 409 it already leads (any node says so) · 503 this node
//                                             does not lead ({"leader"}: the one that does) · 504 given up:
//                                             leadership did not move (a TimeoutNow already sent may still
//                                             reach n2 later and start an election)
//   GET    /members                         → 200 {"voters","learners","index","committed","addresses"}: the
//                                             configuration in force here (thesis chapter 4)
//   POST   /members {"id","peer","http"?}   → 200 once id is a voter of a committed configuration: added as a
//                                             learner, caught up, promoted (§4.2.1) · 400 bad input · 409 a
//                                             member already, or another change pending · 503 this node does
//                                             not lead ({"leader"}) · 504 not caught up in time (still a learner)
//   DELETE /members/ID                      → 200 once a configuration without ID is committed · 404 not a
//                                             member · 409 the last voter, a quorum would be lost, or another
//                                             change pending · 503 this node does not lead · 504 not committed in time
//
// KEY is the rest of the path, percent-decoded (it may contain "/"). Optional headers
// `LifeRaft-Client` + `LifeRaft-Seq` make a client's retries exactly-once across nodes (its session);
// `?timeout=MS` bounds the wait (default 5000). Errors are JSON {"error": "..."}:
// 400 bad input · 404 unknown route or key · 405 method · 409 cas mismatch or stale seq · 413 too
// large · 503 no leader (definitely not applied; Retry-After) · 504 a write timed out and may or may
// not be applied ("indeterminate": true).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { TlsFiles } from './tls';
import { MAX_VALUE_LENGTH, type KvOp, type KvResult } from '../core';
import type { CallResult, Requester } from './requester';

export const LIMITS = {
  /** Bytes of a key (UTF-8). */
  keyBytes: 1024,
  /** Bytes of a value as JSON (so a batch of 64 entries stays far below the frame limit). */
  valueBytes: 64 * 1024,
  /** Bytes of a request body. */
  bodyBytes: 192 * 1024,
  timeoutMs: 60_000,
} as const;

export interface NodeStatus {
  readonly [k: string]: unknown;
}

/** What a membership change came to (see the /members routes). */
export type MembershipOutcome =
  | { readonly kind: 'done'; readonly config: MembersBody }
  | { readonly kind: 'refused'; readonly status: 400 | 404 | 409 | 503 | 504; readonly error: string; readonly leader?: string | null };

/** GET /members. */
export interface MembersBody {
  readonly voters: readonly string[];
  readonly learners: readonly string[];
  /** The index of the configuration's entry (0: the bootstrap configuration). */
  readonly index: number;
  readonly committed: boolean;
  /** Where members listen, as this node knows it: {"n4": {"peer": "127.0.0.1:7004", "http": "http://…"}}. */
  readonly addresses: Readonly<Record<string, { readonly peer: string; readonly http?: string }>>;
}

/** What a transfer request came to (see the /transfer route). */
export type TransferOutcome =
  | { readonly kind: 'done'; readonly leader: string; readonly term: number }
  | { readonly kind: 'refused'; readonly status: 400 | 409 | 503; readonly error: string; readonly leader?: string | null }
  | { readonly kind: 'timeout'; readonly error: string };

export interface ApiOptions {
  readonly requester: Requester;
  readonly status: () => NodeStatus;
  /** A key as this node's state machine holds it now (GET ?consistency=serializable). */
  readonly localRead?: (key: string) => { readonly value: string | null; readonly applied: number };
  /** Hands leadership to a member and waits until it leads or the transfer is given up. */
  readonly transfer?: (to: string, timeoutMs: number) => Promise<TransferOutcome>;
  /** The configuration in force. */
  readonly members?: () => MembersBody;
  /** Adds (with its addresses) or removes a member and waits until the change is committed (an added one promoted). */
  readonly changeMembership?: (
    change:
      | { readonly action: 'add'; readonly id: string; readonly peer: string; readonly http: string | null }
      | { readonly action: 'remove'; readonly id: string },
    timeoutMs: number,
  ) => Promise<MembershipOutcome>;
  readonly defaultTimeoutMs?: number;
  /** Requests served at once (default 4096); more are answered 503 with Retry-After at once. */
  readonly maxInFlight?: number;
  /** The client addresses of the other nodes, for "ask the leader" answers (by node id). */
  readonly peerHttp?: ReadonlyMap<string, string>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** The API over HTTP, or over HTTPS with `tls` (and, when it has a CA, only for clients with a certificate from it). */
export function createApiServer(o: ApiOptions, tls: TlsFiles | null = null): Server {
  const max = o.maxInFlight ?? 4096;
  let inFlight = 0;
  /** Requests being served, per connection (a pipelining client may have several). */
  const serving = new WeakMap<object, number>();
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    if (inFlight >= max && req.url !== '/status' && req.url !== '/health') {
      send(res, 503, { error: `overloaded: ${inFlight} requests in flight here (limit ${max}); not applied, retry later` }, { 'retry-after': '1' });
      return;
    }
    // Released once, when the answer is done or the connection goes (a pipelined request queued
    // behind another never gets a 'close' of its own response).
    const socket = req.socket;
    inFlight++;
    serving.set(socket, (serving.get(socket) ?? 0) + 1);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      inFlight--;
      serving.set(socket, (serving.get(socket) ?? 1) - 1);
      socket.off('close', release);
    };
    res.once('close', release);
    socket.once('close', release);
    handle(o, req, res).catch((e: unknown) => {
      if (e instanceof HttpError) send(res, e.status, { error: e.message, ...e.extra });
      else send(res, 500, { error: `internal error: ${e instanceof Error ? e.message : String(e)}` });
    });
  };
  const server: Server =
    tls === null
      ? createServer(handler)
      : createHttpsServer({ cert: tls.cert, key: tls.key, ...(tls.ca === null ? {} : { ca: tls.ca, requestCert: true, rejectUnauthorized: true }) }, handler);
  // What Node's HTTP parser refuses (an unknown method, a bad header, a body longer than its
  // Content-Length…) is answered in the API's own form: a status and {"error"}.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // A request on this connection is still being served (the bad bytes came after it): an answer
    // written now would be read as its answer. Reset instead — the client then knows nothing of
    // that request's outcome, which is the truth.
    if (err.code === 'ECONNRESET' || !socket.writable || (serving.get(socket) ?? 0) > 0 || (socket as { _httpMessage?: unknown })._httpMessage != null) {
      socket.destroy();
      return;
    }
    const [status, reason] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large']
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout']
          : [400, 'Bad Request'];
    const body = `${JSON.stringify({ error: `malformed HTTP request: ${err.code ?? 'unparsable'}${'reason' in err && typeof err.reason === 'string' ? ` (${err.reason})` : ''}` })}\n`;
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  server.keepAliveTimeout = 30_000;
  // A slow or stuck client holds one socket, never the node.
  server.requestTimeout = LIMITS.timeoutMs + 10_000;
  server.headersTimeout = 10_000;
  return server;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

async function handle(o: ApiOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = requestUrl(req.url ?? '/');
  const method = req.method ?? 'GET';
  if (url.pathname === '/status' || url.pathname === '/health') {
    if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, `${method} is not allowed on ${url.pathname} (use GET)`);
    const status = o.status();
    send(res, url.pathname === '/health' && status['leader'] === null ? 503 : 200, status);
    return;
  }
  if (url.pathname === '/transfer') return transfer(o, req, res, url);
  if (url.pathname === '/members' || url.pathname.startsWith('/members/')) return members(o, req, res, url);
  if (!url.pathname.startsWith('/kv/')) throw new HttpError(404, `no such route ${url.pathname} (routes: /kv/KEY, /status, /health, /transfer, /members)`);
  let key: string;
  try {
    key = decodeURIComponent(url.pathname.slice('/kv/'.length));
  } catch {
    throw new HttpError(400, 'the key is not valid percent-encoding');
  }
  if (key === '') throw new HttpError(400, 'empty key: use /kv/KEY');
  if (Buffer.byteLength(key) > LIMITS.keyBytes) throw new HttpError(413, `key of ${Buffer.byteLength(key)} bytes exceeds the ${LIMITS.keyBytes}-byte limit`);
  const timeoutMs = timeoutOf(url, o.defaultTimeoutMs ?? 5000);
  const session = sessionOf(req);
  if (method !== 'GET' && method !== 'HEAD' && url.searchParams.has('consistency'))
    throw new HttpError(400, `consistency is a read option: ${method} always goes through the log`);

  let op: KvOp;
  switch (method) {
    case 'GET':
      if (serializable(url)) return localGet(o, res, key);
      op = { type: 'get', key };
      break;
    case 'DELETE':
      op = { type: 'delete', key };
      break;
    case 'PUT': {
      const body = await readJson(req);
      op = { type: 'put', key, value: valueField(body, 'value') };
      break;
    }
    case 'POST': {
      const body = await readJson(req);
      const kind = body['op'];
      if (kind === 'cas') {
        const expected = body['expected'];
        if (!('expected' in body) || (expected !== null && typeof expected !== 'string'))
          throw new HttpError(400, '"expected" must be a string, or null for "the key is absent"');
        op = { type: 'cas', key, expected: expected as string | null, value: valueField(body, 'value') };
      } else if (kind === 'append') {
        op = { type: 'append', key, value: valueField(body, 'value') };
      } else {
        throw new HttpError(400, `"op" must be "cas" or "append" (got ${JSON.stringify(kind)}); use PUT to set a value`);
      }
      break;
    }
    default:
      res.setHeader('allow', 'GET, PUT, DELETE, POST');
      throw new HttpError(405, `${method} is not allowed on /kv/KEY (GET, PUT, DELETE, POST)`);
  }
  const result = await o.requester.call(op, { timeoutMs, ...(session === null ? {} : { session }) });
  answer(o, res, op, result);
}

/**
 * The request target as a URL on this node. Resolved against a base, "//x/y" would name a host;
 * here it is a path, and a target that is no path at all is refused.
 */
function requestUrl(target: string): URL {
  try {
    // The absolute form (RFC 9112 §3.2.2: "GET http://host/kv/x") names the path after its authority.
    if (/^https?:\/\//i.test(target)) {
      const u = new URL(target);
      return new URL(`http://node${u.pathname}${u.search}`);
    }
    return new URL(`http://node${target.startsWith('/') ? '' : '/'}${target}`);
  } catch {
    throw new HttpError(400, `the request target is not a valid path: ${JSON.stringify(target.slice(0, 100))}`);
  }
}

/** `?consistency=serializable` (or `linearizable`, the default); anything else is refused. */
function serializable(url: URL): boolean {
  const c = url.searchParams.get('consistency');
  if (c === null || c === 'linearizable') return false;
  if (c === 'serializable') return true;
  throw new HttpError(400, `consistency must be "linearizable" (the default) or "serializable" (got ${JSON.stringify(c)})`);
}

/** GET /kv/KEY?consistency=serializable: this node's own copy, however stale. */
function localGet(o: ApiOptions, res: ServerResponse, key: string): void {
  if (o.localRead === undefined) throw new HttpError(404, 'this node serves no serializable reads');
  const r = o.localRead(key);
  if (r.value === null) throw new HttpError(404, 'key not found', { key, applied: r.applied });
  send(res, 200, { key, value: r.value, applied: r.applied });
}

/** POST /transfer {"to": ID}: the leader hands leadership to ID; answered once ID leads, or the transfer was given up. */
async function transfer(o: ApiOptions, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  if (req.method !== 'POST') {
    res.setHeader('allow', 'POST');
    throw new HttpError(405, `${req.method ?? 'GET'} is not allowed on /transfer (POST {"to": "n2"})`);
  }
  if (o.transfer === undefined) throw new HttpError(404, 'this node serves no /transfer');
  const body = await readJson(req, '{"to": "n2"}');
  const to = body['to'];
  if (typeof to !== 'string' || to === '') throw new HttpError(400, '"to" must name a member, e.g. {"to": "n2"}');
  const r = await o.transfer(to, timeoutOf(url, o.defaultTimeoutMs ?? 5000));
  if (r.kind === 'done') return send(res, 200, { leader: r.leader, term: r.term });
  if (r.kind === 'timeout') throw new HttpError(504, r.error);
  throw new HttpError(r.status, r.error, r.leader === undefined ? {} : { leader: r.leader });
}

const ID = /^[A-Za-z0-9_.-]{1,64}$/;
const HOST_PORT = /^[^\s:/]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/;
/** HOST:PORT with a port from 1 to 65535 (a bad one written into the configuration would be on every node). */
function isHostPort(s: string): boolean {
  const port = Number(s.slice(s.lastIndexOf(':') + 1));
  return HOST_PORT.test(s) && port >= 1 && port <= 65535;
}

/** GET /members, POST /members {"id","peer","http"?}, DELETE /members/ID (thesis chapter 4). */
async function members(o: ApiOptions, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  if (o.members === undefined || o.changeMembership === undefined) throw new HttpError(404, 'this node serves no /members');
  const method = req.method ?? 'GET';
  const rest = url.pathname.slice('/members'.length);
  let r: MembershipOutcome;
  if (rest === '' && (method === 'GET' || method === 'HEAD')) return send(res, 200, o.members());
  if (rest === '' && method === 'POST') {
    const body = await readJson(req, '{"id": "n4", "peer": "127.0.0.1:7004", "http": "127.0.0.1:8004"}');
    const id = body['id'];
    const peer = body['peer'];
    const http = body['http'];
    if (typeof id !== 'string' || !ID.test(id)) throw new HttpError(400, '"id" must be a node id (letters, digits, _ . -), e.g. "n4"');
    if (typeof peer !== 'string' || !isHostPort(peer))
      throw new HttpError(400, '"peer" must be where the node listens for peers, HOST:PORT with a port from 1 to 65535 (e.g. "127.0.0.1:7004")');
    if (http !== undefined && http !== null && (typeof http !== 'string' || !isHostPort(http.replace(/^https?:\/\//, ''))))
      throw new HttpError(400, '"http" must be the node\'s client address, [http://]HOST:PORT');
    r = await o.changeMembership({ action: 'add', id, peer, http: typeof http === 'string' ? http : null }, timeoutOf(url, o.defaultTimeoutMs ?? 5000));
  } else if (rest.startsWith('/') && rest.length > 1 && method === 'DELETE') {
    let id: string;
    try {
      id = decodeURIComponent(rest.slice(1));
    } catch {
      throw new HttpError(400, 'the member id is not valid percent-encoding');
    }
    if (!ID.test(id)) throw new HttpError(400, `${JSON.stringify(id)} is not a node id`);
    r = await o.changeMembership({ action: 'remove', id }, timeoutOf(url, o.defaultTimeoutMs ?? 5000));
  } else {
    res.setHeader('allow', rest === '' ? 'GET, POST' : 'DELETE');
    throw new HttpError(
      rest === '' || rest.startsWith('/') ? 405 : 404,
      `${method} ${url.pathname}: use GET /members, POST /members {"id","peer"} or DELETE /members/ID`,
    );
  }
  if (r.kind === 'done') return send(res, 200, r.config);
  throw new HttpError(r.status, r.error, r.leader === undefined ? {} : { leader: r.leader });
}

function answer(o: ApiOptions, res: ServerResponse, op: KvOp, r: CallResult): void {
  const key = op.key;
  switch (r.kind) {
    case 'ok':
      return answerOk(res, op, r.outcome.result);
    case 'stale-sequence':
      throw new HttpError(409, 'stale sequence: this client session already applied a later request (this copy was not applied)');
    case 'unavailable': {
      const extra: Record<string, unknown> = { leader: r.leader };
      const addr = r.leader === null ? undefined : o.peerHttp?.get(r.leader);
      if (addr !== undefined) extra['leaderUrl'] = addr;
      send(res, 503, { error: `unavailable: ${r.reason} (not applied)`, key, ...extra }, { 'retry-after': '1' });
      return;
    }
    case 'indeterminate':
      send(res, 504, { error: `timed out: ${r.reason}; the write may or may not be applied`, key, indeterminate: true, leader: r.leader });
      return;
  }
}

function answerOk(res: ServerResponse, op: KvOp, result: KvResult): void {
  const key = op.key;
  switch (op.type) {
    case 'get':
      if (result.value === null) send(res, 404, { error: 'key not found', key });
      else send(res, 200, { key, value: result.value });
      return;
    case 'delete':
      if (!result.ok) send(res, 404, { error: 'key not found', key });
      else send(res, 200, { key, deleted: true });
      return;
    case 'cas':
      if (!result.ok) send(res, 409, { error: 'compare failed: the current value is not the expected one', key, value: result.value });
      else send(res, 200, { key, value: result.value, swapped: true });
      return;
    case 'put':
    case 'append':
      if (!result.ok) send(res, 413, { error: `the value would exceed the state machine's limit of ${MAX_VALUE_LENGTH} characters (not applied)`, key });
      else send(res, 200, { key, value: result.value });
      return;
  }
}

function timeoutOf(url: URL, fallback: number): number {
  const raw = url.searchParams.get('timeout');
  if (raw === null) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isSafeInteger(n) || n < 1 || n > LIMITS.timeoutMs)
    throw new HttpError(400, `timeout must be an integer number of ms from 1 to ${LIMITS.timeoutMs} (got ${JSON.stringify(raw)})`);
  return n;
}

function sessionOf(req: IncomingMessage): { client: string; seq: number } | null {
  const client = req.headers['liferaft-client'];
  const seqRaw = req.headers['liferaft-seq'];
  if (client === undefined && seqRaw === undefined) return null;
  if (typeof client !== 'string' || client === '' || client.length > 128)
    throw new HttpError(400, 'LifeRaft-Client must be a non-empty id of at most 128 characters (with LifeRaft-Seq)');
  const seq = Number(seqRaw);
  if (typeof seqRaw !== 'string' || !Number.isSafeInteger(seq) || seq < 1)
    throw new HttpError(400, 'LifeRaft-Seq must be a positive integer (with LifeRaft-Client)');
  return { client: `http:${client}`, seq };
}

function valueField(body: Record<string, unknown>, field: string): string {
  const v = body[field];
  if (typeof v !== 'string') throw new HttpError(400, `"${field}" must be a string (got ${v === undefined ? 'nothing' : JSON.stringify(v)?.slice(0, 40)})`);
  const bytes = Buffer.byteLength(JSON.stringify(v));
  if (bytes > LIMITS.valueBytes) throw new HttpError(413, `value of ${bytes} bytes (as JSON) exceeds the ${LIMITS.valueBytes}-byte limit`);
  return v;
}

async function readJson(req: IncomingMessage, example = '{"value": "hello"}'): Promise<Record<string, unknown>> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > LIMITS.bodyBytes) {
    req.resume();
    throw new HttpError(413, `body of ${declared} bytes exceeds the ${LIMITS.bodyBytes}-byte limit`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > LIMITS.bodyBytes) {
      req.resume();
      throw new HttpError(413, `body exceeds the ${LIMITS.bodyBytes}-byte limit`);
    }
    chunks.push(c);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new HttpError(400, `expected a JSON object body, e.g. ${example}`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, `bad JSON: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new HttpError(400, `expected a JSON object body, e.g. ${example}`);
  return v as Record<string, unknown>;
}
