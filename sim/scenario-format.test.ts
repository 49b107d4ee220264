import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { loadScenario, type Scenario } from './index';
import { formatScenario, percentLiteral } from './scenario';
import { fmtDuration, fmtRatio } from './scenario-format';

const examples = join(__dirname, '../examples');

/** The parts of a scenario that define a run (not its text, file name or line numbers). */
function meaning(s: Scenario): unknown {
  const { text: _t, file: _f, ...rest } = s;
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v === null || typeof v !== 'object') return v;
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => k !== 'line')
        .map(([k, x]) => [k, strip(x)]),
    );
  };
  return strip(rest);
}

describe('scenario formatting', () => {
  for (const file of readdirSync(examples).filter((f) => f.endsWith('.raftsim'))) {
    it(`round-trips ${file}`, () => {
      const s = loadScenario(readFileSync(join(examples, file), 'utf8'), file);
      const again = loadScenario(formatScenario(s), file);
      assert.deepEqual(meaning(again), meaning(s));
    });
  }

  it('writes drawn rates as exact percentages and drawn durations in their largest exact unit', () => {
    // What the swarm draws: rates anywhere in a range, mean intervals and times in whole microseconds.
    const s = loadScenario('drop 0.019075645334087312\nduplicate 2.5%\ncrash every=1s for=1s\nsafety 5s\nat 1500us crash n1', 'x');
    const drawn: Scenario = {
      ...s,
      crash: { ...s.crash!, everyUs: { min: 317_944, max: 317_944 }, forUs: { min: 1_234_567, max: 1_234_567 } },
      delay: { chance: { min: 0.5850510123185813, max: 0.5850510123185813 }, byUs: { min: 30_000, max: 200_000 }, weight: 0.85, line: 9 },
    };
    const text = formatScenario(drawn);
    assert.match(text, /^drop 1\.9075645334087312%$/m);
    assert.match(text, /^duplicate 2\.5%$/m);
    assert.match(text, /^crash every=317\.944ms for=1\.234567s$/m);
    assert.match(text, /^delay chance=58\.50510123185813% by=30ms\.\.200ms weight=85%$/m);
    assert.match(text, /^at 1\.5ms crash n1$/m);
    assert.deepEqual(meaning(loadScenario(text, 'x')), meaning(drawn));
  });

  it('reads back every ratio exactly, as a percentage whenever one reads back exactly', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (x) => {
        const text = fmtRatio(x);
        assert.equal(loadScenario(`drop ${text}`, 'x').drop.min, x, text);
      }),
      { numRuns: 5000 },
    );
    // A percentage typed with up to 6 decimals comes back as itself, without its redundant zeros.
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000_000 }), (k) => {
        const typed = `${(k / 1e6).toFixed(6)}%`;
        const text = fmtRatio(percentLiteral(typed)!);
        assert.equal(text, `${String(Number(typed.slice(0, -1)))}%`);
      }),
      { numRuns: 5000 },
    );
    // Ratios no percentage reads back as (0.007 is 0.7 / 100 only to within an ulp) are written as ratios.
    assert.equal(fmtRatio(0.007), '0.007');
    assert.equal(fmtRatio(5e-324), '5.0e-324');
  });

  it('reads back every duration exactly', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 1e12 })), (us) => {
        const text = fmtDuration(us);
        assert.equal(loadScenario(`safety ${text}`, 'x').safetyUs, us, text);
      }),
      { numRuns: 5000 },
    );
    assert.deepEqual([0, 250, 1_000, 1_500, 317_944, 2_000_000, 90_000_000, 120_000_000].map(fmtDuration), [
      '0us',
      '250us',
      '1ms',
      '1.5ms',
      '317.944ms',
      '2s',
      '90s',
      '2m',
    ]);
  });
});
