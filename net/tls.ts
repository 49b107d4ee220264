// TLS for the real cluster: mutual TLS between peers (each node's certificate names its node id)
// and HTTPS for clients. Files are read once at start; a bad one is an error naming the file.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext, type PeerCertificate } from 'node:tls';

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
  const files = { cert: read(flags.cert, paths.cert), key: read(flags.key, paths.key), ca: paths.ca === null ? null : read(flags.ca!, paths.ca) };
  try {
    createSecureContext({ cert: files.cert, key: files.key, ...(files.ca === null ? {} : { ca: files.ca }) });
  } catch (e) {
    const why = (e as { reason?: string }).reason ?? (e as Error).message;
    throw new TlsConfigError(
      `${flags.cert} ${paths.cert} and ${flags.key} ${paths.key}${paths.ca === null ? '' : ` (with ${flags.ca} ${paths.ca})`} cannot be used together: ${why}`,
    );
  }
  return files;
}

/** The node ids a PEM certificate names (CN and DNS alt names), as certificateIds reads a peer's. */
export function certificateIdsOf(pem: Buffer): string[] {
  const x = new X509Certificate(pem);
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(x.subject)?.[1];
  return namedIds(cn === undefined ? [] : [cn], x.subjectAltName);
}

/** The common names, then the DNS names of a subject-alt-name list ("DNS:n2, IP Address:…"), once each. */
function namedIds(cns: readonly string[], altNames: string | undefined): string[] {
  const ids = [...cns];
  for (const part of (altNames ?? '').split(',')) {
    const m = /^\s*DNS:(.+?)\s*$/.exec(part);
    if (m !== null && !ids.includes(m[1]!)) ids.push(m[1]!);
  }
  return ids;
}

/** A TLS failure in words a user can act on (OpenSSL's own text names a source file, not a cause). */
export function tlsProblem(e: Error): string {
  const x = e as Error & { code?: string; reason?: string };
  const all = `${x.code ?? ''} ${x.reason ?? ''} ${x.message}`;
  if (/WRONG_VERSION_NUMBER|HTTP_REQUEST|PACKET_LENGTH_TOO_LONG|UNEXPECTED_RECORD|http request/i.test(all))
    return 'not TLS: plaintext (a node without --peer-cert?) or another protocol';
  if (/CERTIFICATE_REQUIRED|did not return a certificate|certificate required/i.test(all)) return 'no certificate was presented';
  if (/EXPIRED/i.test(all)) return 'the certificate has expired';
  if (/UNKNOWN_CA|unknown ca|ISSUER|VERIFY_LEAF|SELF_SIGNED|verify failed|unable to verify/i.test(all))
    return "the certificate is not from the cluster's CA (--peer-ca)";
  if (/socket hang up|ECONNRESET/i.test(all))
    return "the connection was cut during the handshake: the other side does not trust this side's certificate (another CA, or its --peer-ca), does not speak TLS (no --peer-cert), or went away";
  return x.reason ?? x.message.replace(/^[0-9A-F]+:error:[0-9A-F]+:/, '').split(':')[0] ?? x.message;
}

/**
 * The node ids a peer certificate vouches for: its subject CN and its DNS subject alternative names
 * (a node's certificate names its id: `CN=n2`, `DNS:n2`).
 */
export function certificateIds(cert: PeerCertificate | null | undefined): string[] {
  if (cert == null || Object.keys(cert).length === 0) return [];
  const cn = cert.subject?.CN as string | string[] | undefined;
  return namedIds(typeof cn === 'string' ? [cn] : (cn ?? []), cert.subjectaltname);
}
