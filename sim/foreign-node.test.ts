import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { counterOf, userRuleCounter } from './coverage';
import { Exploration, runSeeds } from './explorer';
import type { RaftNode } from './node-api';
import { Simulation } from './simulation';
import { loadScenario, recordRun, replayTrace } from './tracefile';
import { DEFAULT_SCENARIO, DEFAULT_SCENARIO_FILE } from './default-scenario';

const root = join(__dirname, '..');
// (The examples are plain CommonJS files, loaded as Node loads a user's file.)
const load = createRequire(__filename);
const raft = load(join(root, 'examples/your-node/raft.js')) as RaftNode;
const buggy = load(join(root, 'examples/your-node/raft-bug-vote-any-log.js')) as RaftNode;
const scenario = loadScenario(DEFAULT_SCENARIO, DEFAULT_SCENARIO_FILE);
const run = (module: RaftNode, seed: number, label = 'node.js') => new Simulation(scenario, seed, { node: { module, label } }).run();

/** raft.js with one function replaced. */
function variant(overrides: Partial<RaftNode>): RaftNode {
  return { ...raft, ...overrides };
}

describe("a user's Raft node under the simulator (node-api.ts)", function () {
  this.timeout(120_000);

  it('examples/your-node/raft.js: clean on seeds of the default scenario, through crashes, partitions and pauses', () => {
    const faults = { crashes: 0, partitions: 0, pauses: 0, ops: 0 };
    for (let seed = 1; seed <= 8; seed++) {
      const r = run(raft, seed);
      assert.equal(r.verdict, 'ok', `seed ${seed}: ${r.violation?.invariant} ${r.violation?.message}`);
      assert.equal(r.linearizability, 'ok');
      faults.crashes += r.stats.crashes;
      faults.partitions += r.stats.partitions;
      faults.pauses += r.stats.pauses;
      faults.ops += r.stats.opsCompleted;
    }
    assert.ok(faults.crashes > 5 && faults.partitions > 5 && faults.pauses > 2 && faults.ops > 300, JSON.stringify(faults));
  });

  it('the same file with its classic bug (votes without the log check) is caught: LeaderCompletenessInv', () => {
    const caught = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((seed) => run(buggy, seed)).filter((r) => r.verdict === 'safety');
    assert.ok(caught.length >= 3, `${caught.length} of 11 seeds`);
    for (const r of caught) assert.equal(r.violation!.invariant, 'LeaderCompletenessInv');
    // The bug file is raft.js but for the bug: its header, its name and the one marked line.
    const a = readFileSync(join(root, 'examples/your-node/raft.js'), 'utf8').split('\n');
    const b = readFileSync(join(root, 'examples/your-node/raft-bug-vote-any-log.js'), 'utf8').split('\n');
    const only = (x: string[], y: string[]) => x.filter((l) => !y.includes(l));
    assert.deepEqual(only(a, b), [
      '    const upToDate = m.lastTerm > this.lastTerm() || (m.lastTerm === this.lastTerm() && m.lastIndex >= this.log.length);',
      "  name: 'raft.js',",
    ]);
    assert.ok(only(b, a).some((l) => /BUG/.test(l)));
  });

  it('a vote that is not persisted is caught once a crash lets the node grant its term again: OneVotePerTerm', () => {
    // raft.js with one change: the vote is set but not persisted. Crash-after-vote aims at grants by
    // their kind (a vote-kind message to the node the view says it voted for).
    const src = readFileSync(join(root, 'examples/your-node/raft.js'), 'utf8').replace(
      '      this.vote = from;\n      this.saveHardState();',
      '      this.vote = from;',
    );
    assert.ok(!src.includes('this.vote = from;\n      this.saveHardState();'));
    const m = { exports: {} as RaftNode };
    new Function('module', 'exports', 'require', src)(m, m.exports, load);
    const r = run(m.exports, 48);
    assert.equal(r.verdict, 'safety');
    assert.equal(r.violation!.invariant, 'OneVotePerTerm');
    assert.match(r.violation!.message, /granted its vote in term \d+ to n\d and then to n\d/);
  });

  it("a run records the node in its trace and replays exactly; the node's failure replays too", () => {
    const node = { module: buggy, file: 'raft-bug-vote-any-log.js', name: 'raft-bug-vote-any-log.js', sha256: 'a'.repeat(64) };
    const seed = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].find((s) => run(buggy, s).verdict === 'safety')!;
    const { trace, result } = recordRun(scenario, seed, undefined, [], node);
    assert.deepEqual(trace.node, { file: node.file, name: node.name, sha256: node.sha256 });
    const again = replayTrace(trace, node);
    assert.equal(again.ok, true);
    assert.equal(again.traceHash, result.traceHash);
    assert.throws(() => replayTrace(trace), /ran the node raft-bug-vote-any-log\.js: load it to replay/);
    // With the fixed node the same trace diverges (and says where).
    const fixed = replayTrace(trace, { ...node, module: raft });
    assert.equal(fixed.ok, false);
  });

  it("a node's own rules are coverage: counted after the simulator's signals, and the ones never taken are named", () => {
    const rules = raft.rules!;
    assert.ok(rules.length > 10);
    const ok = runSeeds({ scenario, seeds: [1, 2, 3, 4], twice: false }, { module: raft, label: 'n' });
    const bad = runSeeds({ scenario, seeds: [1, 2, 3, 4], twice: false }, { module: buggy, label: 'n' });
    const taken = (rs: typeof ok) =>
      new Set(
        rs
          .flatMap((r) => r.coverage.map(counterOf))
          .filter((c) => c >= userRuleCounter(0))
          .map((c) => rules[c - userRuleCounter(0)]),
      );
    // The correct node refuses votes to candidates whose log is behind; its bug twin never does.
    assert.ok(taken(ok).has('vote.refuse.log-behind') && taken(ok).has('election.won') && taken(ok).has('restart.restore'), [...taken(ok)].join(', '));
    assert.ok(!taken(bad).has('vote.refuse.log-behind') && taken(bad).has('vote.grant'), [...taken(bad)].join(', '));
    // The exploration's summary names the rules never taken, of the node's.
    const e = new Exploration({
      scenario,
      seeds: { from: 1, to: 4 },
      from: 1,
      shard: null,
      bias: false,
      checkDeterminism: false,
      untilFailure: false,
      nodeRules: rules,
    });
    e.report(runSeeds({ scenario, seeds: [1, 2, 3, 4], twice: false }, { module: buggy, label: 'n' }));
    const c = e.summarize().coverage;
    assert.equal(c.rules, rules.length);
    assert.ok(c.rulesNeverHit.includes('vote.refuse.log-behind') && c.rulesNeverHit.every((r) => rules.includes(r)), c.rulesNeverHit.join(', '));
  });

  it('a node that throws, or returns what the contract does not allow, ends the run as a crash naming the node and the call', () => {
    const cases: [string, Partial<RaftNode>, RegExp][] = [
      [
        'step throws',
        {
          step(s: unknown, input) {
            if (input.type === 'message') throw new TypeError('boom');
            return raft.step(s, input);
          },
        },
        /^bad\.js's step \(message\) threw on n\d: TypeError: boom \(at .*foreign-node\.test\.ts:\d+:\d+\)$/,
      ],
      [
        'a rule its list does not name',
        {
          step(s: unknown, input) {
            const r = raft.step(s, input);
            return { ...r, outputs: { ...r.outputs, rules: ['vote.grant', 'vote.guess'] } };
          },
        },
        /^bad\.js's step \((tick|message|request)\) on n\d reported rule "vote\.guess", which its `rules` list does not name$/,
      ],
      [
        'rules, but no list of them',
        {
          rules: undefined,
          step(s: unknown, input) {
            const r = raft.step(s, input);
            return { ...r, outputs: { ...r.outputs, rules: ['vote.grant'] } };
          },
        },
        /^bad\.js's step \((tick|message|request)\) on n\d reported rule "vote\.grant", but the node exports no `rules` list to name its rules$/,
      ],
      [
        'init throws',
        {
          init: () => {
            throw new Error('no config');
          },
        },
        /^bad\.js's init threw on n1: Error: no config \(at .*foreign-node\.test\.ts:\d+:\d+\)$/,
      ],
      [
        'a message to a stranger',
        {
          step(s: unknown, input) {
            const r = raft.step(s, input);
            return input.type === 'tick' ? { ...r, outputs: { messages: [{ to: 'n9', message: {} }] } } : r;
          },
        },
        /sent message 0 to "n9", not a node of the cluster \(n1, n2, n3/,
      ],
      [
        'persist not a list',
        { step: (s: unknown, input) => ({ ...raft.step(s, input), outputs: { persist: 'x' as never } }) },
        /returned persist "x", not a list of records/,
      ],
      ['no state', { step: () => 42 as never }, /returned 42, not \{ state, outputs \}/],
      ['a bad role', { view: (s: unknown) => ({ ...raft.view(s), role: 'boss' as never }) }, /view on n1 gave role "boss": one of follower/],
      ['a term that goes back', { view: (s: unknown) => ({ ...raft.view(s), term: -1 }) }, /gave term -1: a whole number/],
      ['classify says nothing known', { classify: () => 'ping' as never }, /classify on n\d returned "ping"/],
    ];
    for (const [what, overrides, message] of cases) {
      const r = run(variant(overrides), 2, 'bad.js');
      assert.equal(r.verdict, 'crash', what);
      assert.ok(r.violation !== undefined, what);
      assert.match(r.violation.message, message, what);
      assert.equal(r.violation.nodes.length, 1, what);
    }
    // A malformed reply to a client: a crash of that node's output, with the reply.
    const r = run(
      variant({
        step(s: unknown, input) {
          const out = raft.step(s, input);
          return input.type === 'request'
            ? { ...out, outputs: { replies: [{ client: input.request.client, seq: input.request.seq, outcome: { status: 'maybe' } as never }] } }
            : out;
        },
      }),
      2,
    );
    assert.equal(r.verdict, 'crash');
    assert.match(r.violation!.message, /answered with reply 0 .*: status is one of ok, not-leader, leadership-lost, overloaded/);
    // A hint naming no node of the cluster, and an answer to a client that asked nothing: the node's
    // contract broken, never a crash of the simulator (which routes hints and answers by them).
    const answer = (outcome: unknown, client?: string) =>
      run(
        variant({
          step(s: unknown, input) {
            const out = raft.step(s, input);
            return input.type === 'request'
              ? { ...out, outputs: { replies: [{ client: client ?? input.request.client, seq: input.request.seq, outcome } as never] } }
              : out;
          },
        }),
        2,
      );
    assert.match(answer({ status: 'not-leader', leaderHint: 'n9' }).violation!.message, /leaderHint is null or a node of the cluster/);
    assert.match(answer({ status: 'overloaded' }, 'c99').violation!.message, /no client "c99" asked this node anything/);
    assert.match(answer({ status: 'ok', result: { ok: 'yes', value: null } }).violation!.message, /an ok outcome carries result/);
  });

  it('a node that draws from Math.random diverges between two runs of a seed: --check-determinism sees it', () => {
    // Math.random instead of the seeded rng: the classic way to lose determinism (determinism-ok:
    // the test plants it on purpose, to see --check-determinism catch it).
    const leaky = variant({
      init: (id, peers, config, rng) =>
        raft.init(id, peers, config, { ...rng, intIn: (a: number, b: number) => a + Math.floor(Math.random() * (b - a + 1)), int: rng.int }),
    });
    // (A short run without split votes, where every node draws the same timeout and Math.random could not show.)
    const short = loadScenario(DEFAULT_SCENARIO.replace(/^safety .*$/m, 'safety 2s').replace(/^split-votes .*$/m, 'split-votes 0%'), 'short.raftsim');
    const rs = runSeeds({ scenario: short, seeds: [1, 2], twice: true }, { module: leaky, label: 'leaky.js' });
    assert.ok(rs.filter((r) => r.secondHash !== undefined && r.secondHash !== r.traceHash).length >= 1, 'two runs of a seed differ');
    const clean = runSeeds({ scenario: short, seeds: [1], twice: true }, { module: raft, label: 'raft.js' });
    assert.deepEqual(
      clean.map((r) => r.secondHash),
      [undefined],
    );
  });

  it("a snapshot (the debugger's time travel) runs on exactly as the original, the node's state copied whole", () => {
    const sim = new Simulation(scenario, 6, { node: { module: raft, label: 'raft.js' } });
    for (let i = 0; i < 3000; i++) sim.step();
    const copy = sim.snapshot();
    const stored = sim.store().snapshot();
    const a = sim.run();
    assert.equal(copy.run().traceHash, a.traceHash);
    assert.equal(stored.run().traceHash, a.traceHash);
    // A node whose state holds a function cannot be copied: the error says whose and what to do.
    const withFn = variant({ init: (id, peers, config, rng) => Object.assign(raft.init(id, peers, config, rng) as object, { onCommit: () => 1 }) });
    const s2 = new Simulation(scenario, 6, { node: { module: withFn, label: 'fn.js' } });
    assert.throws(
      () => s2.snapshot(),
      /fn\.js's state on n1 cannot be copied for time travel: cannot snapshot a function \(field "onCommit"\) \(a node's state must be plain data\)/,
    );
  });

  it('a scenario whose `node` line was not loaded by its host does not run the core in its place', () => {
    const named = loadScenario(`${DEFAULT_SCENARIO}\nnode ./mine.js\n`, 'mine.raftsim');
    const r = new Simulation(named, 1).run();
    assert.equal(r.verdict, 'crash');
    assert.equal(r.steps, 0);
    assert.match(r.violation!.message, /^mine\.raftsim:\d+: the scenario runs the node \.\/mine\.js, which this host did not load/);
    assert.throws(() => loadScenario('node raft.py\n', 'x.raftsim'), /x\.raftsim:1:6: "raft\.py" is not a node module/);
  });

  it('a scenario a user node cannot run yet is refused, saying what', () => {
    const membership = loadScenario(readFileSync(join(root, 'examples/membership.raftsim'), 'utf8'), 'examples/membership.raftsim');
    assert.throws(
      () => new Simulation(membership, 1, { node: { module: raft, label: 'raft.js' } }),
      /membership changes.*not yet with a user's node \(raft\.js\)/,
    );
  });
});
