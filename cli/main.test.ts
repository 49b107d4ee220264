import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { EXIT } from './main';
import { capture, cli, root, shellWords } from './cli.fixture';
import { seedsInShard, worstVerdict } from './cmd-explore';
import { reproduceCommand, setInvocation } from './args';

describe('liferaft CLI', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root });
    dir = mkdtempSync(join(tmpdir(), 'liferaft-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('demo', () => {
    it('elects a leader, commits writes through every node and serves a read', async () => {
      const { code, out } = await capture(['demo']);
      assert.equal(code, EXIT.ok);
      const text = out.join('\n');
      assert.match(text, /became leader of term \d+/);
      assert.match(text, /c1#1 put k1=v1 sent to n\d.* → ok "v1"/);
      assert.match(text, /c2#1 get k1 sent to n3 → ReadIndex round → ok "v1"/);
      assert.match(text, /applied on every node \(identical\)/);
    });

    it('--json prints one JSON object, the same for the same seed; many sizes and seeds succeed', async () => {
      const a = await capture(['demo', '--json', '--seed', '9']);
      const b = await capture(['demo', '--json', '--seed', '9']);
      assert.equal(a.out.length, 1);
      assert.equal(a.out[0], b.out[0]);
      assert.equal((JSON.parse(a.out[0]!) as { ok: boolean }).ok, true);
      for (const nodes of ['1', '3', '5', '7']) {
        for (let seed = 1; seed <= 20; seed++) {
          const { code, out } = await capture(['demo', '--json', '--nodes', nodes, '--seed', String(seed), '--writes', '5']);
          assert.equal(code, EXIT.ok, `nodes ${nodes} seed ${seed}: ${out.join('\n')}`);
        }
      }
    });
  });

  describe('run', () => {
    it('runs one seed of the default scenario and prints one JSON object', async () => {
      const { code, out } = await capture(['run', '--seed', '3', '--json']);
      assert.equal(code, EXIT.ok);
      assert.equal(out.length, 1);
      const r = JSON.parse(out[0]!) as { seed: number; steps: number; simulatedMs: number; verdict: string; traceHash: string };
      assert.equal(r.seed, 3);
      assert.equal(r.verdict, 'ok');
      assert.ok(r.steps > 1000);
      assert.ok(r.simulatedMs >= 10_000, 'the safety phase of the default scenario lasts 10s');
      assert.match(r.traceHash, /^[0-9a-f]{16}$/);
      const again = await capture(['run', '--seed', '3', '--json']);
      assert.equal(again.out[0], out[0], 'the same seed gives the same run');
    });

    it('--itf writes the run in the Informal Trace Format: every step of a short run, a window when asked, usage errors for the rest', async () => {
      const file = join(dir, 'run.itf.json');
      const run = await capture(['run', 'sim/testdata/bugs/commit-old-term.raftsim', '--itf', file]);
      assert.equal(run.code, EXIT.safety);
      const steps = Number(/— ([\d,]+) steps/.exec(run.out[0]!)![1]!.replace(/,/g, ''));
      assert.match(
        run.out.join('\n'),
        new RegExp(
          `ITF trace of every step \\(${(steps + 1).toLocaleString('en-US')} states\\), [\\d.]+ (MB|kB), written to ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`,
        ),
      );
      const t = JSON.parse(readFileSync(file, 'utf8')) as {
        vars: string[];
        states: { '#meta': { index: number; step: number } }[];
        '#meta': { verdict: string };
      };
      assert.equal(t.states.length, steps + 1);
      assert.equal(t['#meta'].verdict, 'safety');
      const window = await capture(['run', '--seed', '3', '--itf', file, '--itf-steps', '10..20', '--json']);
      assert.deepEqual((JSON.parse(window.out[0]!) as { itf: { from: number; to: number; states: number } }).itf, {
        file,
        from: 10,
        to: 20,
        states: 11,
        bytes: readFileSync(file).length,
      });
      const past = await capture(['run', '--seed', '3', '--itf', file, '--itf-steps', '900000..900001']);
      assert.equal(past.code, EXIT.usage);
      assert.match(past.err.join('\n'), /--itf-steps 900000\.\.900001: the run ends at step \d+/);
      const alone = await capture(['run', '--seed', '3', '--itf-steps', 'all']);
      assert.equal(alone.code, EXIT.usage);
      assert.match(alone.err.join('\n'), /--itf-steps goes with --itf FILE/);
    });

    it('writes a trace that replays exactly', async () => {
      const trace = join(dir, 't.rafttrace');
      const run = await capture(['run', '--seed', '5', '--trace', trace]);
      assert.equal(run.code, EXIT.ok);
      assert.match(run.out.join('\n'), /seed 5: ok — [\d,]+ steps/);
      const replay = await capture(['replay', trace, '--json']);
      assert.equal(replay.code, EXIT.ok);
      const r = JSON.parse(replay.out[0]!) as { ok: boolean; steps: number };
      assert.equal(r.ok, true);
      // Tamper with the recorded seed: the replay diverges and says where.
      const t = JSON.parse(readFileSync(trace, 'utf8')) as { seed: number };
      writeFileSync(join(dir, 'bad.rafttrace'), JSON.stringify({ ...t, seed: 6 }));
      const bad = await capture(['replay', join(dir, 'bad.rafttrace'), '--json']);
      assert.equal(bad.code, EXIT.diverged);
      const b = JSON.parse(bad.out[0]!) as { ok: boolean; divergedAt: number };
      assert.equal(b.ok, false);
      assert.ok(b.divergedAt >= 1);
      // A fork naming a node this run does not have is refused before the run (it crashed replay, exit 3).
      writeFileSync(join(dir, 'fork.rafttrace'), JSON.stringify({ ...t, forks: [{ step: 10, action: { kind: 'pause', node: 8 } }] }));
      const fork = await capture(['replay', join(dir, 'fork.rafttrace')]);
      assert.equal(fork.code, EXIT.usage, fork.err.join('\n'));
      assert.match(fork.err.join('\n'), /fork 1: "pause" needs a node index 0\.\.\d \(seed 5 of this scenario runs \d nodes\)/);
    });

    it('refuses bad scenarios with file:line:col and exit 64', async () => {
      const f = join(dir, 'bad.raftsim');
      writeFileSync(f, 'nodes 5\ntick 10 ms\n');
      const { code, err } = await capture(['run', f, '--seed', '1']);
      assert.equal(code, EXIT.usage);
      assert.match(err.join('\n'), new RegExp(`${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:6: expected a tick length with a unit`));
    });
  });

  describe('replay', () => {
    it('refuses malformed and foreign files with a clear message', async () => {
      const cases: [string, RegExp][] = [
        ['not json', /not a LifeRaft trace: invalid JSON/],
        ['[1,2]', /expected a JSON object/],
        ['{"format":"other"}', /"format" is "other", expected "liferaft-trace"/],
        ['{"format":"liferaft-trace","version":99}', /unsupported trace version 99/],
      ];
      for (const [text, message] of cases) {
        const f = join(dir, 'x.rafttrace');
        writeFileSync(f, text);
        const { code, err } = await capture(['replay', f]);
        assert.equal(code, EXIT.usage, text);
        assert.match(err.join('\n'), message);
      }
      const missing = await capture(['replay', join(dir, 'nope.rafttrace')]);
      assert.equal(missing.code, EXIT.usage);
      assert.match(missing.err.join('\n'), /cannot read trace .*nope.rafttrace: no such file/);
    });
  });

  describe('explore', () => {
    it('runs seeds inline and reports no failures on the default scenario', async () => {
      const { code, out } = await capture(['explore', '--seeds', '1..6', '--workers', '0', '--json']);
      assert.equal(code, EXIT.ok);
      const r = JSON.parse(out[0]!) as { seedsRun: number; failures: unknown[]; eventsPerSecond: number; seedsPerSecond: number; elapsedMs: number };
      assert.equal(r.seedsRun, 6);
      assert.deepEqual(r.failures, []);
      assert.ok(r.eventsPerSecond > 0 && r.seedsPerSecond > 0 && r.elapsedMs > 0);
    });

    it('takes --seeds N as seeds 1..N, as bench soundness does', async () => {
      const n = JSON.parse((await capture(['explore', '--seeds', '3', '--workers', '0', '--json'])).out[0]!) as { seedsRun: number; traceHashes?: unknown };
      const range = JSON.parse((await capture(['explore', '--seeds', '1..3', '--workers', '0', '--json'])).out[0]!) as { seedsRun: number };
      assert.equal(n.seedsRun, 3);
      assert.equal(range.seedsRun, 3);
    });

    it('shards seeds', async () => {
      const { out } = await capture(['explore', '--seeds', '1..10', '--shard', '2/3', '--workers', '0', '--json']);
      assert.equal((JSON.parse(out[0]!) as { seedsRun: number }).seedsRun, 4); // I=2 of 3 takes the seeds ≡ 1 (mod 3): 1, 4, 7, 10
      // The count of a shard's seeds, computed without visiting them, agrees with visiting them.
      for (const [from, to, i, n] of [
        [1, 10, 2, 3],
        [0, 0, 1, 1],
        [5, 5, 2, 2],
        [7, 100, 3, 7],
        [3, 2000, 4, 4],
      ] as const) {
        const expected = Array.from({ length: to - from + 1 }, (_, k) => from + k).filter((s) => s % n === i - 1).length;
        assert.equal(seedsInShard({ from, to }, { i, n }), expected, `${from}..${to} shard ${i}/${n}`);
      }
      assert.equal(seedsInShard({ from: 1, to: 1e12 }, { i: 1, n: 4 }), 250_000_000_000, 'a huge range is counted at once');
    });

    it('finds a failing seed, writes its trace, and the trace replays to the same violation', async () => {
      // Liveness cannot be reached in 100ms: every seed fails with a liveness verdict.
      const f = join(dir, 'tight.raftsim');
      writeFileSync(f, 'nodes 3\nsafety 200ms\nliveness 1ms\n');
      const out = join(dir, 'out');
      const { code, out: lines } = await capture(['explore', f, '--seeds', '1..2', '--workers', '0', '--out', out, '--json']);
      assert.equal(code, EXIT.liveness);
      const r = JSON.parse(lines[0]!) as { failures: { seed: number; verdict: string; invariant: string; trace: string }[] };
      assert.equal(r.failures.length, 2);
      assert.equal(r.failures[0]!.verdict, 'liveness');
      const replay = await capture(['replay', r.failures[0]!.trace, '--json']);
      assert.equal(replay.code, EXIT.ok);
      assert.equal((JSON.parse(replay.out[0]!) as { verdict: string }).verdict, 'liveness');
      // explore shrank each failure into a regression scenario that pins its seed and fails alike.
      const shrunk = (r.failures[0] as unknown as { shrunk: string }).shrunk;
      assert.match(shrunk, /seed-1\.shrunk\.raftsim$/);
      const rerun = await capture(['run', shrunk, '--json']);
      assert.equal(rerun.code, EXIT.liveness);
      assert.equal((JSON.parse(rerun.out[0]!) as { seed: number }).seed, 1);
      // shrink on the trace directly does the same.
      const s = await capture(['shrink', r.failures[1]!.trace, '--out', join(dir, 'two.raftsim'), '--json']);
      assert.equal(s.code, EXIT.ok);
      const sr = JSON.parse(s.out[0]!) as { reproduced: boolean; lines: number; verdict: string };
      assert.deepEqual([sr.reproduced, sr.verdict], [true, 'liveness']);
      assert.ok(sr.lines <= 20);
    });
  });

  describe('planted bugs', () => {
    it('shrink keeps the planted bugs its trace was recorded with', async () => {
      const trace = join(dir, 'stale-vote.rafttrace');
      const run = await capture(['run', '--seed', '30', '--bug', 'stale-vote-response', '--trace', trace, '--json']);
      assert.equal(run.code, EXIT.safety);
      const out = join(dir, 'stale-vote.raftsim');
      const s = await capture(['shrink', trace, '--out', out, '--seconds', '5', '--json']);
      const r = JSON.parse(s.out[0]!) as { reproduced: boolean; invariant: string | null };
      assert.deepEqual([s.code, r.reproduced, r.invariant], [EXIT.ok, true, 'OneLeaderPerTerm']);
      assert.match(readFileSync(out, 'utf8'), /^bugs stale-vote-response$/m);
    });

    it("explore --bug --until-failure stops at the first failure, caught by the catalogue's invariant, and reports coverage", async () => {
      const { code, out, err } = await capture(['explore', '--bug', 'stale-read', '--seeds', '1..500', '--workers', '0', '--until-failure', '--json']);
      assert.equal(code, EXIT.safety);
      assert.match(err.join('\n'), /planted bugs on: stale-read/);
      const r = JSON.parse(out[0]!) as {
        seedsRun: number;
        failures: { seed: number; invariant: string }[];
        firstFailure: { seeds: number; ms: number };
        coverage: { signals: number; of: number; rulesNeverHit: string[] };
      };
      assert.equal(r.failures.length, 1);
      assert.equal(r.failures[0]!.invariant, 'Linearizability');
      assert.ok(r.seedsRun >= r.failures[0]!.seed && r.seedsRun < 500, 'the range runs in order and stops once a batch has a failure');
      assert.equal(r.firstFailure.seeds, r.seedsRun);
      assert.ok(r.coverage.signals > 0 && r.coverage.signals <= r.coverage.of);
      assert.ok(r.coverage.rulesNeverHit.length > 0 && r.coverage.rulesNeverHit.length < 100);
      assert.ok(!r.coverage.rulesNeverHit.some((x) => x.startsWith('bug.') && x !== 'bug.stale-read'), 'paths of bugs that are off are not reported as missed');
      // The same seed without the bug passes.
      const clean = await capture(['run', '--seed', String(r.failures[0]!.seed), '--json']);
      assert.equal(clean.code, EXIT.ok);
    });

    it('every printed reproduce command reproduces the verdict and the trace hash exactly', async () => {
      // A scenario path with a space and a quote, planted bugs from the command line and from the
      // file, the built-in default scenario: each printed command is run as a shell would split it.
      const odd = join(dir, "it's a dir");
      mkdirSync(odd, { recursive: true });
      const mine = join(odd, 'my scenario.raftsim');
      writeFileSync(mine, readFileSync(join(root, 'examples/partitions.raftsim'), 'utf8'));
      const fromFile = join(root, 'sim/testdata/bugs/vote-without-log-check.raftsim');
      const cases: { argv: string[]; expectFailures: boolean }[] = [
        { argv: ['explore', '--bug', 'stale-vote-response', '--seeds', '25..40', '--workers', '0'], expectFailures: true },
        {
          argv: ['explore', mine, '--bug', 'stale-read', '--bug', 'duplicate-apply', '--seeds', '10..20', '--workers', '0', '--until-failure'],
          expectFailures: true,
        },
        { argv: ['explore', fromFile, '--seeds', '11000034..11000036', '--workers', '0'], expectFailures: true },
        { argv: ['run', mine, '--seed', '5', '--bug', 'stale-vote-response', '--bug', 'duplicate-apply'], expectFailures: false },
        { argv: ['run', '--seed', '30', '--bug', 'stale-vote-response'], expectFailures: true },
      ];
      let checked = 0;
      for (const c of cases) {
        const printed = await capture(c.argv);
        const text = printed.out.join('\n');
        const commands = [...text.matchAll(/reproduce: (liferaft .*)$/gm)].map((m) => m[1]!);
        if (c.expectFailures) assert.ok(commands.length > 0, `${c.argv.join(' ')} printed no reproduce command:\n${text}`);
        for (const command of commands) {
          const seed = Number(/--seed (\d+)/.exec(command)![1]);
          // What the original run printed for this seed: its verdict and its trace hash.
          const hash =
            c.argv[0] === 'run' ? /trace ([0-9a-f]{16})/.exec(text)![1]! : new RegExp(`seed ${seed}: (\\w+) .*\\(trace ([0-9a-f]{16})\\)`).exec(text)![2]!;
          const words = shellWords(command);
          assert.deepEqual(words.slice(0, 2), ['liferaft', 'run']);
          const again = await capture([...words.slice(1).filter((w, i, a) => w !== '--trace' && a[i - 1] !== '--trace'), '--json']);
          const r = JSON.parse(again.out[0]!) as { traceHash: string; verdict: string };
          assert.equal(r.traceHash, hash, `${command} ran trace ${r.traceHash}, the original ran ${hash}`);
          assert.notEqual(again.code, EXIT.ok, `${command} fails as the original did`);
          checked++;
        }
      }
      assert.ok(checked >= 4, `${checked} commands checked`);
    });

    it('a reproduce line printed by `node dist/cli.js` starts the way the CLI was started, and reproduces when pasted', () => {
      // From a clone there is no `liferaft` on PATH: the printed command must be one the user can paste.
      const first = spawnSync(process.execPath, [relative(root, cli), 'explore', '--bug', 'stale-vote-response', '--seeds', '25..40', '--workers', '0'], {
        cwd: root,
        encoding: 'utf8',
      });
      const line = /reproduce: (.*)$/m.exec(first.stdout)?.[1];
      assert.ok(line !== undefined, first.stdout + first.stderr);
      const words = shellWords(line);
      assert.deepEqual(words.slice(0, 3), ['node', relative(root, cli), 'run']);
      const seed = /--seed (\d+)/.exec(line)![1]!;
      const hash = new RegExp(`seed ${seed}: \\w+ .*\\(trace ([0-9a-f]{16})\\)`).exec(first.stdout)![1];
      const again = spawnSync(process.execPath, [...words.slice(1), '--json'], { cwd: root, encoding: 'utf8' });
      assert.equal((JSON.parse(again.stdout) as { traceHash: string }).traceHash, hash);
    });

    it('the reproduce line names the CLI as the user can call it: installed, through npx, or from a clone', () => {
      const line = (script: string, cwd: string): string => {
        setInvocation(script, cwd);
        return reproduceCommand('my dir/x.raftsim', 3, ['stale-read']);
      };
      try {
        assert.equal(line('/usr/local/bin/liferaft', '/home/u'), "liferaft run 'my dir/x.raftsim' --seed 3 --bug stale-read");
        assert.equal(line('/home/u/p/node_modules/.bin/liferaft', '/home/u/p'), "npx liferaft run 'my dir/x.raftsim' --seed 3 --bug stale-read");
        assert.equal(line('/home/u/liferaft/dist/cli.js', '/home/u/liferaft'), "node dist/cli.js run 'my dir/x.raftsim' --seed 3 --bug stale-read");
        assert.equal(line('/opt/my tools/dist/cli.js', '/home/u'), "node '/opt/my tools/dist/cli.js' run 'my dir/x.raftsim' --seed 3 --bug stale-read");
      } finally {
        setInvocation('/usr/local/bin/liferaft', '/');
      }
    });

    it("run --bug reproduces a bug's shrunk regression scenario; unknown bugs are refused", async () => {
      const file = join(root, 'sim/testdata/bugs/vote-without-log-check.raftsim');
      const r = await capture(['run', file, '--json']);
      assert.notEqual(r.code, EXIT.ok);
      assert.match(r.err.join('\n'), /planted bugs on \(from .*\): vote-without-log-check/);
      for (const argv of [
        ['run', '--seed', '1', '--bug', 'nope'],
        ['explore', '--bug', 'nope'],
        ['bench', 'bugs', '--bug', 'nope'],
      ]) {
        const bad = await capture(argv);
        assert.equal(bad.code, EXIT.usage, argv.join(' '));
        assert.match(bad.err.join('\n'), /unknown planted bug "nope" \(known: stale-vote-response, /);
      }
    });

    it("bench bugs finds a bug with LifeRaft's search and reports it against uniform random exploration", () => {
      const r = spawnSync(process.execPath, [cli, 'bench', 'bugs', '--bug', 'vote-without-log-check', '--streams', '1', '--budget', '3', '--json'], {
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stderr);
      const b = JSON.parse(r.stdout) as {
        streams: number;
        bugs: { bug: string; expected: string; targeted: { found: boolean; invariant: string }[]; uniform: unknown[]; shrunkLines: number | null }[];
        noBug: { seeds: number; failures: number };
      };
      assert.equal(b.bugs.length, 1);
      const row = b.bugs[0]!;
      assert.deepEqual([row.bug, row.expected, row.targeted.length, row.uniform.length], ['vote-without-log-check', 'LeaderCompletenessInv', 1, 1]);
      assert.equal(row.targeted[0]!.found, true);
      assert.ok(row.shrunkLines !== null && row.shrunkLines > 0);
      assert.ok(b.noBug.seeds > 0);
      assert.equal(b.noBug.failures, 0);
    });
  });

  describe('explore at scale', () => {
    it('runs 300 seeds of the default scenario on worker threads without a violation', () => {
      const r = spawnSync(process.execPath, [cli, 'explore', '--seeds', '1..300', '--json'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      const report = JSON.parse(r.stdout) as { seedsRun: number; failures: unknown[] };
      assert.equal(report.seedsRun, 300);
      assert.deepEqual(report.failures, []);
    });

    it('--check-determinism runs every seed twice and finds them identical', async () => {
      const { code, out } = await capture(['explore', '--seeds', '1..4', '--workers', '0', '--check-determinism', '--json']);
      assert.equal(code, EXIT.ok);
      assert.deepEqual((JSON.parse(out[0]!) as { failures: unknown[] }).failures, []);
    });
  });

  it('refuses bad usage with exit 64 and a message', async () => {
    for (const [argv, message] of [
      [['bogus'], /unknown command "bogus"/],
      [['demo', '--nodes', '0'], /--nodes must be an integer from 1 to 9/],
      [['run'], /run needs --seed N/],
      [['member', 'transfer'], /usage: liferaft member transfer ID/],
      [['member', 'evict', 'n2'], /unknown member command "evict" \(list, add, remove, transfer\)/],
      [['member', 'add', 'n4'], /usage: liferaft member add ID HOST:PORT/],
      [['member', 'add', 'n4', 'nowhere'], /usage: liferaft member add ID HOST:PORT/],
      [['member', 'remove'], /usage: liferaft member remove ID/],
      [['node', '--id', 'n4', '--listen', '7004', '--data', '/tmp/x'], /missing --peers \(or --join, to be added to a running cluster\)/],
      [['member', '--endpoints', 'not a url', 'list'], /--endpoints: "http:\/\/not a url" is not a URL/],
      [['shrink'], /shrink needs one failing .rafttrace file/],
      [['run', '--seed', 'x'], /--seed must be an integer/],
      [['explore', '--seeds', '5..1'], /A must not exceed B/],
      [['explore', '--seeds', '1..2', '--time', '3'], /either --seeds N\|A\.\.B or --time SECONDS/],
      [['explore', '--seeds', '3-5'], /--seeds must be N \(seeds 1\.\.N\) or A\.\.B \(got "3-5"\)/],
      [['bench', 'soundness', '--seeds', '0'], /--seeds must be an integer from 1/],
      [['explore', '--shard', '4/3'], /--shard must be I\/N/],
      [['demo', '--wat'], /Unknown option '--wat'/],
      [[], /usage: liferaft/],
    ] as const) {
      const { code, err, out } = await capture([...argv]);
      assert.equal(code, EXIT.usage, argv.join(' '));
      assert.match([...err, ...out].join('\n'), message);
    }
  });

  it('explore exits with the most severe verdict found: safety, then a crash, then liveness', () => {
    assert.equal(worstVerdict([]), null);
    assert.equal(worstVerdict(['liveness', 'crash', 'safety', 'liveness']), 'safety');
    assert.equal(worstVerdict(['liveness', 'crash']), 'crash');
    assert.equal(worstVerdict(['liveness']), 'liveness');
  });

  it("COMMAND --help and help COMMAND print that command's usage and exit 0", async () => {
    for (const [argv, first, takesBug] of [
      [['explore', '--help'], /^usage: liferaft explore \[SCENARIO\]/, true],
      [['bench', 'soundness', '-h'], /^usage: liferaft bench soundness \[SCENARIO\.\.\.\]/, false],
      [['help', 'run'], /^usage: liferaft run \[SCENARIO\]/, true],
      [['bench', '--help'], /^usage: liferaft bench \[--quick\]/, false],
    ] as const) {
      const { code, out } = await capture([...argv]);
      assert.equal(code, EXIT.ok, argv.join(' '));
      const text = out.join('\n');
      assert.match(text, first);
      if (takesBug) assert.match(text, /--bug NAME .*\n.*stale-vote-response/, 'the planted bugs are named');
      else assert.doesNotMatch(text, /--bug/, 'a command without --bug does not offer it');
      assert.doesNotMatch(text, /\n {2}replay FILE/, 'only that command');
    }
    const bad = await capture(['bench', 'soundness', '--bug', 'x']);
    assert.equal(bad.code, EXIT.usage);
    assert.match(bad.err.join('\n'), /Unknown option '--bug'[^]*usage: liferaft bench soundness/, "a bad option shows that command's usage");
    assert.doesNotMatch(bad.err.join('\n'), /\n {2}replay FILE/, "not every command's");
    const after = await capture(['run', '--seed', '1', '--', '--help']);
    assert.notEqual(after.out.join('\n').slice(0, 6), 'usage:', 'a --help after -- is a positional');
    const none = await capture(['help', 'nope']);
    assert.equal(none.code, EXIT.usage);
    assert.match(none.err.join('\n'), /no command "nope"/);
  });

  it('the built dist/cli.js runs as a program, with explore on worker threads', () => {
    const ok = spawnSync(process.execPath, [cli, 'explore', '--seeds', '1..8', '--workers', '2', '--json'], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout.trim().split('\n').length, 1);
    const r = JSON.parse(ok.stdout) as { seedsRun: number; failures: unknown[] };
    assert.equal(r.seedsRun, 8);
    const bad = spawnSync(process.execPath, [cli, 'nope'], { encoding: 'utf8' });
    assert.equal(bad.status, 64);
    assert.match(bad.stderr, /unknown command/);
    const version = spawnSync(process.execPath, [cli, '--version'], { encoding: 'utf8' });
    assert.match(version.stdout, /^\d+\.\d+\.\d+/);
  });
});
