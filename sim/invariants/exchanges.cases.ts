// Cases of invariants.test.ts: BacktrackHint and LeaderHint (exchanges.ts), and QuietLeader (watched by the simulator).
import assert from 'node:assert/strict';
import { clientId, logIndex, term, type Message, type NodeState, type Progress, type StepOutputs, step } from '../../core';
import { loadScenario } from '../tracefile';
import { Simulation } from '../simulation';
import { DEFAULT_SCENARIO } from '../default-scenario';
import { type Violation } from '.';
import { entry, expectViolation, ids, World, type InvariantCases } from './world.fixture';

export const exchangesCases: InvariantCases = {
  BacktrackHint: () => {
    const w = new World(3, ['BacktrackHint']);
    // A follower n2 of term 3 holding 1@t1 2@t2 3@t2 4@t2, committed to 1.
    const f = w.nodes[1]!.state;
    f.term = term(3);
    f.log = [entry(1, 1), entry(2, 2), entry(3, 2), entry(4, 2)];
    f.commit = logIndex(1);
    f.applied = logIndex(1);
    const append = (prev: number, prevTerm: number): Extract<Message, { type: 'AppendEntries' }> => ({
      type: 'AppendEntries',
      from: ids[0]!,
      to: ids[1]!,
      term: term(3),
      prevLogIndex: logIndex(prev),
      prevLogTerm: term(prevTerm),
      entries: [],
      commit: logIndex(1),
    });
    const take = (i: number, m: Message): StepOutputs => step(w.nodes[i]!.state, { type: 'receive', message: m }).outputs;
    // The real core's refusals pass: a term mismatch at 4 (term 2 there, its run from 2), and a gap at 7.
    const mismatch = append(4, 3);
    const refusal = take(1, mismatch);
    assert.deepEqual(
      refusal.messages.map((m) => (m.type === 'AppendEntriesResp' && !m.success ? [m.rejectedIndex, m.conflictTerm, m.conflictIndex] : m.type)),
      [[4, 2, 2]],
    );
    assert.equal(w.checker.afterAppendExchange(1, refusal, mismatch), null);
    const gap = append(7, 3);
    const gapOut = take(1, gap);
    assert.equal(w.checker.afterAppendExchange(1, gapOut, gap), null);
    // Hints that are off by one entry, or that name another index, fail.
    const doctor = (out: StepOutputs, fields: Record<string, number>): StepOutputs => ({
      ...out,
      messages: out.messages.map((m) => ({ ...m, ...fields }) as Message),
    });
    expectViolation(
      w.checker.afterAppendExchange(1, doctor(refusal, { conflictIndex: 3 }), mismatch),
      'BacktrackHint',
      /n2 refused n1's append after index 4 with the hint term 2, index 3, but it holds term 2 there, that term's run starting at 2 \(above its commit 1\): the hint should be term 2, index 2/,
    );
    expectViolation(
      w.checker.afterAppendExchange(1, doctor(gapOut, { conflictIndex: 4 }), gap),
      'BacktrackHint',
      /it holds no entry there \(its log ends at 4\): the hint should be term 0, index 5/,
    );
    expectViolation(
      w.checker.afterAppendExchange(1, doctor(refusal, { rejectedIndex: 3 }), mismatch),
      'BacktrackHint',
      /n2 refused n1's append after index 4 but named index 3/,
    );
    // A refusal of a stale term only names the index.
    f.term = term(4);
    const stale = take(1, mismatch);
    assert.equal(w.checker.afterAppendExchange(1, doctor(stale, { conflictIndex: 9 }), mismatch), null);

    // The leader n1 of term 3 holding 1@t1 2@t1 3@t2 4@t3 5@t3, probing n2 (known to hold 1) at 5.
    const l = w.nodes[0]!.state;
    l.term = term(3);
    l.role = 'leader';
    l.leader = ids[0]!;
    l.log = [entry(1, 1), entry(2, 1), entry(3, 2), entry(4, 3), entry(5, 3)];
    l.commit = logIndex(1);
    l.applied = logIndex(1);
    l.selfMatch = logIndex(5);
    const pr = (match: number, next: number): Progress => ({
      match: logIndex(match),
      next: logIndex(next),
      mode: 'probe',
      probeSent: true,
      inflight: [],
      recentActive: true,
      prevActive: false,
      readAck: 0,
      snapshotWait: 0,
    });
    l.progress = new Map([
      [ids[1]!, pr(1, 5)],
      [ids[2]!, pr(5, 6)],
    ]);
    const refused = {
      type: 'AppendEntriesResp',
      from: ids[1]!,
      to: ids[0]!,
      term: term(3),
      success: false,
      rejectedIndex: logIndex(4),
      conflictIndex: logIndex(2),
      conflictTerm: term(2),
    } as const;
    // Its last entry of term 2 is 3: the core probes from 4 (after 3), and passes.
    const probe = take(0, refused);
    assert.deepEqual(
      probe.messages.map((m) => (m.type === 'AppendEntries' ? m.prevLogIndex : m.type)),
      [3],
    );
    assert.equal(w.checker.afterAppendExchange(0, probe, refused), null);
    expectViolation(
      w.checker.afterAppendExchange(0, doctor(probe, { prevLogIndex: 1 }), refused),
      'BacktrackHint',
      /n1 took n2's refusal of index 4 \(hint term 2, index 2\) and probed from 2, but its own last entry of term 2 is 3 and n2 is known to hold 1: the probe should start at 4/,
    );
    // A term the leader never held: the hint index stands (here below the match, so just above it).
    l.progress.set(ids[1]!, pr(2, 5));
    const unknown = { ...refused, conflictTerm: term(9), conflictIndex: logIndex(1) };
    const fromMatch = take(0, unknown);
    assert.equal(w.checker.afterAppendExchange(0, fromMatch, unknown), null);
    expectViolation(
      w.checker.afterAppendExchange(0, doctor(fromMatch, { prevLogIndex: 1 }), unknown),
      'BacktrackHint',
      /it holds no entry of term 9 up to 4, so the hint index 1 stands and n2 is known to hold 2: the probe should start at 3/,
    );
  },
  LeaderHint: () => {
    const w = new World(3, ['LeaderHint']);
    const f = w.nodes[1]!.state;
    f.term = term(2);
    const request = { client: clientId('c1'), seq: 1, op: { type: 'get', key: 'k' } } as const;
    const forward: Message = { type: 'ClientForward', from: ids[2]!, to: ids[1]!, term: term(0), request };
    const take = (m: Message): StepOutputs => step(f, { type: 'receive', message: m }).outputs;
    const hinted = (out: StepOutputs, hint: string | null): StepOutputs => ({
      ...out,
      messages: out.messages.map(
        (m) => (m.type === 'ClientForwardReply' ? { ...m, reply: { ...m.reply, outcome: { status: 'not-leader', leaderHint: hint } } } : m) as Message,
      ),
    });
    // n2 follows n1: a request relayed to it by n3 is turned away towards n1 (the real core's answer passes).
    f.leader = ids[0]!;
    const away = take(forward);
    assert.deepEqual(
      away.messages.map((m) => (m.type === 'ClientForwardReply' ? m.reply.outcome : m.type)),
      [{ status: 'not-leader', leaderHint: ids[0] }],
    );
    assert.equal(w.checker.afterClientAnswers(1, away, forward), null);
    expectViolation(
      w.checker.afterClientAnswers(1, hinted(away, null), forward),
      'LeaderHint',
      /n2 turned n3's client away with the hint none, but after that step it follows n1/,
    );
    expectViolation(
      w.checker.afterClientAnswers(1, hinted(away, ids[1]!), forward),
      'LeaderHint',
      /n2 turned n3's client away with the hint n2, but after that step it follows n1/,
    );
    // Following nobody, it answers its own client with no hint; a made-up one fails.
    f.leader = null;
    const alone = step(f, { type: 'clientRequest', request }).outputs;
    assert.deepEqual(
      alone.replies.map((r) => r.outcome),
      [{ status: 'not-leader', leaderHint: null }],
    );
    assert.equal(w.checker.afterClientAnswers(1, alone, null), null);
    const madeUp: StepOutputs = { ...alone, replies: alone.replies.map((r) => ({ ...r, outcome: { status: 'not-leader', leaderHint: ids[2]! } })) };
    expectViolation(
      w.checker.afterClientAnswers(1, madeUp, null),
      'LeaderHint',
      /n2 turned its client away with the hint n3, but after that step it follows no leader/,
    );
    // A leader handing over turns writes away towards the transferee (thesis §3.10): the real core's
    // answer passes; one naming nobody fails.
    const l = w.nodes[0]!.state;
    l.term = term(2);
    l.role = 'leader';
    l.leader = ids[0]!;
    l.transferee = ids[2]!;
    const write = { client: clientId('c1'), seq: 2, op: { type: 'put', key: 'k', value: 'v' } } as const;
    const during: StepOutputs = {
      persist: null,
      messages: [],
      applied: [],
      replies: [{ client: write.client, seq: 2, outcome: { status: 'not-leader', leaderHint: ids[2]! } }],
      reasons: ['client.reject.transferring', 'client.reply'],
    };
    assert.equal(w.checker.afterClientAnswers(0, during, null), null);
    expectViolation(
      w.checker.afterClientAnswers(0, { ...during, replies: [{ ...during.replies[0]!, outcome: { status: 'not-leader', leaderHint: null } }] }, null),
      'LeaderHint',
      /n1 turned its client away with the hint none, but after that step it leads, handing over to n3/,
    );
    l.transferee = null;
    l.role = 'follower';
    // A relay passes the leader's words on unjudged.
    const relayed: Message = {
      type: 'ClientForwardReply',
      from: ids[0]!,
      to: ids[1]!,
      term: term(0),
      reply: { client: request.client, seq: 1, outcome: { status: 'not-leader', leaderHint: ids[2]! } },
    };
    assert.equal(w.checker.afterClientAnswers(1, take(relayed), relayed), null);
  },
  QuietLeader: () => {
    // Real runs of the default scenario, tampered with once the settle window opens. (Seed 1 converges
    // and settles; the check passes untouched.)
    const s = loadScenario(DEFAULT_SCENARIO, 'default.raftsim');
    assert.equal(new Simulation(s, 1).run().verdict, 'ok');
    const settle = (): { sim: Simulation; leader: NodeState } => {
      const sim = new Simulation(s, 1);
      while (sim.settled === null) assert.ok(sim.step(), 'the run must reach its settle window');
      return { sim, leader: sim.nodes[sim.settled.leader]!.state };
    };
    // A leader that appends an entry nobody asked for sends it on the next heartbeat answer.
    const busy = settle();
    const last = busy.leader.log.length + busy.leader.logStart.index;
    busy.leader.log.push({ index: logIndex(last + 1), term: busy.leader.term, data: { type: 'noop' } });
    const r1 = busy.sim.run();
    assert.equal(r1.verdict, 'liveness');
    expectViolation(
      (r1.violation ?? null) as Violation | null,
      'QuietLeader',
      new RegExp(
        `with every follower holding n\\d's whole log \\(${last}\\), and no client asked for anything since, yet n\\d sent n\\d entries ${last + 1}\\.\\.${last + 1}`,
      ),
    );
    // A leader that skips heartbeats: too few reach each follower over the window.
    const skips = settle();
    skips.leader.heartbeatElapsed = -4;
    const r2 = skips.sim.run();
    assert.equal(r2.verdict, 'liveness');
    expectViolation(
      (r2.violation ?? null) as Violation | null,
      'QuietLeader',
      /over the settle window's (\d+) ticks of n\d, with a heartbeat every 1 tick, n\d should have got \1 heartbeats, but n\d sent it \d+/,
    );
  },
};
