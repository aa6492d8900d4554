import { createHash } from 'node:crypto';

/**
 * HA1 = MD5(username ":" realm ":" password), lowercase hex: RFC 2617 §3.2.2.2 (and RFC 3261 §22.4).
 * The registrar needs only this, so the SIP password itself is never stored.
 */
export function computeSipHa1(username: string, realm: string, password: string): string {
  return createHash('md5').update(`${username}:${realm}:${password}`, 'utf8').digest('hex');
}
