// Shared pieces of the CLI: exit codes (docs/ARCHITECTURE.md), usage errors, option parsing, output sinks.
import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative } from 'node:path';
import { BUG_NAMES, isBugName } from '../core';
import { DEFAULT_SCENARIO, DEFAULT_SCENARIO_FILE, loadScenario, withBugs, type Scenario } from '../sim';

/** The exit codes of docs/ARCHITECTURE.md; `replay` uses 1 (like a safety failure) for a trace that does not reproduce. */
export const EXIT = { ok: 0, safety: 1, liveness: 2, crash: 3, usage: 64, diverged: 1 } as const;

export class UsageError extends Error {}

export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Progress output (a terminal line rewritten in place); null when not a terminal. */
  progress: ((line: string) => void) | null;
}

export function intOption(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  }
  return n;
}

/** "A..B" (inclusive). */
export function rangeOption(name: string, raw: string): { from: number; to: number } {
  const m = /^(\d+)\.\.(\d+)$/.exec(raw);
  if (m === null) throw new UsageError(`--${name} must look like A..B (got ${JSON.stringify(raw)})`);
  const from = Number(m[1]);
  const to = Number(m[2]);
  if (from > to || !Number.isSafeInteger(to)) throw new UsageError(`--${name} ${raw}: A must not exceed B`);
  return { from, to };
}

/** `--seeds`: `N` (seeds 1..N) or `A..B`, the same for every command that takes it. */
export function seedsOption(raw: string): { from: number; to: number } {
  if (/^\d+$/.test(raw)) return { from: 1, to: intOption('seeds', raw, 1, 1, Number.MAX_SAFE_INTEGER) };
  if (!/^\d+\.\.\d+$/.test(raw)) throw new UsageError(`--seeds must be N (seeds 1..N) or A..B (got ${JSON.stringify(raw)})`);
  return rangeOption('seeds', raw);
}

/** The scenario at `path`, or the built-in default. Scenario errors become usage errors (exit 64). */
/** A file the user named, as text; one that cannot be read is a usage error saying why ("cannot read trace t.rafttrace: no such file"). */
export function readInput(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : (code ?? (e as Error).message);
    throw new UsageError(`cannot read ${what} ${path}: ${why}`);
  }
}

export function readScenario(path: string | undefined): Scenario {
  let text = DEFAULT_SCENARIO;
  let file = DEFAULT_SCENARIO_FILE;
  if (path !== undefined) {
    text = readInput(path, 'scenario');
    file = path;
  }
  try {
    return loadScenario(text, file);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** --shard I/N: the seeds ≡ I-1 (mod N); null when not given. */
export function shardOption(raw: string | undefined): { readonly i: number; readonly n: number } | null {
  if (raw === undefined) return null;
  const m = /^(\d+)\/(\d+)$/.exec(raw);
  if (m === null || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new UsageError(`--shard must be I/N with 1 ≤ I ≤ N (got ${JSON.stringify(raw)})`);
  return { i: Number(m[1]), n: Number(m[2]) };
}

/** The scenario with planted bugs from --bug switched on as well (named one by one), said on stderr. */
export function withCliBugs(s: Scenario, bugs: readonly string[] | undefined, io: Io): Scenario {
  if (bugs === undefined || bugs.length === 0) {
    if (s.bugs.length > 0) io.err(`liferaft: planted bugs on (from ${s.file}): ${s.bugs.join(', ')}`);
    return s;
  }
  for (const b of bugs) {
    if (!isBugName(b)) throw new UsageError(`unknown planted bug "${b}" (known: ${BUG_NAMES.join(', ')})`);
  }
  const all = withBugs(s, bugs);
  io.err(`liferaft: planted bugs on: ${all.bugs.join(', ')}`);
  return all;
}

export function exitFor(verdict: string): number {
  switch (verdict) {
    case 'ok':
      return EXIT.ok;
    case 'safety':
      return EXIT.safety;
    case 'liveness':
      return EXIT.liveness;
    default:
      return EXIT.crash;
  }
}

/**
 * The command that reproduces a run exactly: the scenario path as the user gave it (none for the
 * built-in default), the seed, and every planted bug named on the command line (bugs named in the
 * scenario file come with the file). Printed by run, explore and the soundness campaign; a test
 * executes each printed command and compares trace hashes.
 */
export function reproduceCommand(path: string | undefined, seed: number, cliBugs: readonly string[] | undefined, tail = ''): string {
  const words = [invocation, 'run'];
  // A path that starts with '-' would read as an option.
  if (path !== undefined) words.push(shellQuote(path.startsWith('-') ? `./${path}` : path));
  words.push('--seed', String(seed));
  for (const b of [...new Set(cliBugs ?? [])]) words.push('--bug', shellQuote(b));
  return `${words.join(' ')}${tail === '' ? '' : ` ${tail}`}`;
}

let invocation = 'liferaft';

/**
 * How printed commands start: `liferaft` when the CLI was started through its `liferaft` command
 * (a global install; `npx liferaft` for a project's node_modules/.bin), else as it was started — `node dist/cli.js` from a clone (npm start, README) —
 * so that a printed command can be pasted into the same shell.
 */
export function setInvocation(script: string | undefined, cwd: string): void {
  if (script === undefined) return;
  if (basename(script) === 'liferaft') {
    // A project's own bin (node_modules/.bin) is on PATH only inside npx and npm scripts.
    invocation = basename(dirname(script)) === '.bin' ? 'npx liferaft' : 'liferaft';
    return;
  }
  const rel = relative(cwd, script);
  invocation = `node ${shellQuote(rel === '' || rel.startsWith('..') || isAbsolute(rel) ? script : rel)}`;
}

/** A word as a POSIX shell reads it back: bare when it is safe, in single quotes otherwise. */
export function shellQuote(word: string): string {
  // ('=' is safe inside a word; zsh expands one at the start.)
  return /^[\w@%+:,./-][\w@%+=:,./-]*$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
