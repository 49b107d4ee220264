import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkHistory, readHistory } from '../sim';
import { generateAppendKv, generateRegister } from '../sim/linearizability/generate';
import { writeEtcd, writeKv } from './cmd-bench-lin';

// The generated classes go to Porcupine in its own formats: read back by our reader, they must be
// the same histories (so both checkers judge the same thing).
describe("bench lin: generated histories in Porcupine's formats", () => {
  const dir = mkdtempSync(join(tmpdir(), 'liferaft-bench-lin-test-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const sameOps = (
    a: readonly { client: string; op: string; key: string; value?: string; output?: unknown; expected?: unknown; return: number | null }[],
    b: typeof a,
  ): void => {
    const norm = (h: typeof a) => h.map((o) => [o.client, o.op, o.key, o.value ?? null, o.output ?? null, o.expected ?? null, o.return === null]);
    assert.deepEqual(norm(b).sort(), norm(a).sort());
  };

  it("Porcupine's key/value log: the same operations and verdicts, legal and not", () => {
    for (const breakOneRead of [false, true]) {
      const h = generateAppendKv({ operations: 300, keys: 3, clients: 20, seed: 7, breakOneRead });
      const path = writeKv(join(dir, `kv-${breakOneRead}.txt`), h);
      const back = readHistory(readFileSync(path, 'utf8'), path);
      assert.equal(back.format, 'edn');
      sameOps(h, back.operations);
      assert.equal(checkHistory(back.operations, { initial: '', minimize: false }).result, checkHistory(h, { initial: '', minimize: false }).result);
    }
    assert.equal(
      checkHistory(generateAppendKv({ operations: 300, keys: 3, clients: 20, seed: 7 }), { initial: '' }).result,
      'ok',
      'the generator makes legal histories',
    );
  });

  it('jepsen.util log lines: the same register operations, crashed ones never returning', () => {
    const h = generateRegister({ operations: 300, processes: 5, infoRatio: 0.3, seed: 3 });
    assert.ok(
      h.some((o) => o.return === null),
      'some operations crashed',
    );
    const path = writeEtcd(join(dir, 'register.log'), h);
    const back = readHistory(readFileSync(path, 'utf8'), path);
    assert.equal(back.format, 'jepsen-log');
    sameOps(h, back.operations);
    assert.equal(checkHistory(back.operations).result, 'ok');
  });
});
