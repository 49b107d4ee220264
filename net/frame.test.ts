import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { encodeFrame, FrameDecoder, FrameError } from './frame';

const msg = { type: 'AppendEntries', from: 'n1', to: 'n2', term: 3, entries: [{ index: 1, term: 3, data: { type: 'noop' } }] };

describe('TCP frames', () => {
  it('round-trip, whatever way the socket splits the bytes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue(), { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(40), { maxLength: 20 }),
        fc.constantFrom(null, 's3cret'),
        (values, cuts, secret) => {
          const bytes = Buffer.concat(values.map((v) => encodeFrame(v, secret)));
          const d = new FrameDecoder(secret);
          const got: unknown[] = [];
          let at = 0;
          for (const c of cuts) {
            const next = Math.min(bytes.length, at + c);
            got.push(...d.push(bytes.subarray(at, next)));
            at = next;
          }
          got.push(...d.push(bytes.subarray(at)));
          assert.deepEqual(got, JSON.parse(JSON.stringify(values)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses garbage, other versions, oversized and corrupted frames with a reason', () => {
    const refuse = (bytes: Buffer, why: RegExp, d = new FrameDecoder()): void =>
      assert.throws(
        () => d.push(bytes),
        (e: unknown) => e instanceof FrameError && why.test(e.message),
      );
    refuse(Buffer.from('GET / HTTP/1.1\r\n\r\n'), /bad magic/);
    // A TLS ClientHello at a plaintext node: said as such (the peer has --peer-cert, this node not).
    refuse(
      Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]),
      /a TLS handshake \(the peer uses --peer-cert; this node does not\)/,
    );
    const f = encodeFrame(msg);
    const v2 = Buffer.from(f);
    v2[2] = 2;
    refuse(v2, /unsupported frame version 2/);
    const big = Buffer.from(f);
    big.writeUInt32LE(1 << 30, 4);
    refuse(big, /exceeds the/);
    refuse(encodeFrame({ x: 'y'.repeat(2000) }), /exceeds the 1000-byte limit/, new FrameDecoder(null, 1000));
    const flipped = Buffer.from(f);
    flipped[f.length - 3] = flipped[f.length - 3]! ^ 1;
    refuse(flipped, /checksum mismatch/);
  });

  it('with a cluster secret: unsigned frames and frames signed with another secret are refused', () => {
    const d = (): FrameDecoder => new FrameDecoder('cluster-secret');
    assert.deepEqual(d().push(encodeFrame(msg, 'cluster-secret')), [msg]);
    assert.throws(() => d().push(encodeFrame(msg)), /unsigned frame/);
    assert.throws(() => d().push(encodeFrame(msg, 'guess')), /bad signature/);
    // A properly signed frame whose payload was changed, checksum fixed up, is still refused.
    const forged = Buffer.from(encodeFrame(msg, 'cluster-secret'));
    const at = forged.indexOf('"term":3') + 7;
    forged[at] = '9'.charCodeAt(0);
    forged.writeUInt32LE(crc32(forged.subarray(12 + 32)), 8);
    assert.throws(() => d().push(forged), /bad signature/);
  });
});
