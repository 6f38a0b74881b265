/**
 * The client TLS context of SSL_GET from the global `SSL { password ca certificate key }` block,
 * built once per block object (a reload compiles a new one, so files are read again then).
 * keepalived loads `ca` but never verifies the server's certificate, and neither do we; so the
 * CA file is read only to report a missing one.
 */
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import type { SslConfig } from '../../config/model-lvs.js';
import { errnoText } from './errors.js';

const contexts = new WeakMap<SslConfig, tls.SecureContext | Error>();

function read(what: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new Error(`SSL ${what} ${path}: ${errnoText(e)}`);
  }
}

/** The context for `ssl`, or an Error saying which file or key could not be used. */
export function sslContext(ssl: SslConfig | undefined): tls.SecureContext | Error | undefined {
  if (!ssl || (ssl.certificate === undefined && ssl.key === undefined && ssl.ca === undefined)) return undefined;
  const known = contexts.get(ssl);
  if (known) return known;
  let made: tls.SecureContext | Error;
  try {
    if (ssl.ca !== undefined) read('ca', ssl.ca);
    const cert = ssl.certificate !== undefined ? read('certificate', ssl.certificate) : undefined;
    // Without `key` the certificate file must hold the key too (a combined PEM file).
    const key = ssl.key !== undefined ? read('key', ssl.key) : cert;
    made = tls.createSecureContext({
      ...(cert ? { cert } : {}),
      ...(cert && key ? { key } : {}),
      ...(ssl.password !== undefined ? { passphrase: ssl.password } : {}),
    });
  } catch (e) {
    made = e instanceof Error && e.message.startsWith('SSL ') ? e : new Error(`SSL certificate/key: ${e instanceof Error ? e.message : String(e)}`);
  }
  contexts.set(ssl, made);
  return made;
}
