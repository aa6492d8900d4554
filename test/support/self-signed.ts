import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A self-signed certificate made by openssl for this run: for 127.0.0.1 (subjectAltName IP) unless
 * `subjectAltName` names others (openssl syntax, e.g. `DNS:localhost` or `IP:127.0.0.1,IP:127.0.0.2`).
 */
export function selfSignedCertificate(subjectAltName = 'IP:127.0.0.1'): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sip-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const cn = /^(?:IP|DNS):([^,]+)/.exec(subjectAltName)?.[1] ?? '127.0.0.1';
  const res = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', `/CN=${cn}`, '-addext', `subjectAltName=${subjectAltName}`]);
  if (res.status !== 0) throw new Error(`openssl failed: ${res.stderr.toString()}`);
  return { cert, key };
}
