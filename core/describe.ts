// Short human-readable descriptions of entries, operations and messages, for transcripts,
// the CLI and the debugger (e.g. "AppendEntries t3 prev 5/2 +2 entries commit 4").
import type { ClientOutcome, ClientReply, ClientRequest, Entry, EntryData, KvOp, KvResult, Membership, Message } from './types';

export function describeOp(op: KvOp): string {
  switch (op.type) {
    case 'get':
      return `get ${op.key}`;
    case 'put':
      return `put ${op.key}=${op.value}`;
    case 'delete':
      return `delete ${op.key}`;
    case 'cas':
      return `cas ${op.key} ${op.expected ?? '∅'}→${op.value}`;
    case 'append':
      return `append ${op.key}+=${op.value}`;
  }
}

export function describeRequest(r: ClientRequest): string {
  return `${r.client}#${r.seq} ${describeOp(r.op)}`;
}

export function describeEntryData(d: EntryData): string {
  if (d.type === 'noop') return 'noop';
  if (d.type === 'config') return `config ${describeMembers(d)}`;
  return `${describeOp(d.op)} (${d.client}#${d.seq})`;
}

/** `voters=n1,n2,n3 learners=n4` (learners only when there are some). */
export function describeMembers(m: Membership): string {
  return `voters=${m.voters.join(',') || '∅'}${m.learners.length > 0 ? ` learners=${m.learners.join(',')}` : ''}`;
}

export function describeEntry(e: Entry): string {
  return `${e.index}@t${e.term} ${describeEntryData(e.data)}`;
}

export function describeResult(r: KvResult): string {
  return `${r.ok ? 'ok' : 'failed'} ${r.value === null ? '∅' : JSON.stringify(r.value)}`;
}

export function describeOutcome(o: ClientOutcome): string {
  switch (o.status) {
    case 'ok':
      return describeResult(o.result);
    case 'not-leader':
      return o.leaderHint === null ? 'not-leader' : `not-leader, try ${o.leaderHint}`;
    default:
      return o.status;
  }
}

export function describeReply(r: ClientReply): string {
  return `${r.client}#${r.seq} ${describeOutcome(r.outcome)}`;
}

/** One line; with `entries`, AppendEntries lists its entries instead of counting them. */
export function describeMessage(m: Message, opts: { entries?: boolean } = {}): string {
  const t = `t${m.term}`;
  switch (m.type) {
    case 'PreVote':
      return `PreVote ${t} last ${m.lastLogIndex}/${m.lastLogTerm}`;
    case 'RequestVote':
      return `RequestVote ${t} last ${m.lastLogIndex}/${m.lastLogTerm}${m.transfer === true ? ' (transfer)' : ''}`;
    case 'PreVoteResp':
    case 'RequestVoteResp':
      return `${m.type} ${t} ${m.granted ? 'granted' : 'rejected'}`;
    case 'AppendEntries': {
      const body =
        m.entries.length === 0
          ? 'no entries'
          : opts.entries === true
            ? `[${m.entries.map(describeEntry).join(', ')}]`
            : `+${m.entries.length} ${m.entries.length === 1 ? 'entry' : 'entries'}`;
      return `AppendEntries ${t} prev ${m.prevLogIndex}/${m.prevLogTerm} ${body} commit ${m.commit}`;
    }
    case 'AppendEntriesResp':
      return m.success
        ? `AppendEntriesResp ${t} ok match ${m.matchIndex}`
        : `AppendEntriesResp ${t} reject ${m.rejectedIndex} hint ${m.conflictIndex}/t${m.conflictTerm}`;
    case 'InstallSnapshot':
      return `InstallSnapshot ${t} at ${m.snapshot.index}/t${m.snapshot.term} (${m.snapshot.data.length} keys)`;
    case 'Heartbeat':
      return `Heartbeat ${t} commit ${m.commit}${m.readSeq > 0 ? ` read ${m.readSeq}` : ''}`;
    case 'HeartbeatResp':
      return `HeartbeatResp ${t}${m.readSeq > 0 ? ` read ${m.readSeq}` : ''}`;
    case 'ClientForward':
      return `ClientForward ${describeRequest(m.request)}`;
    case 'ClientForwardReply':
      return `ClientForwardReply ${describeReply(m.reply)}`;
    case 'TimeoutNow':
      return `TimeoutNow ${t}`;
  }
}
