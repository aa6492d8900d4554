import { chooseCrypto, readCryptoAttribute, type CryptoAttribute, type SdesPolicy } from './sdes-crypto.js';

/** RTP/SAVP (RFC 3711 §12) and RTP/SAVPF (RFC 5124): SRTP whose keys come from a=crypto (or DTLS). */
export function isSavpProtocol(protocol: string): boolean {
  const p = protocol.toUpperCase();
  return p === 'RTP/SAVP' || p === 'RTP/SAVPF';
}

/** Signalling transports that keep SDP secret on the wire (SIP over TLS, or a WebSocket over TLS). */
export function isSecureTransport(transport: string | undefined): boolean {
  return transport === 'tls' || transport === 'wss';
}

/** What an offered m-line means for SRTP: keys to answer with, a refusal, or a=crypto we ignore. */
export type SdesOfferDecision =
  | { readonly kind: 'plain'; readonly ignored?: string | undefined }
  | { readonly kind: 'srtp'; readonly crypto: CryptoAttribute }
  | { readonly kind: 'refused'; readonly reason: string };

export interface SdesOfferLine {
  readonly protocol: string;
  /** The line (or its session) has a=fingerprint: it asks for DTLS-SRTP, not SDES. */
  readonly hasFingerprint: boolean;
  /** Its a=crypto values, as written. */
  readonly crypto: readonly string[];
}

/**
 * The SRTP decision for one offered audio line (`savp`: RTP/SAVP or RTP/SAVPF; `avp`: RTP/AVP, where
 * a=crypto is a best-effort offer, as baresip's `mediaenc=srtp` makes it). `transport` is the
 * signalling transport the offer came over: SDES keys in SDP are only as secret as the signalling
 * (RFC 4568 §8.3), so over UDP, TCP or plain WebSocket they protect nothing and are refused (SAVP) or
 * ignored (AVP).
 */
export function decideSdesForOffer(line: SdesOfferLine, kind: 'avp' | 'savp', transport: string | undefined, policy: SdesPolicy): SdesOfferDecision {
  const secure = isSecureTransport(transport);
  const over = transport ?? 'unknown';
  if (kind === 'savp') {
    if (line.crypto.length === 0) {
      const what = line.hasFingerprint ? 'DTLS-SRTP (a=fingerprint) without ICE is not supported' : 'no a=crypto attribute (SDES keys)';
      return { kind: 'refused', reason: `${line.protocol}: ${what}` };
    }
    if (!secure) {
      return { kind: 'refused', reason: `${line.protocol} with SDES keys (a=crypto) came over ${over}: keys sent in clear protect nothing (RFC 4568 §8.3), use SIP over TLS (sips:, transport=tls)` };
    }
    if (policy === 'off') return { kind: 'refused', reason: `${line.protocol}: SRTP is turned off here (SRTP_SDES=off)` };
    const chosen = chooseCrypto(line.crypto);
    return typeof chosen === 'string' ? { kind: 'refused', reason: `${line.protocol}: ${chosen}` } : { kind: 'srtp', crypto: chosen };
  }
  if (line.crypto.length === 0) {
    if (secure && policy === 'require') return { kind: 'refused', reason: 'SRTP is required on TLS legs (SRTP_SDES=require) and the offer has no a=crypto' };
    return { kind: 'plain' };
  }
  if (!secure) return { kind: 'plain', ignored: `a=crypto over ${over} ignored: keys sent in clear protect nothing (RFC 4568 §8.3)` };
  if (policy === 'off') return { kind: 'plain', ignored: 'a=crypto ignored: SRTP_SDES=off' };
  const chosen = chooseCrypto(line.crypto);
  if (typeof chosen !== 'string') return { kind: 'srtp', crypto: chosen };
  if (policy === 'require') return { kind: 'refused', reason: `SRTP is required on TLS legs (SRTP_SDES=require): ${chosen}` };
  return { kind: 'plain', ignored: `a=crypto not usable, answered with plain RTP: ${chosen}` };
}

/**
 * The a=crypto of an answer to our offer of `offeredTag` (RFC 4568 §7.1.2: one attribute, echoing the
 * tag of the offered one it accepts). Undefined: the answer has none; a string: why it is refused.
 */
export function readAnsweredCrypto(values: readonly string[], offeredTag: number): CryptoAttribute | string | undefined {
  if (values.length === 0) return undefined;
  if (values.length > 1) return 'more than one a=crypto in the answer (RFC 4568 §7.1.2: it accepts one)';
  const read = readCryptoAttribute(values[0] ?? '');
  if (typeof read === 'string') return read;
  if (read.tag !== offeredTag) return `a=crypto tag ${read.tag} is not the tag we offered (${offeredTag})`;
  return read;
}
