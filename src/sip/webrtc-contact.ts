import { parseUri } from 'sip';
import { paramString } from './sip-message.js';

/**
 * Whether calls to a registered contact must offer WebRTC media (UDP/TLS/RTP/SAVPF with ICE and
 * DTLS-SRTP) instead of plain RTP: a browser phone can take nothing else.
 *
 * A contact is a browser when it registered over SIP over WebSocket (RFC 7118: transport `ws`/`wss`,
 * as the packet's transport or the Contact URI's `transport=` parameter), or when it carries the
 * `+sip.ice` feature tag (RFC 5768 §4.2: the UA does ICE), which JsSIP and SIP.js put on every
 * Contact. The WebSocket transport (another branch) marks its registrations through `transport`;
 * until then the feature tag alone is enough for a JsSIP phone.
 */
export function contactWantsWebRtc(contact: { readonly uri: string; readonly params?: Record<string, string | null> | undefined }, transport: string): boolean {
  const via = transport.toLowerCase();
  if (via === 'ws' || via === 'wss') return true;
  const uriTransport = paramString(parseUri(contact.uri)?.params, 'transport')?.toLowerCase();
  if (uriTransport === 'ws' || uriTransport === 'wss') return true;
  return contact.params !== undefined && Object.hasOwn(contact.params, '+sip.ice');
}
