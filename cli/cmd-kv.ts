// liferaft kv: a client of the real cluster's HTTP API (net/http-api.ts), one command or an
// interactive prompt like the original LifeRaft's, printing `ok`, the value, or `key not found`.
// Writes carry this client's session (LifeRaft-Client + LifeRaft-Seq), so a write retried on another
// node after a timeout or a dead connection is applied at most once.
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { UsageError, type Io } from './args';

export const KV_USAGE = `usage: liferaft kv [--endpoints URL,...] [--timeout MS] [COMMAND]
commands:  get KEY · set KEY VALUE · del KEY · cas KEY OLD NEW · append KEY SUFFIX · status
  Without a command: an interactive prompt (the same commands; help; exit).
  Endpoints default to $LIFERAFT_ENDPOINTS, else http://127.0.0.1:8001,8002,8003 (npm run cluster).
  https:// endpoints work with nodes started with --client-cert; for a private CA set
  NODE_EXTRA_CA_CERTS=ca.crt (client certificates, --client-ca, are not supported here: use curl).
  Exit: 0 ok · 1 key not found or cas mismatch · 2 cluster unavailable or outcome unknown ·
  64 usage or input refused (bad request, value too large).`;

export const KV_EXIT = { ok: 0, no: 1, unavailable: 2, usage: 64 } as const;

const DEFAULT_ENDPOINTS = 'http://127.0.0.1:8001,http://127.0.0.1:8002,http://127.0.0.1:8003';

interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
  /** A write that went unanswered or timed out on some try: it may be applied. */
  readonly maybeApplied: boolean;
}

interface Answer {
  readonly lines: string[];
  readonly code: number;
}

export class KvClient {
  readonly client = `kv-${randomBytes(6).toString('hex')}`;
  private seq = 0;
  /** The endpoint that answered last is tried first. */
  private preferred = 0;

  constructor(
    readonly endpoints: readonly string[],
    private readonly timeoutMs: number,
  ) {}

  async run(words: readonly string[]): Promise<Answer> {
    const [cmd, ...args] = words;
    const need = (n: number, usage: string): void => {
      if (args.length !== n) throw new UsageError(`usage: ${usage}`);
    };
    const path = (k: string): string => `/kv/${encodeURIComponent(k)}`;
    switch (cmd) {
      case 'get': {
        need(1, 'get KEY');
        const r = await this.http('GET', path(args[0]!), undefined, false);
        if (r.status === 200) return { lines: [String(r.body['value'])], code: KV_EXIT.ok };
        return this.other(r);
      }
      case 'set':
      case 'put': {
        need(2, 'set KEY VALUE');
        const r = await this.http('PUT', path(args[0]!), { value: args[1] }, true);
        return r.status === 200 ? { lines: ['ok'], code: KV_EXIT.ok } : this.other(r);
      }
      case 'del':
      case 'delete': {
        need(1, 'del KEY');
        const r = await this.http('DELETE', path(args[0]!), undefined, true);
        return r.status === 200 ? { lines: ['ok'], code: KV_EXIT.ok } : this.other(r);
      }
      case 'cas': {
        need(3, 'cas KEY OLD NEW');
        const r = await this.http('POST', path(args[0]!), { op: 'cas', expected: args[1], value: args[2] }, true);
        if (r.status === 200) return { lines: ['ok'], code: KV_EXIT.ok };
        if (r.status === 409 && 'value' in r.body) {
          const cur = r.body['value'];
          return { lines: [cur === null ? 'cas failed: key not found' : `cas failed: the value is ${JSON.stringify(cur)}`], code: KV_EXIT.no };
        }
        return this.other(r);
      }
      case 'append': {
        need(2, 'append KEY SUFFIX');
        const r = await this.http('POST', path(args[0]!), { op: 'append', value: args[1] }, true);
        return r.status === 200 ? { lines: [String(r.body['value'])], code: KV_EXIT.ok } : this.other(r);
      }
      case 'status': {
        need(0, 'status');
        const lines: string[] = [];
        for (const e of this.endpoints) {
          try {
            const res = await fetch(`${e}/status`, { signal: AbortSignal.timeout(2000) });
            const s = (await res.json()) as Record<string, unknown>;
            lines.push(
              `${e}  ${String(s['id'])}  ${String(s['role'])}  term ${String(s['term'])}  leader ${String(s['leader'] ?? '-')}  commit ${String(s['commit'])}  keys ${String(s['keys'])}`,
            );
          } catch (err) {
            lines.push(`${e}  unreachable (${describe(err)})`);
          }
        }
        return { lines, code: KV_EXIT.ok };
      }
      default:
        throw new UsageError(`unknown command ${JSON.stringify(cmd ?? '')} (get, set, del, cas, append, status)`);
    }
  }

  private other(r: Reply): Answer {
    if (r.status === 404 && r.body['error'] === 'key not found') return { lines: ['key not found'], code: KV_EXIT.no };
    const msg = typeof r.body['error'] === 'string' ? r.body['error'] : `HTTP ${r.status}`;
    // A write that timed out or lost its connection somewhere may still be applied, whatever the last
    // node said: say so rather than repeat a later "not applied".
    if (r.maybeApplied && (r.status >= 500 || r.status === 0))
      return { lines: [`error: outcome unknown: the write may or may not be applied (last: ${msg})`], code: KV_EXIT.unavailable };
    if (r.status === 400 || r.status === 405 || r.status === 413) return { lines: [`error: ${msg}`], code: KV_EXIT.usage };
    return { lines: [`error: ${msg}`], code: r.status >= 500 || r.status === 0 ? KV_EXIT.unavailable : KV_EXIT.no };
  }

  /**
   * One request, tried at each endpoint in turn (starting with the last that answered) until one
   * answers with something other than "unavailable" / "timed out" or the deadline passes. A write
   * keeps one seq across every try, so it is applied at most once.
   */
  private async http(method: string, path: string, body: unknown, write: boolean): Promise<Reply> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (write) {
      headers['liferaft-client'] = this.client;
      headers['liferaft-seq'] = String(++this.seq);
    }
    const deadline = Date.now() + this.timeoutMs;
    let last: Reply | null = null;
    /** Why each endpoint did not answer (the last reason for each). */
    const errors = new Map<string, string>();
    let maybeApplied = false;
    for (let i = 0; Date.now() < deadline; i++) {
      const at = (this.preferred + i) % this.endpoints.length;
      const left = Math.max(1, deadline - Date.now());
      try {
        const res = await fetch(`${this.endpoints[at]}${path}?timeout=${Math.min(left, 5000)}`, {
          method,
          headers,
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(left + 1000),
        });
        const parsed = (await res.json().catch(() => ({ error: `HTTP ${res.status} without a JSON body` }))) as Record<string, unknown>;
        if (res.status === 504 && write) maybeApplied = true;
        last = { status: res.status, body: parsed, maybeApplied };
        if (res.status !== 503 && res.status !== 504) {
          this.preferred = at;
          return last;
        }
      } catch (err) {
        const why = describe(err);
        // Refused before anything was sent (no connection, or a TLS handshake that failed): not
        // applied. Otherwise the request may have arrived.
        if (write && why !== 'ECONNREFUSED' && !NOT_SENT.test(why)) maybeApplied = true;
        errors.set(this.endpoints[at]!, `${why}${hint(this.endpoints[at]!, why)}`);
      }
      if (i % this.endpoints.length === this.endpoints.length - 1) await new Promise((r) => setTimeout(r, 100));
    }
    if (last !== null) return { ...last, maybeApplied };
    const whys = [...errors].map(([e, why]) => `${e}: ${why}`).join('; ');
    return { status: 0, body: { error: `no endpoint answered (${whys})` }, maybeApplied };
  }
}

/** Failures of the TLS handshake: the request was never sent. */
const NOT_SENT = /CERT|SELF_SIGNED|UNABLE_TO_|ALTNAME|ERR_SSL_|ERR_TLS_/;

/** What a user can do about a connection failure, when we can tell. */
function hint(endpoint: string, why: string): string {
  if (/ERR_SSL_WRONG_VERSION_NUMBER|ERR_SSL_PACKET_LENGTH_TOO_LONG/.test(why)) return ' — the node does not speak TLS there: use http://';
  if (/CERT|SELF_SIGNED|UNABLE_TO_/.test(why) && !/ALTNAME/.test(why))
    return " — the node's certificate is not trusted: for a private CA, set NODE_EXTRA_CA_CERTS=ca.crt";
  if (/ALTNAME/.test(why)) return " — the node's certificate does not name this address: use the name or IP it was made for";
  if (why === 'UND_ERR_SOCKET')
    return endpoint.startsWith('http:')
      ? ' — the connection was closed: if the node serves HTTPS (--client-cert), use https://'
      : ' — the connection was closed: if the node asks for client certificates (--client-ca), use curl --cert/--key';
  return '';
}

function describe(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e as Error).message ?? String(e);
}

/** Splits a prompt line into words; "double quotes" keep spaces and \" escapes. */
export function splitWords(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!);
  return out;
}

/** --endpoints (else $LIFERAFT_ENDPOINTS, else the local cluster of \`npm run cluster\`) as URLs. */
export function endpointsOption(raw: string | undefined): string[] {
  const endpoints = (raw ?? process.env['LIFERAFT_ENDPOINTS'] ?? DEFAULT_ENDPOINTS)
    .split(',')
    .map((s) => s.trim().replace(/\/+$/, ''))
    .filter((s) => s !== '')
    // A bare port is this machine's, as for \`liferaft node --http\`; a bare HOST:PORT is http.
    .map((s) => (/^\d+$/.test(s) ? `http://127.0.0.1:${s}` : /^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? s : `http://${s}`));
  if (endpoints.length === 0) throw new UsageError('--endpoints: no endpoint given');
  for (const e of endpoints) {
    let u: URL;
    try {
      u = new URL(e);
    } catch {
      throw new UsageError(`--endpoints: ${JSON.stringify(e)} is not a URL`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`--endpoints: ${e} is not an http:// or https:// URL`);
    if (u.pathname !== '/' || u.search !== '') throw new UsageError(`--endpoints: ${e} has a path; give the node's address only (http://HOST:PORT)`);
  }
  return endpoints;
}

/** --timeout MS of a cluster client (default 10 s). */
export function timeoutOption(raw: string | undefined): number {
  const timeout = raw === undefined ? 10_000 : Number(raw);
  if (!Number.isSafeInteger(timeout) || timeout < 1) throw new UsageError('--timeout must be a positive integer (ms)');
  return timeout;
}

export async function kvCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { endpoints: { type: 'string' }, timeout: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help === true) {
    io.out(KV_USAGE);
    return KV_EXIT.ok;
  }
  const endpoints = endpointsOption(values.endpoints);
  const timeout = timeoutOption(values.timeout);
  const kv = new KvClient(endpoints, timeout);
  if (positionals.length > 0) {
    const a = await kv.run(positionals);
    for (const l of a.lines) (a.code === KV_EXIT.unavailable ? io.err : io.out)(l);
    return a.code;
  }
  return prompt(kv, io);
}

async function prompt(kv: KvClient, io: Io): Promise<number> {
  const tty = process.stdin.isTTY === true;
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: tty, prompt: '> ' });
  if (tty) {
    io.out(`connected to ${kv.endpoints.join(', ')} — get KEY · set KEY VALUE · del KEY · cas KEY OLD NEW · append KEY SUFFIX · status · exit`);
    rl.prompt();
  }
  for await (const line of rl) {
    const words = splitWords(line);
    if (words.length > 0) {
      if (words[0] === 'exit' || words[0] === 'quit') break;
      if (words[0] === 'help') io.out(KV_USAGE);
      else {
        try {
          for (const l of (await kv.run(words)).lines) io.out(l);
        } catch (e) {
          io.out(e instanceof UsageError ? e.message : `error: ${(e as Error).message}`);
        }
      }
    }
    if (tty) rl.prompt();
  }
  rl.close();
  return KV_EXIT.ok;
}
