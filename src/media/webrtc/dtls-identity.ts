import { X509Certificate } from 'node:crypto';
import { MediaError } from '../media-error.js';

/** A DTLS certificate fingerprint as SDP carries it (RFC 8122 §5: `a=fingerprint:sha-256 AB:CD:…`). */
export interface DtlsFingerprint {
  readonly algorithm: string;
  readonly value: string;
}

/**
 * The process's DTLS certificate for WebRTC legs (RFC 5763 §5: a self-signed certificate is fine, the
 * SDP fingerprint exchanged over the authenticated signalling is what binds it). One per process,
 * made at start: the main thread writes its fingerprint in SDP, every media worker handshakes with it
 * (plain strings and numbers, so it crosses to a worker as workerData).
 */
export interface DtlsIdentity {
  readonly certPem: string;
  readonly keyPem: string;
  /** werift's signature/hash pair of the key (ECDSA P-256 with SHA-256). */
  readonly signatureHash: { readonly signature: number; readonly hash: number };
  readonly fingerprint: DtlsFingerprint;
}

/**
 * Makes a fresh ECDSA P-256 self-signed certificate (what browsers use themselves, RFC 8827 §6.5).
 * werift is imported here, not at the top: a process without WebRTC never loads it (seconds on a
 * busy machine).
 */
export async function createDtlsIdentity(): Promise<DtlsIdentity> {
  try {
    const { CipherContext, HashAlgorithm, NamedCurveAlgorithm, SignatureAlgorithm } = await import('werift');
    const { certPem, keyPem, signatureHash } = await CipherContext.createSelfSignedCertificateWithKey(
      { signature: SignatureAlgorithm.ecdsa_3, hash: HashAlgorithm.sha256_4 },
      NamedCurveAlgorithm.secp256r1_23,
    );
    const value = new X509Certificate(certPem).fingerprint256;
    return { certPem, keyPem, signatureHash: { signature: signatureHash.signature, hash: signatureHash.hash }, fingerprint: { algorithm: 'sha-256', value } };
  } catch (err) {
    throw new MediaError('MEDIA_CLOSED', 'cannot create the DTLS certificate for WebRTC legs', { cause: err });
  }
}
