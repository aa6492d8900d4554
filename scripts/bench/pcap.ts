/**
 * Classic libpcap files (https://wiki.wireshark.org/Development/LibpcapFileFormat), both ways:
 * - writeAlawAudio: raw A-law for sipp's rtp_stream (the media step's callers);
 * - writeRtpPcap: a long PCMA RTP stream for sipp's play_pcap_audio (the capture shipped with
 *   sip-tester lasts 7 s; a media step holds its calls longer), Ethernet/IPv4/UDP framed, 20 ms apart;
 * - readUdpPcap: the UDP datagrams of a tcpdump capture (timestamps and ports only), tolerant of
 *   a truncated last record (tcpdump killed mid-write) and refusing anything that is not a pcap.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { linearToAlaw } from '../../src/media/g711.js';

const FRAME_MS = 20;
const SAMPLES_PER_FRAME = 160;
/** A-law encoding of a zero sample (G.711). */
const ALAW_SILENCE = 0xd5;

function ipChecksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) sum += header.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/**
 * Raw A-law audio for sipp's `rtp_stream` action (sipp ≥ 3.6 built with RTPSTREAM): 8,000 bytes a
 * second, a quiet 440 Hz tone so the stream is not all one byte; sipp loops it for the whole call.
 */
export function writeAlawAudio(file: string, seconds: number): void {
  const out = Buffer.alloc(seconds * 8000);
  for (let i = 0; i < out.length; i++) out[i] = linearToAlaw(Math.round(800 * Math.sin((2 * Math.PI * 440 * i) / 8000)));
  writeFileSync(file, out);
}

/** Writes `seconds` of one PCMA (payload type 8) RTP stream, 50 packets a second, to `file`. */
export function writeRtpPcap(file: string, seconds: number): void {
  const packets = Math.ceil((seconds * 1000) / FRAME_MS);
  const rtpLen = 12 + SAMPLES_PER_FRAME;
  const frameLen = 14 + 20 + 8 + rtpLen;
  const out = Buffer.alloc(24 + packets * (16 + frameLen));
  out.writeUInt32LE(0xa1b2c3d4, 0);
  out.writeUInt16LE(2, 4);
  out.writeUInt16LE(4, 6);
  out.writeUInt32LE(65535, 16);
  out.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  const ssrc = 0x5eedbe9c;
  let at = 24;
  for (let n = 0; n < packets; n++) {
    const tMs = n * FRAME_MS;
    out.writeUInt32LE(Math.floor(tMs / 1000), at);
    out.writeUInt32LE((tMs % 1000) * 1000, at + 4);
    out.writeUInt32LE(frameLen, at + 8);
    out.writeUInt32LE(frameLen, at + 12);
    const f = at + 16;
    out.writeUInt16BE(0x0800, f + 12); // Ethernet: IPv4 (MAC addresses zero, as on loopback)
    const ip = f + 14;
    out[ip] = 0x45;
    out.writeUInt16BE(20 + 8 + rtpLen, ip + 2);
    out.writeUInt16BE(n & 0xffff, ip + 4);
    out.writeUInt16BE(0x4000, ip + 6);
    out[ip + 8] = 64;
    out[ip + 9] = 17;
    out.writeUInt32BE(0x7f000001, ip + 12);
    out.writeUInt32BE(0x7f000001, ip + 16);
    out.writeUInt16BE(ipChecksum(out.subarray(ip, ip + 20)), ip + 10);
    const udp = ip + 20;
    out.writeUInt16BE(40000, udp);
    out.writeUInt16BE(40002, udp + 2);
    out.writeUInt16BE(8 + rtpLen, udp + 4);
    const rtp = udp + 8;
    out[rtp] = 0x80;
    out[rtp + 1] = 8; // PCMA
    out.writeUInt16BE(n & 0xffff, rtp + 2);
    out.writeUInt32BE((n * SAMPLES_PER_FRAME) >>> 0, rtp + 4);
    out.writeUInt32BE(ssrc, rtp + 8);
    // A faint alternating pattern around silence: audio, yet nothing a listener would notice.
    for (let i = 0; i < SAMPLES_PER_FRAME; i++) out[rtp + 12 + i] = ALAW_SILENCE ^ (i & 1);
    at += 16 + frameLen;
  }
  writeFileSync(file, out);
}

export interface UdpPacket {
  /** Capture time, ms (epoch, with µs/ns fraction). */
  atMs: number;
  srcPort: number;
  dstPort: number;
}

/** Offset of the IPv4 header for a link type, or undefined for one this reader does not know. */
function linkHeaderLength(linkType: number): number | undefined {
  switch (linkType) {
    case 1: return 14; // Ethernet (Linux loopback)
    case 101: return 0; // raw IP
    case 113: return 16; // Linux cooked (SLL)
    case 276: return 20; // Linux cooked v2 (SLL2)
    default: return undefined;
  }
}

/** The UDP/IPv4 datagrams of a pcap file; throws on a file that is not a classic pcap. */
export function readUdpPcap(file: string): { packets: UdpPacket[]; truncated: boolean } {
  const buf = readFileSync(file);
  if (buf.length < 24) throw new Error(`${file}: ${buf.length} bytes, not a pcap file`);
  const magic = buf.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const be = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  if (!le && !be) throw new Error(`${file}: magic 0x${magic.toString(16)}, not a classic pcap file`);
  const nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  const u32 = (at: number): number => (le ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
  const linkType = u32(20) & 0xffff;
  const linkLen = linkHeaderLength(linkType);
  if (linkLen === undefined) throw new Error(`${file}: link type ${linkType} not supported`);
  const packets: UdpPacket[] = [];
  let at = 24;
  let truncated = false;
  while (at + 16 <= buf.length) {
    const sec = u32(at);
    const frac = u32(at + 4);
    const incl = u32(at + 8);
    const data = at + 16;
    if (incl > 262_144 || data + incl > buf.length) {
      truncated = true;
      break;
    }
    at = data + incl;
    const ip = data + linkLen;
    if (incl < linkLen + 28 || buf[ip] === undefined || buf[ip] >> 4 !== 4 || buf[ip + 9] !== 17) continue;
    const ihl = (buf[ip] & 0x0f) * 4;
    const udp = ip + ihl;
    if (udp + 4 > data + incl) continue;
    packets.push({ atMs: sec * 1000 + (nano ? frac / 1e6 : frac / 1e3), srcPort: buf.readUInt16BE(udp), dstPort: buf.readUInt16BE(udp + 2) });
  }
  if (at < buf.length) truncated = true;
  return { packets, truncated };
}
