// What the CLI's tests share: running the CLI in process and capturing what it prints, and
// splitting a printed command line as a shell would.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { main } from './main';

export const root = join(__dirname, '..');
export const cli = join(root, 'dist/cli.js');

export async function capture(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s), progress: null });
  return { code, out, err };
}

/** Splits a command line as a POSIX shell would (bare words, '…' quotes, backslash escapes). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      assert.ok(end > i, `unterminated quote in ${line}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (ch === '\\') {
      word = (word ?? '') + line[++i]!;
    } else if (/\s/.test(ch)) {
      if (word !== null) words.push(word);
      word = null;
    } else {
      word = (word ?? '') + ch;
    }
  }
  if (word !== null) words.push(word);
  return words;
}
