import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { encodeRtp, parseRtp, type RtpPacket } from '../../../src/media/rtp-packet.js';

/** A plain UDP socket on 127.0.0.1 standing in for a phone: records the RTP it receives, sends RTP. */
export class UdpPeer {
  readonly received: { packet: RtpPacket; at: number }[] = [];
  private constructor(
    private readonly socket: Socket,
    readonly port: number,
  ) {
    socket.on('message', (msg) => {
      const packet = parseRtp(msg);
      if (packet) this.received.push({ packet: { ...packet, payload: Buffer.from(packet.payload) }, at: performance.now() });
    });
  }

  /** `address` other than 127.0.0.1 (e.g. 127.0.0.2) stands for another host on Linux loopback. */
  static async open(address = '127.0.0.1'): Promise<UdpPeer> {
    const socket = createSocket('udp4');
    socket.bind(0, address);
    await once(socket, 'listening');
    return new UdpPeer(socket, socket.address().port);
  }

  send(toPort: number, packet: Partial<RtpPacket> & { payload: Buffer }): void {
    this.socket.send(
      encodeRtp({ payloadType: 0, marker: false, sequenceNumber: 1, timestamp: 1, ssrc: 42, ...packet }),
      toPort,
      '127.0.0.1',
    );
  }

  close(): void {
    this.socket.close();
  }
}

/** Polls `check` until it holds (bounded: a loaded machine is slow, a broken engine never gets there). */
export async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  for (const end = performance.now() + ms; !check(); ) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function offerTo(port: number, payloads = '0 8 101', direction = 'sendrecv'): string {
  return [
    'v=0',
    'o=peer 1 1 IN IP4 127.0.0.1',
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP ${payloads}`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-16',
    `a=${direction}`,
    '',
  ].join('\r\n');
}

/** Sleeps until performance.now() reaches `at` (setTimeout alone drifts early or late on a loaded machine). */
export async function sleepUntil(at: number): Promise<void> {
  for (let left = at - performance.now(); left > 0; left = at - performance.now()) await sleep(Math.ceil(left));
}
/** An offer of one codec (0 PCMU or 8 PCMA) and, when given, telephone-event on payload type `eventPt`. */
export function offerCodec(port: number, codecPt: 0 | 8, eventPt?: number): string {
  const lines = ['v=0', 'o=peer 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0'];
  lines.push(`m=audio ${port} RTP/AVP ${codecPt}${eventPt === undefined ? '' : ` ${eventPt}`}`);
  lines.push(codecPt === 0 ? 'a=rtpmap:0 PCMU/8000' : 'a=rtpmap:8 PCMA/8000');
  if (eventPt !== undefined) lines.push(`a=rtpmap:${eventPt} telephone-event/8000`, `a=fmtp:${eventPt} 0-16`);
  lines.push('a=sendrecv', '');
  return lines.join('\r\n');
}
