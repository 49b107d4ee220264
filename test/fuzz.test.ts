// The fuzz campaigns of test/fuzz, short: every input surface gets a few thousand seeded random and
// mutated inputs, and must refuse what it refuses with its own clear error, never crash. The full
// campaigns (100,000 inputs each) are `npm run fuzz`.
import assert from 'node:assert/strict';
import { runCampaign } from './fuzz/campaign';
import { TARGETS } from './fuzz/targets';

const INPUTS = Number(process.env['LIFERAFT_FUZZ_INPUTS'] ?? 3000);

describe('fuzz campaigns, short (npm run fuzz for the long ones)', function () {
  this.timeout(120_000);
  for (const t of TARGETS) {
    it(`${t.name}: ${t.about} — no crash, every refusal clear`, async () => {
      const r = await runCampaign(t, INPUTS, 20261207);
      assert.deepEqual(r.crashInputs, [], `${r.crashes} crashes`);
      assert.equal(r.crashes, 0);
      // Only a forged peer message may stop a node (the core's assertions: fail-stop); nothing else does.
      if (t.name !== 'tcp') assert.equal(r.stopped, 0);
      // The inputs reach both sides: some are taken, some refused (a generator stuck on one side tests little).
      assert.ok(r.accepted > INPUTS / 50 && r.refused > INPUTS / 50, `${r.accepted} accepted, ${r.refused} refused`);
      console.log(
        `      ${r.inputs} inputs: ${r.accepted} accepted, ${r.refused} refused, ${r.stopped > 0 ? `${r.stopped} stopped by a core assertion, ` : ''}0 crashes in ${r.seconds.toFixed(1)} s`,
      );
    });
  }
});
