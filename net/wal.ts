// The write-ahead log of a real node: the core's Persist outputs, one record each, appended to a file
// and made durable by fsync before the messages of the same step are sent (the core's contract).
//
// Record: u32 payload length · u32 CRC-32 of the payload · payload (JSON), little endian. A payload
// is a Persist, or a BASE record {"base": {term, vote, logStart, log}} that begins a rewritten log.
// Recovery policy (as the simulator's disk model, sim/disk.ts): a bad record at the end is a write
// torn by a crash before its fsync — never acknowledged — so the tail is truncated and the node
// starts. A bad record with a valid record after it is corruption of data the node may have promised
// to others: the node REFUSES TO START, says where, and overwrites nothing.
//
// Compaction (core snapshotEntries): when the core takes or installs a snapshot, `rewrite` writes
// the snapshot to `snapshot` and the log after it as a fresh `wal` holding one base record — each to
// a temporary file, fsynced, renamed over the old one, the folder fsynced — so the files stay
// bounded. A crash between the two renames leaves a newer snapshot with the older log, which the
// core's restart reconciles (the log is kept only if it holds the snapshot's entry).
import { closeSync, existsSync, fsync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import {
  applyPersist as applyToStored,
  durableFrom,
  emptyStored,
  PersistError,
  type DurableState,
  type Entry,
  type LogStart,
  type NodeId,
  type Persist,
  type Snapshot,
  type Term,
} from '../core';

const HEADER = 8;
/** Refuse absurd lengths (a corrupted length field) rather than allocate them. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;
/** The snapshot file is one record: the whole state machine (its own, larger limit). */
export const MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024;
/** Log records written by a rewrite stay below this. */
const CHUNK_BYTES = 4 * 1024 * 1024;

export class WalCorruptError extends Error {
  override readonly name = 'WalCorruptError';
  constructor(
    readonly file: string,
    readonly offset: number,
    detail: string,
    what = 'with valid records after it',
  ) {
    super(
      `${file}: corrupt record at byte ${offset} (${detail}), ${what}: refusing to start — the log holds data this node may have promised to others; restore the node from a peer or a backup (nothing was overwritten)`,
    );
  }
}

export interface Recovery {
  readonly durable: DurableState;
  readonly records: number;
  /** Bytes of a torn tail that were cut off (0: the log ended cleanly). */
  readonly truncatedBytes: number;
  /** The snapshot file's index (null: none). */
  readonly snapshotIndex: number | null;
}

interface BaseRecord {
  readonly base: { readonly term: Term; readonly vote: NodeId | null; readonly logStart: LogStart; readonly log: readonly Entry[] };
}
type Payload = Persist | BaseRecord;

type Check = { readonly ok: true; readonly payload: Payload; readonly end: number } | { readonly ok: false; readonly why: string };

function readRecord(buf: Buffer, at: number): Check {
  if (at + HEADER > buf.length) return { ok: false, why: 'incomplete header' };
  const len = buf.readUInt32LE(at);
  const sum = buf.readUInt32LE(at + 4);
  if (len === 0 || len > MAX_SNAPSHOT_BYTES) return { ok: false, why: `bad length ${len}` };
  const end = at + HEADER + len;
  if (end > buf.length) return { ok: false, why: 'incomplete payload' };
  const payload = buf.subarray(at + HEADER, end);
  if (crc32(payload) !== sum) return { ok: false, why: 'checksum mismatch' };
  try {
    return { ok: true, payload: JSON.parse(payload.toString('utf8')) as Payload, end };
  } catch {
    return { ok: false, why: 'checksum matches but the payload is not a record' };
  }
}

function record(value: unknown, max = MAX_RECORD_BYTES): Buffer {
  return recordOfJson(JSON.stringify(value), max);
}

/** A record whose payload is already JSON text. */
function recordOfJson(json: string, max = MAX_RECORD_BYTES): Buffer {
  const payload = Buffer.from(json, 'utf8');
  if (payload.length > max) throw new Error(`a record of ${payload.length} bytes exceeds the ${max}-byte limit`);
  const header = Buffer.alloc(HEADER);
  header.writeUInt32LE(payload.length, 0);
  header.writeUInt32LE(crc32(payload), 4);
  return Buffer.concat([header, payload]);
}

/** writeSync may write less than asked: go on until all of it is written. */
function writeAll(fd: number, data: Buffer, at: number): void {
  for (let done = 0; done < data.length; ) done += writeSync(fd, data, done, data.length - done, at + done);
}

function fsyncDir(dir: string): void {
  const d = openSync(dir, 'r');
  try {
    fsyncSync(d);
  } finally {
    closeSync(d);
  }
}

/** Writes the buffers to `dir/name.tmp` and makes them durable; returns the size. */
function writeTemporary(dir: string, name: string, data: readonly Buffer[]): number {
  const fd = openSync(join(dir, `${name}.tmp`), 'w');
  let at = 0;
  try {
    for (const b of data) {
      writeAll(fd, b, at);
      at += b.length;
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return at;
}

/** Reads the snapshot file; a damaged one is refused (it was written atomically: damage is corruption). */
function readSnapshot(dir: string): Snapshot | null {
  const file = join(dir, 'snapshot');
  if (!existsSync(file)) return null;
  const buf = readFileSync(file);
  const r = readRecord(buf, 0);
  if (!r.ok || r.end !== buf.length) throw new WalCorruptError(file, 0, r.ok ? 'trailing bytes' : r.why, 'in a snapshot written atomically');
  return (r.payload as unknown as { snapshot: Snapshot }).snapshot;
}

export class Wal {
  /** Descriptors replaced by a rewrite while an fsync on them was still running: closed when it ends. */
  private retired: number[] = [];
  private syncsRunning = 0;

  private constructor(
    readonly dir: string,
    readonly file: string,
    private fd: number,
    private size: number,
    private isDirty: boolean,
  ) {}

  /** Opens (or creates) `dir/wal` (and `dir/snapshot`), recovering the durable state; throws WalCorruptError on corruption. */
  static open(dir: string): { wal: Wal; recovery: Recovery } {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'wal');
    const snapshot = readSnapshot(dir);
    const buf = existsSync(file) ? readFileSync(file) : Buffer.alloc(0);
    const d = emptyStored();
    let at = 0;
    let records = 0;
    while (at < buf.length) {
      const r = readRecord(buf, at);
      if (!r.ok) {
        // Torn tail, or corruption in the middle? Look for any valid record after this point.
        for (let k = at + 1; k + HEADER < buf.length; k++) if (readRecord(buf, k).ok) throw new WalCorruptError(file, at, r.why);
        break;
      }
      try {
        if ('base' in r.payload) {
          const b = r.payload.base;
          d.term = b.term;
          d.vote = b.vote;
          d.logStart = b.logStart;
          d.log = [...b.log];
        } else applyToStored(d, r.payload);
      } catch (e) {
        if (e instanceof PersistError) throw new WalCorruptError(file, at, e.message);
        throw e;
      }
      records++;
      at = r.end;
    }
    d.snapshot = snapshot;
    const created = !existsSync(file);
    const fd = openSync(file, created ? 'w+' : 'r+');
    // A new file's name must survive a power loss too (the votes written to it depend on it).
    if (created) fsyncDir(dir);
    const truncatedBytes = buf.length - at;
    if (truncatedBytes > 0) ftruncateSync(fd, at);
    // What was read back may have been only in the page cache (the process was killed before its
    // fsync): make it durable before anything is answered on the strength of it.
    if (truncatedBytes > 0 || at > 0) fsyncSync(fd);
    return { wal: new Wal(dir, file, fd, at, false), recovery: { durable: durableFrom(d), records, truncatedBytes, snapshotIndex: snapshot?.index ?? null } };
  }

  /** Appends a record (not durable until a sync). A persist carrying a compaction needs `rewrite`. */
  append(p: Persist): void {
    if (p.compact != null) throw new Error('a compaction is written with rewrite(), not appended');
    const rec = record(p);
    writeAll(this.fd, rec, this.size);
    this.size += rec.length;
    this.isDirty = true;
  }

  /**
   * Replaces the files with `d` (the node's whole durable state, snapshot included): the snapshot
   * file first, then a WAL of one base record. Durable when it returns (everything appended before
   * is superseded by it).
   */
  rewrite(d: DurableState): void {
    // Both files are written in full and fsynced under temporary names, then renamed, snapshot first.
    const hasSnapshot = d.snapshot != null;
    if (hasSnapshot) writeTemporary(this.dir, 'snapshot', [record({ snapshot: d.snapshot }, MAX_SNAPSHOT_BYTES)]);
    // The base record holds the first entries; the rest follow as ordinary log records, so no record
    // grows with the length of the log. Each entry is turned into JSON once.
    const start = d.logStart ?? { index: 0, term: 0 };
    const json = d.log.map((e) => JSON.stringify(e));
    const chunks: Buffer[] = [];
    let i = 0;
    const take = (): string => {
      const from = i;
      let bytes = 0;
      while (i < json.length && i - from < 1000 && bytes < CHUNK_BYTES) bytes += json[i++]!.length;
      return json.slice(from, i).join(',');
    };
    chunks.push(
      recordOfJson(`{"base":{"term":${JSON.stringify(d.term)},"vote":${JSON.stringify(d.vote)},"logStart":${JSON.stringify(start)},"log":[${take()}]}}`),
    );
    while (i < json.length) {
      const from = start.index + i + 1;
      chunks.push(recordOfJson(`{"hardState":null,"log":{"from":${from},"entries":[${take()}]}}`));
    }
    const size = writeTemporary(this.dir, 'wal', chunks);
    // The snapshot's rename is made durable before the log's: a power loss may keep the first and
    // lose the second (a newer snapshot, an older log: the core's restart reconciles that), never
    // the reverse (a log that begins after a snapshot that is not there).
    if (hasSnapshot) {
      renameSync(join(this.dir, 'snapshot.tmp'), join(this.dir, 'snapshot'));
      fsyncDir(this.dir);
    }
    renameSync(join(this.dir, 'wal.tmp'), this.file);
    fsyncDir(this.dir);
    const old = this.fd;
    this.fd = openSync(this.file, 'r+');
    this.size = size;
    this.isDirty = false;
    if (this.syncsRunning > 0) this.retired.push(old);
    else closeSync(old);
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
    this.syncsRunning++;
    fsync(this.fd, (e) => {
      this.syncsRunning--;
      if (this.syncsRunning === 0) for (const fd of this.retired.splice(0)) closeSync(fd);
      done(e);
    });
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

  /** Closes without syncing (after a write or fsync error): the descriptor is released, nothing more. */
  abandon(): void {
    if (this.fd < 0) return;
    try {
      closeSync(this.fd);
    } catch {
      // already unusable
    }
    this.fd = -1;
  }
}
