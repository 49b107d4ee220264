// Datadriven golden transcripts, in the format of cockroachdb/datadriven as used by etcd raft:
//
//   # a comment
//   command arg key=value
//   ----
//   expected output (ends at a blank line)
//
// When the output itself has blank lines, it is written between "----\n----" and "----\n----".
// Run with REWRITE=1 to regenerate the expected outputs in place, then review the diff.
import { readFileSync, writeFileSync } from 'node:fs';
import assert from 'node:assert/strict';

export interface CmdArg {
  readonly key: string;
  readonly vals: readonly string[];
}

export interface TestCase {
  readonly pos: string; // file:line of the command
  readonly cmd: string;
  readonly args: readonly CmdArg[];
  /** Lines between the command and the separator. */
  readonly input: string;
  readonly expected: string;
}

interface Chunk {
  readonly text: string; // verbatim text kept on rewrite (comments, command, input)
  readonly tc?: TestCase;
}

export function parseArgs(words: readonly string[]): CmdArg[] {
  return words.map((w) => {
    const eq = w.indexOf('=');
    if (eq < 0) return { key: w, vals: [] };
    const raw = w.slice(eq + 1);
    const vals =
      raw.startsWith('(') && raw.endsWith(')')
        ? raw
            .slice(1, -1)
            .split(',')
            .map((s) => s.trim())
        : [raw];
    return { key: w.slice(0, eq), vals };
  });
}

export function parseFile(path: string, content: string): Chunk[] {
  const lines = content.split('\n');
  const chunks: Chunk[] = [];
  let i = 0;
  let verbatim: string[] = [];
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '' || line.startsWith('#')) {
      verbatim.push(line);
      i++;
      continue;
    }
    const cmdLine = i + 1;
    const words = line.trim().split(/\s+/);
    const head: string[] = [line];
    i++;
    const input: string[] = [];
    while (i < lines.length && lines[i] !== '----') {
      if (lines[i]!.trim() === '') throw new Error(`${path}:${i + 1}: expected ---- after the command on line ${cmdLine}`);
      input.push(lines[i]!);
      head.push(lines[i]!);
      i++;
    }
    if (i >= lines.length) throw new Error(`${path}:${cmdLine}: command without ---- separator`);
    i++; // skip ----
    const out: string[] = [];
    if (lines[i] === '----') {
      i++;
      while (i < lines.length && !(lines[i] === '----' && lines[i + 1] === '----')) out.push(lines[i++]!);
      if (i >= lines.length) throw new Error(`${path}:${cmdLine}: unterminated ----/---- output block`);
      i += 2;
    } else {
      while (i < lines.length && lines[i]!.trim() !== '') out.push(lines[i++]!);
    }
    chunks.push({ text: verbatim.join('\n'), tc: undefined });
    verbatim = [];
    const tc: TestCase = { pos: `${path}:${cmdLine}`, cmd: words[0]!, args: parseArgs(words.slice(1)), input: input.join('\n'), expected: out.join('\n') };
    chunks.push({ text: head.join('\n'), tc });
  }
  chunks.push({ text: verbatim.join('\n') });
  return chunks;
}

function renderOutput(actual: string): string {
  const body = actual.replace(/\n+$/, '');
  return body.split('\n').some((l) => l.trim() === '') ? `----\n----\n${body}\n----\n----` : `----\n${body}`;
}

/**
 * Runs every case of `path` through `run` in order (state carries over between cases of a file)
 * and compares with the expected output; with REWRITE=1, writes the actual outputs instead.
 */
export function runFile(path: string, run: (tc: TestCase) => string): void {
  const content = readFileSync(path, 'utf8');
  const chunks = parseFile(path, content);
  const rewrite = process.env.REWRITE === '1';
  const parts: string[] = [];
  for (const chunk of chunks) {
    if (chunk.tc === undefined) {
      if (chunk.text !== '' || parts.length > 0) parts.push(chunk.text);
      continue;
    }
    let actual: string;
    try {
      actual = run(chunk.tc).replace(/\n+$/, '');
    } catch (e) {
      throw new Error(`${chunk.tc.pos}: ${chunk.tc.cmd}: ${(e as Error).stack ?? String(e)}`);
    }
    if (rewrite) {
      parts.push(`${chunk.text}\n${renderOutput(actual)}`);
    } else {
      assert.equal(actual, chunk.tc.expected, `${chunk.tc.pos}: output of "${chunk.text.split('\n')[0]}" differs (REWRITE=1 regenerates)`);
    }
  }
  if (rewrite) {
    const next = parts.join('\n').replace(/\n*$/, '\n');
    if (next !== content) writeFileSync(path, next);
  }
}
