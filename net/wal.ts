// The write-ahead log of a real node: the core's Persist outputs, one record each, appended to a file
// and made durable by fsync before the messages of the same step are sent (the core's contract).
//
// Record: u32 payload length · u32 CRC-32 of the payload · payload (JSON of the Persist), little endian.
// Recovery policy (as the simulator's disk model, sim/disk.ts): a bad record at the end is a write
// torn by a crash before its fsync — never acknowledged — so the tail is truncated and the node
// starts. A bad record with a valid record after it is corruption of data the node may have promised
// to others: the node REFUSES TO START, says where, and overwrites nothing.
import { closeSync, existsSync, fsync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { DurableState, Entry, NodeId, Persist, Term } from '../core';

const HEADER = 8;
/** Refuse absurd lengths (a corrupted length field) rather than allocate them. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

export class WalCorruptError extends Error {
  override readonly name = 'WalCorruptError';
  constructor(
    readonly file: string,
    readonly offset: number,
    detail: string,
  ) {
    super(`${file}: corrupt record at byte ${offset} (${detail}), with valid records after it: refusing to start — the log holds data this node may have promised to others; restore the node from a peer or a backup (nothing was overwritten)`);
  }
}

export interface Recovery {
  readonly durable: DurableState;
  readonly records: number;
  /** Bytes of a torn tail that were cut off (0: the log ended cleanly). */
  readonly truncatedBytes: number;
}

type Check = { readonly ok: true; readonly persist: Persist; readonly end: number } | { readonly ok: false; readonly why: string };

function readRecord(buf: Buffer, at: number): Check {
  if (at + HEADER > buf.length) return { ok: false, why: 'incomplete header' };
  const len = buf.readUInt32LE(at);
  const sum = buf.readUInt32LE(at + 4);
  if (len === 0 || len > MAX_RECORD_BYTES) return { ok: false, why: `bad length ${len}` };
  const end = at + HEADER + len;
  if (end > buf.length) return { ok: false, why: 'incomplete payload' };
  const payload = buf.subarray(at + HEADER, end);
  if (crc32(payload) !== sum) return { ok: false, why: 'checksum mismatch' };
  try {
    return { ok: true, persist: JSON.parse(payload.toString('utf8')) as Persist, end };
  } catch {
    return { ok: false, why: 'checksum matches but the payload is not a record' };
  }
}

/** Applies one persisted step to the durable state (the same rule as the core's Persist contract). */
export function applyPersist(d: { term: Term; vote: NodeId | null; log: Entry[] }, p: Persist): void {
  if (p.hardState !== null) {
    d.term = p.hardState.term;
    d.vote = p.hardState.vote;
  }
  if (p.log !== null) {
    d.log.length = Math.min(d.log.length, p.log.from - 1);
    d.log.push(...p.log.entries);
  }
}

export class Wal {
  private constructor(
    readonly file: string,
    private fd: number,
    private size: number,
    private isDirty: boolean,
  ) {}

  /** Opens (or creates) `dir/wal`, recovering the durable state; throws WalCorruptError on corruption. */
  static open(dir: string): { wal: Wal; recovery: Recovery } {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'wal');
    const buf = existsSync(file) ? readFileSync(file) : Buffer.alloc(0);
    const d = { term: 0 as Term, vote: null as NodeId | null, log: [] as Entry[] };
    let at = 0;
    let records = 0;
    while (at < buf.length) {
      const r = readRecord(buf, at);
      if (!r.ok) {
        // Torn tail, or corruption in the middle? Look for any valid record after this point.
        for (let k = at + 1; k + HEADER < buf.length; k++) if (readRecord(buf, k).ok) throw new WalCorruptError(file, at, r.why);
        break;
      }
      applyPersist(d, r.persist);
      records++;
      at = r.end;
    }
    const fd = openSync(file, existsSync(file) ? 'r+' : 'w+');
    const truncatedBytes = buf.length - at;
    if (truncatedBytes > 0) {
      ftruncateSync(fd, at);
      fsyncSync(fd);
    }
    return { wal: new Wal(file, fd, at, false), recovery: { durable: d, records, truncatedBytes } };
  }

  /** Appends a record (not durable until `sync`). */
  append(p: Persist): void {
    const payload = Buffer.from(JSON.stringify(p), 'utf8');
    if (payload.length > MAX_RECORD_BYTES) throw new Error(`a record of ${payload.length} bytes exceeds the ${MAX_RECORD_BYTES}-byte limit`);
    const header = Buffer.alloc(HEADER);
    header.writeUInt32LE(payload.length, 0);
    header.writeUInt32LE(crc32(payload), 4);
    const rec = Buffer.concat([header, payload]);
    writeSync(this.fd, rec, 0, rec.length, this.size);
    this.size += rec.length;
    this.isDirty = true;
  }

  /** Makes every appended record durable (one fsync for all appended since the last). */
  sync(): void {
    if (!this.isDirty) return;
    fsyncSync(this.fd);
    this.isDirty = false;
  }

  /** Starts one fsync on the thread pool for everything appended so far; appends may continue meanwhile. */
  syncAsync(done: (e: Error | null) => void): void {
    this.isDirty = false;
    fsync(this.fd, (e) => done(e));
  }

  /** Records appended since the last sync (started). */
  get dirty(): boolean {
    return this.isDirty;
  }

  get bytes(): number {
    return this.size;
  }

  close(): void {
    this.sync();
    closeSync(this.fd);
    this.fd = -1;
  }
}
