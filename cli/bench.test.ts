// liferaft bench: the soundness campaign (resumable, sharded, reproducible failures) and the quick
// throughput bench.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from './main';
import { capture, cli, root } from './cli.fixture';

describe('liferaft bench', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    // (bench --quick runs the built CLI, explore on its worker threads.)
    execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root });
    dir = mkdtempSync(join(tmpdir(), 'liferaft-bench-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('bench soundness: per scenario seeds, failures, seeds/s and wall time; resumes, shards, and prints reproduce commands', async () => {
    const state = join(dir, 'campaign.json');
    const mine = join(dir, 'campaign.raftsim');
    writeFileSync(mine, readFileSync(join(root, 'examples/partitions.raftsim'), 'utf8'));
    type Row = {
      scenario: string;
      seeds: number;
      failures: { seed: number; traceHash: string; reproduce: string }[];
      seedsPerSecond: number;
      wallSeconds: number;
      resumedFrom: number;
    };
    const campaign = async (argv: string[]): Promise<{ code: number; rows: Row[]; text: string }> => {
      const r = await capture(['bench', 'soundness', ...argv, '--workers', '0', '--state', state, '--json']);
      return { code: r.code, rows: (JSON.parse(r.out.at(-1)!) as { scenarios: Row[] }).scenarios, text: r.out.join('\n') };
    };
    const first = await campaign([mine, '--seeds', '6', '--chunk', '2']);
    assert.equal(first.code, EXIT.ok);
    assert.equal(first.rows.length, 1);
    assert.deepEqual([first.rows[0]!.seeds, first.rows[0]!.failures.length, first.rows[0]!.resumedFrom], [6, 0, 0]);
    assert.ok(first.rows[0]!.seedsPerSecond > 0 && first.rows[0]!.wallSeconds > 0);
    // The figures line up in columns, however long a scenario's path is.
    const deep = join(dir, 'a-rather-long-directory-name', 'and-another-below-it');
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(deep, 'campaign.raftsim'), readFileSync(mine, 'utf8'));
    const table = await capture([
      'bench',
      'soundness',
      join(deep, 'campaign.raftsim'),
      mine,
      '--seeds',
      '1',
      '--workers',
      '0',
      '--state',
      join(dir, 'columns.json'),
    ]);
    const lines = table.out.filter((l) => / seeds +\d+ failures/.test(l));
    assert.equal(lines.length, 3, table.out.join('\n'));
    assert.equal(new Set(lines.map((l) => l.indexOf(' seeds '))).size, 1, lines.join('\n'));
    // Cut short after the first chunk: the next run does only the rest.
    const saved = JSON.parse(readFileSync(state, 'utf8')) as { runs: Record<string, { next: number; seeds: number }> };
    const run = Object.values(saved.runs)[0]!;
    run.next = 3;
    run.seeds = 2;
    writeFileSync(state, JSON.stringify(saved));
    const resumed = await campaign([mine, '--seeds', '6', '--chunk', '2']);
    assert.deepEqual([resumed.rows[0]!.seeds, resumed.rows[0]!.resumedFrom], [6, 2]);
    // A changed scenario starts over; a shard takes its share of the range.
    writeFileSync(mine, `${readFileSync(mine, 'utf8')}\n# changed\n`);
    const sharded = await campaign([mine, '--seeds', '9', '--shard', '2/3']);
    assert.deepEqual([sharded.rows[0]!.seeds, sharded.rows[0]!.resumedFrom], [3, 0]);
    // On a scenario with a planted bug, the failure is reported with a command that reproduces it.
    const buggy = await campaign([join(root, 'sim/testdata/bugs/vote-without-log-check.raftsim'), '--seeds', '11000035..11000035']);
    assert.equal(buggy.code, 1);
    const f = buggy.rows[0]!.failures[0]!;
    assert.equal(f.seed, 11000035);
    const again = await capture([...f.reproduce.split(' ').slice(1), '--json']);
    assert.equal((JSON.parse(again.out[0]!) as { traceHash: string }).traceHash, f.traceHash);
  });

  it("bench soundness --node: a user's node on the scenarios it can run; the others are skipped, saying why; its failures reproduce with the node", async () => {
    const argv = (node: string, scenarios: string[]) => [
      'bench',
      'soundness',
      ...scenarios,
      '--node',
      node,
      '--seeds',
      '2',
      '--workers',
      '0',
      '--state',
      join(dir, 'node.json'),
    ];
    const clean = await capture(
      argv(join(root, 'examples/your-node/raft.js'), [join(root, 'examples/default.raftsim'), join(root, 'examples/membership.raftsim')]),
    );
    assert.equal(clean.code, EXIT.ok, clean.out.join('\n'));
    const text = clean.out.join('\n');
    assert.match(text, /membership\.raftsim: skipped \(`spares` \(membership changes\): not yet with a user's node \(raft\.js\)\)/);
    assert.match(text, /default\.raftsim +2 seeds +0 failures/);
    const buggy = await capture([...argv(join(root, 'examples/your-node/raft-bug-vote-any-log.js'), [join(root, 'examples/default.raftsim')]), '--json']);
    assert.equal(buggy.code, 1);
    const f = (JSON.parse(buggy.out.at(-1)!) as { scenarios: { failures: { reproduce: string; traceHash: string }[] }[] }).scenarios[0]!.failures[0]!;
    assert.match(f.reproduce, /--node \S*raft-bug-vote-any-log\.js$/);
    const again = await capture([...f.reproduce.split(' ').slice(1), '--json']);
    assert.equal((JSON.parse(again.out[0]!) as { traceHash: string }).traceHash, f.traceHash);
    // Without --node, a scenario's own `node` line names the node; with nothing left to run, a usage error.
    const mine = join(dir, 'mine.raftsim');
    writeFileSync(mine, `node ${join(root, 'examples/your-node/raft-bug-vote-any-log.js')}\n${readFileSync(join(root, 'examples/default.raftsim'), 'utf8')}`);
    const own = await capture(['bench', 'soundness', mine, '--seeds', '2', '--workers', '0', '--state', join(dir, 'own.json'), '--json']);
    assert.equal(own.code, 1, own.out.join('\n'));
    const row = (JSON.parse(own.out.at(-1)!) as { scenarios: { failures: { invariant: string; reproduce: string }[] }[] }).scenarios[0]!;
    assert.deepEqual(
      row.failures.map((x) => x.invariant),
      ['LeaderCompletenessInv', 'LeaderCompletenessInv'],
    );
    assert.doesNotMatch(row.failures[0]!.reproduce, /--node/);
    const none = await capture(argv(join(root, 'examples/your-node/raft.js'), [join(root, 'examples/membership.raftsim')]));
    assert.equal(none.code, EXIT.usage);
    assert.match(none.err.join('\n'), /no scenario to run: .*membership\.raftsim: `spares`/);
  });

  it('bench --quick reports throughput against its baseline, explore and memory', function () {
    this.timeout(120_000);
    const r = spawnSync(process.execPath, ['--expose-gc', cli, 'bench', '--quick', '--json'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const b = JSON.parse(r.stdout) as {
      baseline: { perSecond: number };
      simulation: { perSecond: number; events: number };
      ratio: number;
      explore: { seedsPerSecond: number; eventsPerSecondPerCore: number; perCoreRatio: number };
      memoryProtocol: { samples: unknown[] };
      memoryWorkload: { committedEntries: number };
      parallelCeiling: { eventsPerSecond: number; eventsPerSecondPerCore: number; perCoreRatio: number; exploreRatio: number };
    };
    assert.ok(b.baseline.perSecond > 0 && b.simulation.perSecond > 0 && b.simulation.events >= 500_000);
    assert.equal(b.ratio, Math.round((b.simulation.perSecond / b.baseline.perSecond) * 1000) / 1000);
    assert.ok(b.explore.seedsPerSecond > 0);
    assert.equal(
      b.explore.perCoreRatio,
      Math.round((b.explore.eventsPerSecondPerCore / b.simulation.perSecond) * 100) / 100,
      'explore per core against one core',
    );
    assert.ok(
      b.parallelCeiling.eventsPerSecond > 0 && b.parallelCeiling.perCoreRatio > 0 && b.parallelCeiling.exploreRatio > 0,
      'the side-by-side ceiling is measured in the same run',
    );
    assert.equal(b.memoryProtocol.samples.length, 11);
    assert.ok(b.memoryWorkload.committedEntries > 0);
  });
});
