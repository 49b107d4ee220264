// The shape of every message a peer may send, and of every answer to a client. A hosted node (net/)
// checks each frame before the core sees it: a frame that parses but is not a well-formed message (a
// missing field, a wrong type) is dropped with a log line instead of reaching code that trusts it.
// (Well-formed messages that break the protocol — a forged heartbeat — are what the cluster secret
// is for.) The simulator checks what the core sends with the same rules: a peer would drop it.
import type { ClientReply, Message } from './types';

type Check = (v: unknown) => boolean;
const str: Check = (v) => typeof v === 'string';
const int: Check = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
const bool: Check = (v) => typeof v === 'boolean';
const obj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const nullableStr: Check = (v) => v === null || typeof v === 'string';

const KV_OPS = new Set(['get', 'put', 'delete', 'cas', 'append']);
function kvOp(v: unknown): boolean {
  if (!obj(v) || !KV_OPS.has(v['type'] as string) || !str(v['key'])) return false;
  if (v['type'] === 'put' || v['type'] === 'append') return str(v['value']);
  if (v['type'] === 'cas') return str(v['value']) && nullableStr(v['expected']);
  return true;
}
function entry(v: unknown): boolean {
  if (!obj(v) || !int(v['index']) || !int(v['term']) || !obj(v['data'])) return false;
  const d = v['data'];
  if (d['type'] === 'noop') return true;
  if (d['type'] === 'config') return membership(d);
  return d['type'] === 'command' && str(d['client']) && int(d['seq']) && kvOp(d['op']) && d['op'] !== null && (d['op'] as { type: string }).type !== 'get';
}
const ids: Check = (v) => Array.isArray(v) && v.every(str) && new Set(v).size === v.length;
/** Voters and learners: lists of distinct node ids, disjoint. */
function membership(v: unknown): boolean {
  if (!obj(v) || !ids(v['voters']) || !ids(v['learners'])) return false;
  const a = v['addresses'];
  if (a !== undefined && !(obj(a) && Object.values(a).every(str))) return false;
  const voters = new Set(v['voters'] as string[]);
  return (v['learners'] as string[]).every((l) => !voters.has(l));
}
const kvResult: Check = (v) => obj(v) && bool(v['ok']) && nullableStr(v['value']);
function request(v: unknown): boolean {
  return obj(v) && str(v['client']) && int(v['seq']) && kvOp(v['op']);
}
function outcome(v: unknown): boolean {
  if (!obj(v)) return false;
  switch (v['status']) {
    case 'ok':
      return kvResult(v['result']);
    case 'not-leader':
      return nullableStr(v['leaderHint']);
    case 'leadership-lost':
    case 'overloaded':
    case 'stale-sequence':
      return true;
    default:
      return false;
  }
}
function snapshot(v: unknown): boolean {
  if (!obj(v) || !int(v['index']) || !int(v['term']) || !Array.isArray(v['data']) || !Array.isArray(v['sessions'])) return false;
  if (v['config'] !== undefined && !membership(v['config'])) return false;
  return (
    (v['data'] as unknown[]).every((p) => Array.isArray(p) && p.length === 2 && str(p[0]) && str(p[1])) &&
    (v['sessions'] as unknown[]).every((p) => Array.isArray(p) && p.length === 3 && str(p[0]) && int(p[1]) && kvResult(p[2]))
  );
}

const FIELDS: Record<Message['type'], Record<string, Check>> = {
  PreVote: { lastLogIndex: int, lastLogTerm: int, round: int },
  PreVoteResp: { granted: bool, round: int },
  RequestVote: { lastLogIndex: int, lastLogTerm: int, transfer: (v) => v === undefined || v === true },
  RequestVoteResp: { granted: bool },
  AppendEntries: { prevLogIndex: int, prevLogTerm: int, commit: int, entries: (v) => Array.isArray(v) && v.every(entry) },
  AppendEntriesResp: { success: bool },
  InstallSnapshot: { snapshot },
  Heartbeat: { commit: int, readSeq: int },
  HeartbeatResp: { readSeq: int },
  ClientForward: { request },
  ClientForwardReply: { reply: (v) => obj(v) && str(v['client']) && int(v['seq']) && outcome(v['outcome']) },
  TimeoutNow: {},
};

// As parallel arrays, made once: the simulator checks every message it routes, so this loop is hot.
interface FieldList {
  readonly names: readonly string[];
  readonly checks: readonly Check[];
}
const list = (fields: Record<string, Check>): FieldList => ({ names: Object.keys(fields), checks: Object.values(fields) });
const FIELD_LISTS = new Map<string, FieldList>(Object.entries(FIELDS).map(([type, fields]) => [type, list(fields)]));
const ACCEPT_FIELDS = list({ matchIndex: int });
const REFUSE_FIELDS = list({ rejectedIndex: int, conflictIndex: int, conflictTerm: int });

function badField(v: Record<string, unknown>, l: FieldList): string | null {
  const { names, checks } = l;
  for (let k = 0; k < names.length; k++) if (!checks[k]!(v[names[k]!])) return names[k]!;
  return null;
}

/** Why `v` is not a well-formed message (null: it is one). */
export function messageProblem(v: unknown): string | null {
  if (!obj(v)) return 'not an object';
  const type = v['type'];
  const fields = typeof type === 'string' ? FIELD_LISTS.get(type) : undefined;
  if (fields === undefined) return `unknown message type ${JSON.stringify(type)}`;
  if (!str(v['from']) || !str(v['to']) || !int(v['term'])) return `${type} without from/to/term`;
  const bad = badField(v, fields) ?? (type === 'AppendEntriesResp' ? badField(v, v['success'] === true ? ACCEPT_FIELDS : REFUSE_FIELDS) : null);
  return bad === null ? null : `${type} with a bad "${bad}"`;
}

/** Why `r` is not a well-formed answer to a client (null: it is one). */
export function replyProblem(r: ClientReply): string | null {
  if (!obj(r) || !str(r.client) || !int(r.seq)) return 'a reply without client/seq';
  return outcome(r.outcome) ? null : `a reply with a bad outcome ${JSON.stringify(r.outcome)}`;
}
