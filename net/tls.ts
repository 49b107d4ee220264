// TLS for the real cluster: mutual TLS between peers (each node's certificate names its node id)
// and HTTPS for clients. Files are read once at start; a bad one is an error naming the file.
import { readFileSync } from 'node:fs';
import type { PeerCertificate } from 'node:tls';

/** A node's certificate and key, and the CA its peers' (or clients') certificates must chain to. */
export interface TlsFiles {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** For peers: required. For clients: when given, clients must present a certificate from it. */
  readonly ca: Buffer | null;
}

export class TlsConfigError extends Error {
  override readonly name = 'TlsConfigError';
}

function read(flag: string, path: string): Buffer {
  let b: Buffer;
  try {
    b = readFileSync(path);
  } catch (e) {
    throw new TlsConfigError(`cannot read ${flag} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!b.toString('latin1').includes('-----BEGIN ')) throw new TlsConfigError(`${flag} ${path} is not PEM (expected a -----BEGIN ...----- block)`);
  return b;
}

/** Reads the PEM files of `--peer-cert/--peer-key/--peer-ca` (or the client ones). */
export function readTlsFiles(flags: { cert: string; key: string; ca: string | null }, paths: { cert: string; key: string; ca: string | null }): TlsFiles {
  return { cert: read(flags.cert, paths.cert), key: read(flags.key, paths.key), ca: paths.ca === null ? null : read(flags.ca!, paths.ca) };
}

/**
 * The node ids a peer certificate vouches for: its subject CN and its DNS subject alternative names
 * (a node's certificate names its id: `CN=n2`, `DNS:n2`).
 */
export function certificateIds(cert: PeerCertificate | null | undefined): string[] {
  if (cert == null || Object.keys(cert).length === 0) return [];
  const ids: string[] = [];
  const cn = cert.subject?.CN;
  if (typeof cn === 'string') ids.push(cn);
  else if (Array.isArray(cn)) ids.push(...(cn as string[]));
  for (const part of (cert.subjectaltname ?? '').split(',')) {
    const m = /^\s*DNS:(.+?)\s*$/.exec(part);
    if (m !== null && !ids.includes(m[1]!)) ids.push(m[1]!);
  }
  return ids;
}
