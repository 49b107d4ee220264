// Math that gives bit-identical results on every JavaScript engine. ECMAScript leaves Math.log and
// friends "implementation-approximated", so a simulator that must replay the same run in Node and in
// a browser computes them from + - * / only, which IEEE 754 defines exactly.

const LN2 = 0.6931471805599453;

/** Natural logarithm of x > 0, to within a few ulps, identically everywhere. */
export function ln(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) throw new RangeError(`ln(${x})`);
  // x = m * 2^e with m in [1, 2): multiplying or dividing by 2 is exact.
  let m = x;
  let e = 0;
  while (m >= 2) {
    m /= 2;
    e++;
  }
  while (m < 1) {
    m *= 2;
    e--;
  }
  // ln(m) = 2 atanh(z), z = (m-1)/(m+1) ∈ [0, 1/3): the series converges quickly.
  const z = (m - 1) / (m + 1);
  const z2 = z * z;
  let term = z;
  let sum = 0;
  for (let k = 1; k < 60; k += 2) {
    const add = term / k;
    if (add === 0) break;
    sum += add;
    term *= z2;
  }
  return 2 * sum + e * LN2;
}
