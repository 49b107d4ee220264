// liferaft member: the real cluster's members, as an operator sees them. `list` asks each endpoint
// for its /status; `transfer ID` finds the leader and asks it to hand leadership to ID (thesis §3.10,
// POST /transfer), waiting until ID leads or the transfer is given up; `add` and `remove` change the
// configuration by one server (thesis §4.1, POST /members and DELETE /members/ID), waiting until the
// change is committed (an added node promoted to voter once it caught up).
import { parseArgs } from 'node:util';
import { UsageError, type Io } from './args';
import { endpointsOption, timeoutOption } from './cmd-kv';

export const MEMBER_USAGE = `usage: liferaft member [--endpoints URL,...] [--timeout MS] COMMAND [--json]
  list                          every endpoint's node: id, role, term, the leader it knows, commit and
                                applied index; then the configuration (voters, learners)
  add ID HOST:PORT [--http ADDR]
                                add node ID, listening for peers at HOST:PORT (started with liferaft node
                                --join): a learner until it has caught up, then a voter; answered once
                                it is a voter
  remove ID                     remove member ID (the leader too: it steps down once that commits);
                                answered once the change is committed
  transfer ID                   the leader hands leadership to member ID, which campaigns at once;
                                answered once ID leads (given up after an election timeout)
  One configuration change at a time. Endpoints default to $LIFERAFT_ENDPOINTS, else
  http://127.0.0.1:8001,8002,8003 (npm run cluster).
  Exit: 0 ok · 1 refused (unknown member, a change pending, the last voter, already the leader) ·
  2 cluster unavailable, or not done in time · 64 usage.`;

export const MEMBER_EXIT = { ok: 0, refused: 1, unavailable: 2 } as const;

interface Seen {
  readonly endpoint: string;
  readonly status: Record<string, unknown> | null;
  readonly error: string | null;
}

async function getStatus(endpoint: string, timeoutMs: number): Promise<Seen> {
  try {
    const res = await fetch(`${endpoint}/status`, { signal: AbortSignal.timeout(Math.min(timeoutMs, 3000)) });
    const body = (await res.json()) as Record<string, unknown>;
    return res.ok ? { endpoint, status: body, error: null } : { endpoint, status: null, error: `HTTP ${res.status}: ${String(body['error'])}` };
  } catch (e) {
    const err = e as Error;
    return { endpoint, status: null, error: err.name === 'TimeoutError' ? 'no answer within 3 s' : ((err.cause as Error | undefined)?.message ?? err.message) };
  }
}

export async function memberCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { endpoints: { type: 'string' }, timeout: { type: 'string' }, json: { type: 'boolean' }, http: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help === true) {
    io.out(MEMBER_USAGE);
    return MEMBER_EXIT.ok;
  }
  const endpoints = endpointsOption(values.endpoints);
  const timeout = timeoutOption(values.timeout);
  const json = values.json === true;
  const [cmd, ...args] = positionals;
  switch (cmd) {
    case 'list':
      if (args.length !== 0) throw new UsageError('usage: liferaft member list [--json]');
      return list(endpoints, timeout, json, io);
    case 'transfer':
      if (args.length !== 1 || args[0]!.trim() === '') throw new UsageError('usage: liferaft member transfer ID (the member to lead, e.g. n2)');
      return atLeader(
        endpoints,
        timeout,
        json,
        io,
        'transfer',
        { method: 'POST', path: '/transfer', body: { to: args[0]! } },
        (b) => `${String(b['leader'])} leads (term ${String(b['term'])})`,
      );
    case 'add': {
      const hostPort = (a: string | undefined): boolean =>
        a !== undefined &&
        /^[^\s:/]+:\d+$|^\[[0-9a-fA-F:]+\]:\d+$/.test(a) &&
        Number(a.slice(a.lastIndexOf(':') + 1)) >= 1 &&
        Number(a.slice(a.lastIndexOf(':') + 1)) <= 65535;
      if (args.length !== 2 || !/^[A-Za-z0-9_.-]+$/.test(args[0]!) || !hostPort(args[1]))
        throw new UsageError(
          'usage: liferaft member add ID HOST:PORT [--http HOST:PORT] (the new node, started with liferaft node --join; a port from 1 to 65535)',
        );
      if (values.http !== undefined && !hostPort(values.http.replace(/^https?:\/\//, '')))
        throw new UsageError(`--http must be [http://]HOST:PORT (got ${JSON.stringify(values.http)})`);
      const body = {
        id: args[0]!,
        peer: args[1]!,
        ...(values.http === undefined ? {} : { http: values.http.startsWith('http') ? values.http : `http://${values.http}` }),
      };
      return atLeader(
        endpoints,
        timeout,
        json,
        io,
        'add',
        { method: 'POST', path: '/members', body },
        (b) => `${args[0]!} added: ${configLine(b)}`,
        (s) => s === 409,
      );
    }
    case 'remove':
      if (args.length !== 1 || !/^[A-Za-z0-9_.-]+$/.test(args[0]!)) throw new UsageError('usage: liferaft member remove ID');
      return atLeader(
        endpoints,
        timeout,
        json,
        io,
        'remove',
        { method: 'DELETE', path: `/members/${encodeURIComponent(args[0]!)}` },
        (b) => `${args[0]!} removed: ${configLine(b)}`,
        (s) => s === 404,
      );
    default:
      throw new UsageError(cmd === undefined ? MEMBER_USAGE : `unknown member command "${cmd}" (list, add, remove, transfer)`);
  }
}

async function list(endpoints: readonly string[], timeout: number, json: boolean, io: Io): Promise<number> {
  const seen = await Promise.all(endpoints.map((e) => getStatus(e, timeout)));
  if (json) io.out(JSON.stringify(seen.map((s) => (s.status === null ? { endpoint: s.endpoint, error: s.error } : { endpoint: s.endpoint, ...s.status }))));
  else {
    io.out(`${'id'.padEnd(6)}${'role'.padEnd(15)}${'term'.padStart(6)}  ${'leader'.padEnd(8)}${'commit'.padStart(8)}${'applied'.padStart(9)}  endpoint`);
    for (const s of seen) {
      const st = s.status;
      if (st === null)
        io.out(`${'?'.padEnd(6)}${'unreachable'.padEnd(15)}${''.padStart(6)}  ${''.padEnd(8)}${''.padStart(8)}${''.padStart(9)}  ${s.endpoint} (${s.error})`);
      else
        io.out(
          `${String(st['id']).padEnd(6)}${`${String(st['role'])}${outside(st) ? ' (outside)' : ''}`.padEnd(15)}${String(st['term']).padStart(6)}  ${String(st['leader'] ?? '-').padEnd(8)}${String(st['commit']).padStart(8)}${String(st['applied']).padStart(9)}  ${s.endpoint}`,
        );
    }
    // The configuration, as the leader (or else the most advanced endpoint) holds it.
    const up = seen.filter((s) => s.status !== null && typeof s.status['config'] === 'object');
    const ref = up.find((s) => s.status!['role'] === 'leader') ?? up.sort((a, b) => Number(b.status!['commit']) - Number(a.status!['commit']))[0];
    if (ref !== undefined) {
      const c = ref.status!['config'] as { voters: string[]; learners: string[] };
      io.out(`configuration: ${configLine(c as unknown as Record<string, unknown>)}, as ${String(ref.status!['id'])} holds it`);
      const listed = new Set(seen.map((s) => s.status?.['id']));
      const missing = [...c.voters, ...c.learners].filter((id) => !listed.has(id));
      if (missing.length > 0) io.out(`members not among the endpoints: ${missing.join(', ')} (GET /members has their addresses)`);
    }
  }
  return seen.some((s) => s.status !== null) ? MEMBER_EXIT.ok : MEMBER_EXIT.unavailable;
}

/** A node outside its own configuration: removed, or started with --join and not added yet. */
function outside(st: Record<string, unknown>): boolean {
  const c = st['config'] as { voters?: string[]; learners?: string[] } | undefined;
  return c !== undefined && !(c.voters ?? []).includes(String(st['id'])) && !(c.learners ?? []).includes(String(st['id']));
}

/** "voters n1, n2, n4 · learners n5 (entry 12)" from a /members or /status configuration. */
function configLine(c: Record<string, unknown>): string {
  const voters = (c['voters'] as string[] | undefined) ?? [];
  const learners = (c['learners'] as string[] | undefined) ?? [];
  return `voters ${voters.join(', ') || '—'}${learners.length > 0 ? ` · learners ${learners.join(', ')}` : ''} (entry ${String(c['index'])}${c['committed'] === false ? ', not committed' : ''})`;
}

/**
 * Finds the leader among the endpoints (the highest term when two say so, for a moment) and sends it
 * `req`, until it answers or the deadline passes: 200 done; 400, 404 and 409 refused; 504 not done in
 * time; 503 (it no longer leads) looks again.
 */
async function atLeader(
  endpoints: readonly string[],
  timeout: number,
  json: boolean,
  io: Io,
  what: string,
  req: { readonly method: string; readonly path: string; readonly body?: unknown },
  done: (body: Record<string, unknown>) => string,
  /** After an earlier attempt whose fate is unknown, a refusal that means it went through (a member already, no longer one). */
  already: ((status: number) => boolean) | null = null,
): Promise<number> {
  const say = (code: number, result: Record<string, unknown>, line: string): number => {
    if (json) io.out(JSON.stringify(result));
    else if (code === MEMBER_EXIT.ok) io.out(line);
    else io.err(`liferaft: ${line}`);
    return code;
  };
  const deadline = Date.now() + timeout;
  let last = 'no endpoint answered';
  let unsure = false;
  while (Date.now() < deadline) {
    const seen = (await Promise.all(endpoints.map((e) => getStatus(e, timeout)))).filter((s) => s.status !== null);
    const leaders = seen.filter((s) => s.status!['role'] === 'leader').sort((a, b) => Number(b.status!['term']) - Number(a.status!['term']));
    const at = leaders[0];
    if (at === undefined) {
      const known = [...new Set(seen.map((s) => s.status!['leader']).filter((l): l is string => typeof l === 'string'))];
      last =
        seen.length === 0
          ? `no endpoint answered (${endpoints.join(', ')})`
          : known.length > 0
            ? `none of these endpoints leads; they follow ${known.join(', ')}: add its client address to --endpoints`
            : 'no node leads right now';
      // (Waiting will not help when the leader is known but not among the endpoints.)
      if (known.length > 0) break;
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    let res: Response;
    try {
      res = await fetch(`${at.endpoint}${req.path}?timeout=${Math.max(1, Math.min(60_000, deadline - Date.now()))}`, {
        method: req.method,
        ...(req.body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(req.body) }),
        signal: AbortSignal.timeout(Math.max(1, deadline - Date.now()) + 1000),
      });
    } catch (e) {
      last = `${at.endpoint}: ${(e as Error).message}`;
      unsure = true;
      continue;
    }
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (res.status === 200) return say(MEMBER_EXIT.ok, { result: 'ok', ...body }, done(body));
    // (Sent again after a leader change: the first one went through.)
    if (unsure && already?.(res.status) === true) return say(MEMBER_EXIT.ok, { result: 'ok', ...body }, `${what} done (an earlier attempt went through)`);
    if (res.status === 400 || res.status === 404 || res.status === 409) return say(MEMBER_EXIT.refused, { result: 'refused', ...body }, String(body['error']));
    if (res.status === 504) return say(MEMBER_EXIT.unavailable, { result: what === 'transfer' ? 'given-up' : 'timeout', ...body }, String(body['error']));
    // 503: that node no longer leads (the change may still commit); look again.
    last = `${at.endpoint}: ${String(body['error'])}`;
    unsure = true;
  }
  return say(MEMBER_EXIT.unavailable, { result: 'unavailable', error: last }, `could not reach the leader within ${timeout} ms: ${last}`);
}
