// Seeded input generation for the fuzz campaigns: a small generator with the draws the targets
// need, and mutations of valid inputs (text and JSON) of the kinds that find parser bugs — cut,
// duplicate, splice, flip a character, swap in a token from the format's own vocabulary, or an
// extreme number.

export class Rng {
  private s: number;
  constructor(seed: number) {
    // (xorshift32; 0 is its one fixed point)
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  /** [0, 1) */
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s / 2 ** 32;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

/** Numbers that break parsers and arithmetic. */
export const EXTREME_NUMBERS = [
  '0',
  '-1',
  '1',
  '-0',
  '1e309',
  '9007199254740993',
  '4294967296',
  '0.5',
  'NaN',
  'Infinity',
  '99999999999999999999',
  '1e-9',
  '0x10',
  '007',
  '',
];

/** Characters a random string is made of: printable ASCII, whitespace, controls, non-ASCII, surrogates. */
const CHARS = [
  ...'abcdefghijklmnopqrstuvwxyz0123456789 =.,:;-_#{}[]()"\'\\/%*+<>!?@&|~`^$',
  '\t',
  '\n',
  '\r\n',
  '\r',
  '\u0000',
  '\u001b',
  'é',
  'ñ',
  '\u00a0',
  '\u2028',
  '\ufeff',
  '🚀',
  '\ud800',
  'µ',
  '…',
];

export function randomString(r: Rng, maxLength: number): string {
  let s = '';
  const n = r.int(maxLength + 1);
  for (let i = 0; i < n; i++) s += r.pick(CHARS);
  return s;
}

/**
 * A mutation of `text`: 1–4 edits, each a cut, a duplicated span, a spliced line from `donors`, a
 * flipped character, a token from `vocabulary`, or an extreme number in place of a number.
 */
export function mutateText(r: Rng, text: string, vocabulary: readonly string[], donors: readonly string[] = []): string {
  let s = text;
  const edits = r.between(1, 4);
  for (let e = 0; e < edits; e++) {
    const at = r.int(s.length + 1);
    switch (r.int(9)) {
      case 0: // cut a span
        s = s.slice(0, at) + s.slice(at + r.between(1, 40));
        break;
      case 1: {
        // duplicate a span
        const span = s.slice(at, at + r.between(1, 60));
        s = s.slice(0, at) + span + s.slice(at);
        break;
      }
      case 2: {
        // a line from another input
        const donor = donors.length === 0 ? text : r.pick(donors);
        const lines = donor.split('\n');
        const ls = s.split('\n');
        ls.splice(r.int(ls.length + 1), r.int(2), lines[r.int(lines.length)]!);
        s = ls.join('\n');
        break;
      }
      case 3: // flip one character
        s = s.slice(0, at) + r.pick(CHARS) + s.slice(at + 1);
        break;
      case 4: // a token of the format
        s = `${s.slice(0, at)}${r.chance(0.5) ? ' ' : ''}${r.pick(vocabulary)}${r.chance(0.5) ? ' ' : ''}${s.slice(at)}`;
        break;
      case 5: {
        // an extreme number in place of one
        const nums = [...s.matchAll(/\d+(\.\d+)?/g)];
        if (nums.length === 0) break;
        const m = r.pick(nums);
        s = s.slice(0, m.index) + r.pick(EXTREME_NUMBERS) + s.slice(m.index! + m[0].length);
        break;
      }
      case 6: // truncate
        s = s.slice(0, at);
        break;
      case 7: {
        // swap two lines
        const ls = s.split('\n');
        const i = r.int(ls.length);
        const j = r.int(ls.length);
        [ls[i], ls[j]] = [ls[j]!, ls[i]!];
        s = ls.join('\n');
        break;
      }
      default: // random characters
        s = s.slice(0, at) + randomString(r, 12) + s.slice(at);
    }
  }
  return s;
}

/** Values that are wrong almost anywhere in a JSON document. */
export function junkValue(r: Rng): unknown {
  return r.pick<() => unknown>([
    () => null,
    () => true,
    () => -1,
    () => 0,
    () => r.int(20),
    () => 1e12,
    () => 0.5,
    () => Number.MAX_SAFE_INTEGER + 2,
    () => '',
    () => 'x',
    () => randomString(r, 8),
    () => [],
    () => [r.int(5), 'a'],
    () => ({}),
    () => ({ kind: 'x' }),
    () => '__proto__',
  ])();
}

/** A structural mutation of a JSON value: a field set to junk, removed, or a subtree replaced (1–3 times). */
export function mutateJson(r: Rng, v: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(v)) as unknown;
  const edits = r.between(1, 3);
  let out = copy;
  for (let e = 0; e < edits; e++) out = mutateAt(r, out, 0);
  return out;
}

function mutateAt(r: Rng, v: unknown, depth: number): unknown {
  if (typeof v !== 'object' || v === null || (depth > 0 && r.chance(0.25))) return junkValue(r);
  if (Array.isArray(v)) {
    if (v.length === 0 || r.chance(0.15)) return r.chance(0.5) ? [...v, junkValue(r)] : [];
    const i = r.int(v.length);
    if (r.chance(0.1)) return v.filter((_, k) => k !== i);
    v[i] = mutateAt(r, v[i], depth + 1);
    return v;
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 0 || r.chance(0.1)) {
    o[r.pick(['extra', 'kind', 'node', 'type', '__proto__', 'constructor'])] = junkValue(r);
    return o;
  }
  const k = r.pick(keys);
  if (r.chance(0.15)) delete o[k];
  else o[k] = mutateAt(r, o[k], depth + 1);
  return o;
}
