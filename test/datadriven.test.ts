import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, parseFile, runFile, type TestCase } from './datadriven';

describe('datadriven runner', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'liferaft-dd-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const echo = (tc: TestCase): string =>
    `${tc.cmd}(${tc.args.map((a) => (a.vals.length > 0 ? `${a.key}=${a.vals.join('|')}` : a.key)).join(' ')})${tc.input ? `\n${tc.input}` : ''}`;

  it('parses commands, arguments, input lines and both output forms', () => {
    const chunks = parseFile('f.txt', '# comment\ncmd a k=v l=(1,2)\nin1\n----\nout\n\nother\n----\n----\nx\n\ny\n----\n----\n');
    const cases = chunks.flatMap((c) => (c.tc ? [c.tc] : []));
    assert.equal(cases.length, 2);
    assert.deepEqual(cases[0], {
      pos: 'f.txt:2',
      cmd: 'cmd',
      input: 'in1',
      expected: 'out',
      args: [
        { key: 'a', vals: [] },
        { key: 'k', vals: ['v'] },
        { key: 'l', vals: ['1', '2'] },
      ],
    });
    assert.deepEqual(parseArgs(['x=']), [{ key: 'x', vals: [''] }]);
    assert.equal(cases[1]!.expected, 'x\n\ny');
  });

  it('passes when outputs match and reports file:line when they do not', () => {
    const f = join(dir, 't.txt');
    writeFileSync(f, 'one a\n----\none(a)\n\ntwo\n----\nwrong\n');
    assert.throws(
      () => runFile(f, echo),
      (e: Error) => e.message.includes(`${f}:5: output of "two" differs`),
    );
    writeFileSync(f, 'one a\n----\none(a)\n');
    runFile(f, echo);
  });

  it('REWRITE=1 regenerates outputs and keeps comments, commands and inputs', () => {
    const f = join(dir, 't.txt');
    writeFileSync(f, '# keep me\none a\n----\nstale\n\n# and me\ntwo\nline\n----\n');
    const saved = process.env.REWRITE;
    process.env.REWRITE = '1';
    try {
      runFile(f, (tc) => (tc.cmd === 'two' ? `${echo(tc)}\n\nwith a blank line` : echo(tc)));
    } finally {
      if (saved === undefined) delete process.env.REWRITE;
      else process.env.REWRITE = saved;
    }
    assert.equal(readFileSync(f, 'utf8'), '# keep me\none a\n----\none(a)\n\n# and me\ntwo\nline\n----\n----\ntwo()\nline\n\nwith a blank line\n----\n----\n');
    runFile(f, (tc) => (tc.cmd === 'two' ? `${echo(tc)}\n\nwith a blank line` : echo(tc)));
  });

  it('refuses malformed files with the line', () => {
    assert.throws(() => parseFile('f.txt', 'cmd'), /f.txt:1: command without ---- separator/);
    assert.throws(() => parseFile('f.txt', 'cmd\n\n----\n'), /f.txt:2: expected ----/);
    assert.throws(() => parseFile('f.txt', 'cmd\n----\n----\nx\n'), /f.txt:1: unterminated/);
  });
});
