// Which scenario lines a line breakpoint can stop on, per seed, and what an unverified one says;
// how breakpoint sources are matched with the scenario of the session.
import assert from 'node:assert/strict';
import { DEFAULT_SCENARIO, drawSwarm, loadScenario } from '../sim';
import { statementAt, whyLineNeverFires } from './breakpoints';
import { sameSource, sourceKey } from './sources';

const scenario = loadScenario(`${DEFAULT_SCENARIO}at 2s crash n1\n`, 'default.raftsim');
const lineOf = (statement: string): number => scenario.text.split('\n').findIndex((l) => l.startsWith(`${statement} `)) + 1;
const why = (seed: number, line: number): string | null => whyLineNeverFires(scenario, drawSwarm(scenario, seed), seed, line);

describe('line breakpoints on a scenario', () => {
  it('can fire on `at` lines and on the lines of faults that are on for the seed', () => {
    assert.equal(why(1, scenario.schedule[0]!.line), null);
    assert.ok(drawSwarm(scenario, 3).crash !== null, 'seed 3 draws recurring crashes');
    assert.equal(why(3, lineOf('crash')), null);
    assert.equal(why(1, lineOf('crash-after-append')), null);
    assert.equal(why(2, lineOf('scheduler')), null, 'seed 2 draws a PCT change point');
  });

  it('says a fault is off for the seed when swarm testing switched it off, and where crashes come from', () => {
    assert.equal(drawSwarm(scenario, 1).crash, null, 'seed 1 draws no recurring crashes');
    assert.equal(
      why(1, lineOf('crash')),
      `crash is off for seed 1 (swarm testing switched it off); it never fires on this seed. Nodes crash on this seed by crash-after-append (line ${lineOf('crash-after-append')}), at (line ${scenario.schedule[0]!.line}); a function breakpoint on crash stops on every crash.`,
    );
    assert.equal(why(1, lineOf('scheduler')), 'scheduler pct is off for seed 1 (swarm testing switched it off); it never fires on this seed.');
    const noSwarm = loadScenario('nodes 3\ncrash-after-vote chance=0% for=1ms\nswarm off\n', 'x.raftsim');
    assert.match(
      whyLineNeverFires(noSwarm, drawSwarm(noSwarm, 4), 4, 2)!,
      /^crash-after-vote is off for seed 4 \(its chance is 0%\); it never fires on this seed\. No node crashes on this seed\.$/,
    );
  });

  it('says what can take a line breakpoint on every other line', () => {
    const help =
      /A line breakpoint stops on the steps a scenario line causes: `at` lines, and each occurrence of crash, .*function breakpoint \(crash, restart, becomeLeader, vote\.granted.* or a condition/;
    assert.match(why(1, lineOf('nodes'))!, /^`nodes 3\.\.5` is a setting of the run, not a step of it\. /);
    assert.match(why(1, lineOf('nodes'))!, help);
    assert.match(why(1, lineOf('latency'))!, /^`latency uniform 1ms\.\.15ms` is a setting/);
    assert.match(why(1, lineOf('delay'))!, /^`delay` holds messages back: it is not a step of its own\. /);
    assert.match(why(1, 1)!, /^line 1 is a comment\. /);
    assert.match(why(1, lineOf('early-appends') + 1)!, /^line \d+ is empty\. /);
    assert.match(why(1, 999)!, /^line 999 is past the end of the scenario\. /);
    assert.equal(statementAt(scenario, lineOf('nodes')), 'nodes 3..5');
  });
});

describe('breakpoint sources', () => {
  it('match a path with its file: URI, whatever the separators or the drive letter case', () => {
    assert.equal(sourceKey('file:///home/u/my%20scenarios/a.raftsim'), sourceKey('/home/u/my scenarios/a.raftsim'));
    assert.equal(sourceKey('file:///c%3A/work/a.raftsim'), sourceKey('C:\\work\\a.raftsim'));
    assert.equal(sourceKey('untitled:Untitled-1'), sourceKey('untitled:Untitled-1'));
    assert.equal(sourceKey('vscode-vfs://github/o/r/a%20b.raftsim'), sourceKey('vscode-vfs://github/o/r/a b.raftsim'));
    assert.notEqual(sourceKey('/home/u/a.raftsim'), sourceKey('/home/u/b.raftsim'));
    assert.notEqual(sourceKey('untitled:Untitled-1'), sourceKey('untitled:Untitled-2'));
    assert.equal(sourceKey('/tmp/100%done.raftsim'), '/tmp/100%done.raftsim', 'a path is not decoded');
  });

  it('match a relative launch path with the absolute paths that end with it', () => {
    assert.ok(sameSource('/home/u/liferaft/examples/default.raftsim', 'examples/default.raftsim'));
    assert.ok(sameSource('/home/u/liferaft/examples/default.raftsim', './examples/default.raftsim'));
    assert.ok(sameSource('file:///c%3A/liferaft/examples/default.raftsim', 'examples\\default.raftsim'));
    assert.ok(!sameSource('/home/u/liferaft/examples/my-default.raftsim', 'default.raftsim'));
    assert.ok(!sameSource('/home/u/other/default.raftsim', '/home/u/liferaft/default.raftsim'), 'an absolute launch path is matched exactly');
  });
});
