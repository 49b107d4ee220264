// Frames between real nodes over TCP: length-prefixed, versioned, checksummed and, with a cluster
// secret, authenticated — a stranger cannot join or inject messages, and garbage is refused.
//
//   magic "LR" · version u8 · flags u8 (bit 0: HMAC) · payload length u32 · CRC-32 of payload u32 ·
//   [HMAC-SHA256(secret, header ‖ payload), 32 bytes, when flagged] · payload (JSON)
//
// The decoder takes whatever chunks the socket delivers; a bad frame throws FrameError, and the
// caller closes that connection (the node keeps serving the others).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';

export const FRAME_VERSION = 1;
const MAGIC0 = 0x4c; // 'L'
const MAGIC1 = 0x52; // 'R'
const HEADER = 12;
const MAC = 32;
/** The largest payload accepted (a batch of entries fits; a corrupted length does not get allocated). */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

export class FrameError extends Error {
  override readonly name = 'FrameError';
}

function mac(secret: string, header: Buffer, payload: Buffer): Buffer {
  return createHmac('sha256', secret).update(header).update(payload).digest();
}

/** One frame carrying `value` as JSON; signed when a secret is given. */
export function encodeFrame(value: unknown, secret: string | null = null): Buffer {
  const payload = Buffer.from(JSON.stringify(value), 'utf8');
  if (payload.length > MAX_FRAME_BYTES) throw new FrameError(`frame of ${payload.length} bytes exceeds the ${MAX_FRAME_BYTES}-byte limit`);
  const header = Buffer.alloc(HEADER);
  header[0] = MAGIC0;
  header[1] = MAGIC1;
  header[2] = FRAME_VERSION;
  header[3] = secret === null ? 0 : 1;
  header.writeUInt32LE(payload.length, 4);
  header.writeUInt32LE(crc32(payload), 8);
  return Buffer.concat(secret === null ? [header, payload] : [header, mac(secret, header, payload), payload]);
}

/** Reassembles frames from socket chunks. With a secret, unsigned or wrongly signed frames are refused. */
export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);

  constructor(
    private readonly secret: string | null = null,
    private readonly maxBytes = MAX_FRAME_BYTES,
  ) {}

  /** The values of the frames completed by this chunk. Throws FrameError on the first bad one. */
  push(chunk: Buffer): unknown[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: unknown[] = [];
    for (;;) {
      if (this.buf.length < HEADER) {
        if (notAFrame(this.buf)) throw new FrameError(badMagic(this.buf));
        return out;
      }
      const b = this.buf;
      if (b[0] !== MAGIC0 || b[1] !== MAGIC1) throw new FrameError(badMagic(b));
      if (b[2] !== FRAME_VERSION) throw new FrameError(`unsupported frame version ${b[2]} (this node speaks ${FRAME_VERSION})`);
      const signed = (b[3]! & 1) === 1;
      if (this.secret !== null && !signed) throw new FrameError('unsigned frame: this cluster requires its secret');
      const len = b.readUInt32LE(4);
      if (len > this.maxBytes) throw new FrameError(`frame of ${len} bytes exceeds the ${this.maxBytes}-byte limit`);
      const start = HEADER + (signed ? MAC : 0);
      if (b.length < start + len) return out;
      const header = b.subarray(0, HEADER);
      const payload = b.subarray(start, start + len);
      if (crc32(payload) !== b.readUInt32LE(8)) throw new FrameError('checksum mismatch');
      if (this.secret !== null && !timingSafeEqual(b.subarray(HEADER, HEADER + MAC), mac(this.secret, header, payload)))
        throw new FrameError("bad signature: not signed with this cluster's secret");
      let value: unknown;
      try {
        value = JSON.parse(payload.toString('utf8'));
      } catch {
        throw new FrameError('payload is not JSON');
      }
      out.push(value);
      this.buf = b.subarray(start + len);
    }
  }
}

/** Whether `buf` cannot be the start of a frame (its first two bytes are not the magic). */
export function notAFrame(buf: Buffer): boolean {
  return buf.length >= 2 && (buf[0] !== MAGIC0 || buf[1] !== MAGIC1);
}

/**
 * The size in bytes of the first whole frame at the start of `buf` (header, MAC and payload), or
 * null while it is incomplete or not a frame at all: for a relay that forwards frames whole (the
 * chaos proxy) without checking them — the receiving node does that.
 */
export function frameSize(buf: Buffer): number | null {
  if (buf.length < HEADER || buf[0] !== MAGIC0 || buf[1] !== MAGIC1) return null;
  const size = HEADER + ((buf[3]! & 1) === 1 ? MAC : 0) + buf.readUInt32LE(4);
  return buf.length >= size ? size : null;
}

/** Why bytes are not a frame: a TLS handshake says which side lacks TLS. */
function badMagic(b: Buffer): string {
  return b[0] === 0x16 && b[1] === 0x03
    ? 'not a LifeRaft frame: a TLS handshake (the peer uses --peer-cert; this node does not)'
    : 'not a LifeRaft frame (bad magic)';
}
