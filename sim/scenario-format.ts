// Writing values as .raftsim text reads them back (durations, ratios, ranges, fault actions), and
// as a person reads them (fmtUs, describeAction). Each statement's writer is in statements.ts.
import { durationLiteralUs, percentLiteral } from './scenario-lexer';
import { nodeName, type FaultAction, type Range } from './scenario-model';

/**
 * A whole number of microseconds in the largest unit that says it exactly and that the parser reads
 * back as the same number: `2m`, `90s`, `1.5s`, `317.944ms`, `250us`.
 */
export function fmtDuration(us: number): string {
  if (!Number.isSafeInteger(us) || us < 0) throw new Error(`fmtDuration: ${us} is not a whole number of microseconds`);
  if (us !== 0 && us % 60_000_000 === 0) return `${us / 60_000_000}m`;
  for (const [unit, size] of [
    ['s', 1_000_000],
    ['ms', 1_000],
  ] as const) {
    if (us < size) continue;
    const text = `${exactQuotient(us, size)}${unit}`;
    if (durationLiteralUs(text) === us) return text;
  }
  return `${us}us`;
}

/** n / size written out exactly, for size a power of ten ("1500", 1000 → "1.5"). */
function exactQuotient(n: number, size: number): string {
  const whole = Math.floor(n / size);
  const rest = n - whole * size;
  if (rest === 0) return String(whole);
  return `${whole}.${String(rest)
    .padStart(String(size).length - 1, '0')
    .replace(/0+$/, '')}`;
}

export function fmtDurationRange(r: Range): string {
  return r.min === r.max ? fmtDuration(r.min) : `${fmtDuration(r.min)}..${fmtDuration(r.max)}`;
}

/**
 * A ratio as the shortest percentage the parser reads back as exactly the same number (`2%`, `1.9%`,
 * `1.9075645334087312%`). A percentage means its number divided by 100, and about one ratio in eight
 * is no such quotient; those are written as the exact ratio (`0.007`), which reads back exactly too.
 */
export function fmtRatio(x: number): string {
  if (!(x >= 0 && x <= 1)) throw new Error(`fmtRatio: ${x} is not a ratio between 0 and 1`);
  const pct = shortestPercent(x);
  if (pct !== null) return pct;
  // (The parser takes an exponent only after a decimal point: 5.0e-324.)
  return shortestDecimal([x], (text) => Number(text) === x) ?? x.toExponential().replace(/^(\d)e/, '$1.0e');
}

function shortestPercent(x: number): string | null {
  // The numbers y whose y / 100 is x lie within an ulp or two of x * 100.
  const ys: number[] = [];
  for (let y = x * 100, k = 0; k < 4; k++, y = nextDown(y)) if (y / 100 === x) ys.push(y);
  for (let y = nextUp(x * 100), k = 0; k < 4; k++, y = nextUp(y)) if (y / 100 === x) ys.push(y);
  const text = shortestDecimal(ys, (t) => percentLiteral(`${t}%`) === x);
  return text === null ? null : `${text}%`;
}

/** The decimal with the fewest digits after the point (no exponent) that `ok` accepts, near one of `ys`. */
function shortestDecimal(ys: readonly number[], ok: (text: string) => boolean): string | null {
  for (let digits = 0; digits <= 100; digits++) {
    for (const y of ys) {
      const text = y
        .toFixed(digits)
        .replace(/(\.\d*?)0+$/, '$1')
        .replace(/\.$/, '');
      if (ok(text)) return text;
    }
  }
  return null;
}

const bits = new DataView(new ArrayBuffer(8));
function nextUp(y: number): number {
  bits.setFloat64(0, y);
  bits.setBigUint64(0, bits.getBigUint64(0) + 1n);
  return bits.getFloat64(0);
}
function nextDown(y: number): number {
  if (y === 0) return 0;
  bits.setFloat64(0, y);
  bits.setBigUint64(0, bits.getBigUint64(0) - 1n);
  return bits.getFloat64(0);
}

export function fmtRatioRange(r: Range): string {
  return r.min === r.max ? fmtRatio(r.min) : `${fmtRatio(r.min)}..${fmtRatio(r.max)}`;
}

export function fmtAction(a: FaultAction, duration: (us: number) => string = fmtDuration): string {
  switch (a.kind) {
    case 'partition':
      return `partition ${a.groups.map((g) => g.map(nodeName).join(' ')).join(' | ')}`;
    case 'cut':
      return `cut ${nodeName(a.from)} -> ${nodeName(a.to)}`;
    case 'heal':
      return 'heal';
    case 'clog':
      return `clog ${nodeName(a.a)} ${nodeName(a.b)} for ${duration(a.forUs)}`;
    default:
      return `${a.kind} ${nodeName(a.node)}`;
  }
}

/** A duration for reading: rounded to ms or s (`fmtDuration` writes them exactly). */
export function fmtUs(us: number): string {
  if (us >= 1_000_000) return `${(us / 1_000_000).toFixed(us % 1_000_000 === 0 ? 0 : 3)}s`;
  if (us >= 1_000) return `${(us / 1_000).toFixed(us % 1_000 === 0 ? 0 : 3)}ms`;
  return `${us}us`;
}

/** A fault in words, durations rounded for reading (fmtAction writes them exactly). */
export function describeAction(a: FaultAction): string {
  return fmtAction(a, fmtUs);
}
