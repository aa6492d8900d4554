/** An RTP packet (RFC 3550 §5.1). Only the fields this server uses; CSRCs and extensions are skipped on parse. */
export interface RtpPacket {
  payloadType: number;
  marker: boolean;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  payload: Buffer;
}

const RTP_VERSION = 2;
const FIXED_HEADER = 12;

/** Writes a version-2 RTP header (no padding, no extension, no CSRC) followed by the payload. */
export function encodeRtp(packet: RtpPacket): Buffer {
  const buf = Buffer.allocUnsafe(FIXED_HEADER + packet.payload.length);
  buf[0] = RTP_VERSION << 6;
  buf[1] = (packet.marker ? 0x80 : 0) | (packet.payloadType & 0x7f);
  buf.writeUInt16BE(packet.sequenceNumber & 0xffff, 2);
  buf.writeUInt32BE(packet.timestamp >>> 0, 4);
  buf.writeUInt32BE(packet.ssrc >>> 0, 8);
  packet.payload.copy(buf, FIXED_HEADER);
  return buf;
}

/**
 * Parses an RTP packet; undefined when it is not one (wrong version, too short, bad lengths).
 * RFC 3550 §5.1: skips CC×4 bytes of CSRC, the header extension (§5.3.1: 4-byte header whose second
 * half counts 32-bit words), and removes padding (last byte = padding length) when P is set.
 * The payload is a view into `buf`, not a copy.
 */
export function parseRtp(buf: Buffer): RtpPacket | undefined {
  if (buf.length < FIXED_HEADER) return undefined;
  const b0 = buf[0] ?? 0;
  const b1 = buf[1] ?? 0;
  if (b0 >> 6 !== RTP_VERSION) return undefined;
  const payloadType = b1 & 0x7f;
  // RTCP packet types 200-204 share the port under rtcp-mux (RFC 5761 §4): their "payload type" is 72-76.
  if (payloadType >= 72 && payloadType <= 76) return undefined;
  let offset = FIXED_HEADER + (b0 & 0x0f) * 4;
  if ((b0 & 0x10) !== 0) {
    if (buf.length < offset + 4) return undefined;
    offset += 4 + buf.readUInt16BE(offset + 2) * 4;
  }
  let end = buf.length;
  if ((b0 & 0x20) !== 0) {
    const padding = buf[buf.length - 1] ?? 0;
    if (padding === 0) return undefined;
    end -= padding;
  }
  if (offset > end) return undefined;
  return {
    payloadType,
    marker: (b1 & 0x80) !== 0,
    sequenceNumber: buf.readUInt16BE(2),
    timestamp: buf.readUInt32BE(4),
    ssrc: buf.readUInt32BE(8),
    payload: buf.subarray(offset, end),
  };
}
