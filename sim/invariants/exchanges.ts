// Rules about what a node answers, judged against logs and state the checker can see: BacktrackHint
// (a refused append names exactly the conflicting term and where its run starts; the leader probes
// exactly where that says) and LeaderHint (a client turned away is told the leader this node follows).
// They keep no memory.
import type { ClientOutcome, Message, NodeState, StepOutputs } from '../../core';
import type { Violation } from './catalog';
import type { Judge } from './judge';

export class ExchangeRules {
  constructor(private readonly judge: Judge) {}

  /**
   * BacktrackHint, after node i took an AppendEntries (`heard`), or, as leader, a refusal of one.
   * Raft §5.3's optimization as the thesis states it (§3.5): a follower refusing an append says the
   * term of its conflicting entry and the first index it stores of that term; the leader skips back
   * past every entry of that term it does not share (to just after its own last entry of it, when it
   * has one), and never re-probes below what the follower is known to hold. Both are exact statements
   * about logs the checker can see, so a hint or a probe that is off by a single entry fails here —
   * in a correct Raft it would only cost round trips, which nothing else would notice.
   */
  afterAppendExchange(i: number, out: StepOutputs, heard: Message): Violation | null {
    if (!this.judge.enabled.has('BacktrackHint')) return null;
    // (A step that compacted judged its log after the fact; no refusal or backtrack compacts.)
    if ((out.persist?.compact ?? null) !== null) return null;
    const s = this.judge.nodes[i]!.state;
    const msgs = out.messages;
    for (let k = 0; k < msgs.length; k++) {
      const m = msgs[k]!;
      if (m.to !== heard.from) continue;
      if (heard.type === 'AppendEntries' && m.type === 'AppendEntriesResp' && !m.success) return this.checkHint(i, s, heard, m);
      if (heard.type === 'AppendEntriesResp' && !heard.success && m.type === 'AppendEntries' && s.role === 'leader' && heard.term === s.term)
        return this.checkProbe(i, s, heard, m);
    }
    return null;
  }

  private checkHint(
    i: number,
    s: NodeState,
    req: Extract<Message, { type: 'AppendEntries' }>,
    r: Extract<Message, { type: 'AppendEntriesResp'; success: false }>,
  ): Violation | null {
    const R = req.prevLogIndex;
    if (r.rejectedIndex !== R)
      return this.judge.fail('BacktrackHint', [i], `${this.judge.name(i)} refused ${req.from}'s append after index ${R} but named index ${r.rejectedIndex}`);
    // A refusal of a stale term only tells the sender the newer term; its hint is moot.
    if (s.term !== req.term) return null;
    const off = s.logStart.index;
    const last = off + s.log.length;
    let term = 0;
    let index = last + 1;
    if (R <= last) {
      // (A refused index at or before the log start is committed: a correct follower takes it.)
      if (R <= off) return null;
      term = s.log[R - off - 1]!.term;
      let j = R;
      while (j - 1 > off && s.log[j - 1 - off - 1]!.term === term) j--;
      index = Math.max(j, s.commit + 1);
    }
    if (r.conflictTerm === term && r.conflictIndex === index) return null;
    const holds =
      term === 0
        ? `holds no entry there (its log ends at ${last})`
        : `holds term ${term} there, that term's run starting at ${index === s.commit + 1 ? `${index} (above its commit ${s.commit})` : index}`;
    return this.judge.fail(
      'BacktrackHint',
      [i],
      `${this.judge.name(i)} refused ${req.from}'s append after index ${R} with the hint term ${r.conflictTerm}, index ${r.conflictIndex}, but it ${holds}: the hint should be term ${term}, index ${index}`,
    );
  }

  private checkProbe(
    i: number,
    s: NodeState,
    r: Extract<Message, { type: 'AppendEntriesResp'; success: false }>,
    probe: Extract<Message, { type: 'AppendEntries' }>,
  ): Violation | null {
    const match = s.progress.get(r.from)?.match ?? 0;
    const R = r.rejectedIndex;
    let next = r.conflictIndex as number;
    let own = 0;
    if (r.conflictTerm > 0) {
      // The leader's last entry of the hinted term at or below the refused index (its log start counts).
      const off = s.logStart.index;
      for (let k = Math.min(R, off + s.log.length); k > off && own === 0; k--) if (s.log[k - off - 1]!.term === r.conflictTerm) own = k;
      if (own === 0 && off > 0 && R >= off && s.logStart.term === r.conflictTerm) own = off;
      if (own > 0) next = own + 1;
    }
    const want = Math.max(Math.min(next, R), match + 1);
    if (probe.prevLogIndex + 1 === want) return null;
    const why =
      own > 0
        ? `its own last entry of term ${r.conflictTerm} is ${own}`
        : r.conflictTerm > 0
          ? `it holds no entry of term ${r.conflictTerm} up to ${R}, so the hint index ${r.conflictIndex} stands`
          : `the hint index is ${r.conflictIndex}`;
    return this.judge.fail(
      'BacktrackHint',
      [i],
      `${this.judge.name(i)} took ${r.from}'s refusal of index ${R} (hint term ${r.conflictTerm}, index ${r.conflictIndex}) and probed from ${probe.prevLogIndex + 1}, but ${why} and ${r.from} is known to hold ${match}: the probe should start at ${want}`,
    );
  }

  /**
   * LeaderHint, after a step of node i that answered clients (directly, or through the follower that
   * relayed the request; `heard`: the message it took, if any). A relayed answer carries the leader's
   * words, not this node's, so a relay is not judged here.
   */
  afterClientAnswers(i: number, out: StepOutputs, heard: Message | null): Violation | null {
    if (heard !== null && heard.type === 'ClientForwardReply') return null;
    const s = this.judge.nodes[i]!.state;
    for (let k = 0; k < out.replies.length; k++) {
      const v = this.checkLeaderHint(i, s, out.replies[k]!.outcome, 'its client');
      if (v !== null) return v;
    }
    const msgs = out.messages;
    for (let k = 0; k < msgs.length; k++) {
      const m = msgs[k]!;
      if (m.type !== 'ClientForwardReply') continue;
      const v = this.checkLeaderHint(i, s, m.reply.outcome, `${m.to}'s client`);
      if (v !== null) return v;
    }
    return null;
  }

  private checkLeaderHint(i: number, s: NodeState, o: ClientOutcome, whom: string): Violation | null {
    if (o.status !== 'not-leader') return null;
    // (A leader handing over names the transferee, thesis §3.10.)
    const want = s.leader === s.config.id ? s.transferee : s.leader;
    if (o.leaderHint === want && o.leaderHint !== s.config.id) return null;
    return this.judge.fail(
      'LeaderHint',
      [i],
      `${this.judge.name(i)} turned ${whom} away with the hint ${o.leaderHint ?? 'none'}, but after that step it ${s.leader === null ? 'follows no leader' : s.leader === s.config.id ? (s.transferee === null ? 'leads itself' : `leads, handing over to ${s.transferee}`) : `follows ${s.leader}`}`,
    );
  }
}
