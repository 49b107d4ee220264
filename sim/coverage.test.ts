import assert from 'node:assert/strict';
import { REASONS, type ReasonCode } from '../core';
import { COUNTERS, reasonSignal } from './coverage';
import { TraceRecorder } from './trace';

describe('coverage counters', () => {
  it('the trace hash counts each reason code on the counter reasonSignal names', () => {
    // The simulator looks each code up once for both (TraceRecorder.add): the two orders must agree.
    for (const code of Object.keys(REASONS) as ReasonCode[]) {
      const counts = new Uint32Array(COUNTERS);
      new TraceRecorder(false).add(1, 0, 0, 0, [code, code], 0, counts);
      assert.equal(counts[reasonSignal(code)], 2, code);
      assert.equal(
        counts.reduce((a, b) => a + b, 0),
        2,
        `${code} counted elsewhere too`,
      );
    }
  });

  it('an unknown code hashes as 0 and counts where reasonSignal puts it', () => {
    const counts = new Uint32Array(COUNTERS);
    const unknown = 'no.such.rule' as ReasonCode;
    const a = new TraceRecorder(false);
    a.add(1, 0, 0, 0, [unknown], 0, counts);
    assert.equal(counts[reasonSignal(unknown)], 1);
    const b = new TraceRecorder(false);
    b.add(1, 0, 0, 0, [], 0);
    assert.equal(a.hash.hex(), b.hash.hex());
  });
});
