import { RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, type RTCDtlsTransport, type RtpPacket } from 'werift';
import { encodeUlaw } from '../../src/media/g711.js';

/** One RTP packet the "browser" received, decrypted. */
export interface ReceivedRtp {
  readonly payloadType: number;
  readonly payload: Buffer;
  readonly at: number;
}

const TELEPHONE_EVENT_PT = 101;

/**
 * A browser's WebRTC side in Node, for tests and the load script: a werift RTCPeerConnection
 * (full ICE, controlling; DTLS; SRTP) offering/answering PCMU and telephone-event like Chrome does.
 * Media goes through its DTLS transport directly, so the test picks payload types and timestamps
 * (werift's RTCRtpSender would rewrite a telephone-event packet to the audio codec).
 */
export class BrowserPeer {
  readonly received: ReceivedRtp[] = [];
  private readonly pc: RTCPeerConnection;
  private readonly ssrc = Math.floor(Math.random() * 2 ** 32);
  private seq = Math.floor(Math.random() * 2 ** 16);
  private ts = Math.floor(Math.random() * 2 ** 32);
  private toneTimer: NodeJS.Timeout | undefined;
  private phase = 0;
  /** Record received packets (the load script turns it off to measure only the server). */
  keep = true;
  packetsReceived = 0;

  constructor() {
    this.pc = new RTCPeerConnection({
      codecs: {
        audio: [
          new RTCRtpCodecParameters({ mimeType: 'audio/PCMU', clockRate: 8000, channels: 1, payloadType: 0 }),
          new RTCRtpCodecParameters({ mimeType: 'audio/telephone-event', clockRate: 8000, channels: 1, payloadType: TELEPHONE_EVENT_PT }),
        ],
      },
      iceAdditionalHostAddresses: ['127.0.0.1'],
      iceUseIpv6: false,
      iceUseTcp: false,
      iceInterfaceAddresses: { udp4: '127.0.0.1' },
    });
  }

  /** The server offered (it calls the browser): our answer. */
  async answer(offerSdp: string): Promise<string> {
    await this.pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
    for (const t of this.pc.getTransceivers()) t.setDirection('sendrecv');
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    await this.gathered();
    this.listen();
    return this.pc.localDescription?.sdp ?? '';
  }

  /** The browser offers (it calls the server). */
  async offer(): Promise<string> {
    this.pc.addTransceiver('audio', { direction: 'sendrecv' });
    await this.pc.setLocalDescription(await this.pc.createOffer());
    await this.gathered();
    this.listen();
    return this.pc.localDescription?.sdp ?? '';
  }

  async accept(answerSdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'answer', sdp: answerSdp });
  }

  /** Resolves when ICE and DTLS are up (rejects after `timeoutMs`). */
  connected(timeoutMs = 20_000): Promise<void> {
    if (this.pc.connectionState === 'connected') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        unsubscribe();
        reject(new Error(`WebRTC peer not connected within ${timeoutMs} ms (state ${this.pc.connectionState})`));
      }, timeoutMs);
      const { unSubscribe: unsubscribe } = this.pc.connectionStateChange.subscribe((state) => {
        if (state !== 'connected' && state !== 'failed') return;
        clearTimeout(timer);
        unsubscribe();
        if (state === 'connected') resolve();
        else reject(new Error('WebRTC peer failed'));
      });
    });
  }

  get state(): string {
    return this.pc.connectionState;
  }

  /** Sends a PCMU sine of `freq` Hz, one 20 ms packet every 20 ms, until stopTone(). */
  startTone(freq: number, amplitude = 8000): void {
    this.stopTone();
    this.toneTimer = setInterval(() => {
      const samples = new Int16Array(160);
      for (let i = 0; i < 160; i++) samples[i] = Math.round(amplitude * Math.sin(this.phase + (2 * Math.PI * freq * i) / 8000));
      this.phase += (2 * Math.PI * freq * 160) / 8000;
      this.send(0, encodeUlaw(samples), false);
      this.ts = (this.ts + 160) >>> 0;
    }, 20);
  }

  stopTone(): void {
    clearInterval(this.toneTimer);
    this.toneTimer = undefined;
  }

  /** One RFC 4733 key press: three progress packets then the end packet three times (same timestamp). */
  async pressKey(event: number, payloadType = TELEPHONE_EVENT_PT): Promise<void> {
    const ts = this.ts;
    for (let i = 0; i < 6; i++) {
      const end = i >= 3;
      const duration = Math.min(i + 1, 4) * 160;
      const payload = Buffer.from([event, (end ? 0x80 : 0) | 10, duration >> 8, duration & 0xff]);
      this.sendAt(payloadType, payload, i === 0, ts);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    this.ts = (this.ts + 4 * 160) >>> 0;
  }

  /** Decoded? No: the raw G.711 payloads received with payload type `pt`, in order. */
  payloads(pt: number): Buffer[] {
    return this.received.filter((r) => r.payloadType === pt).map((r) => r.payload);
  }

  async close(): Promise<void> {
    this.stopTone();
    await this.pc.close();
  }

  private send(payloadType: number, payload: Buffer, marker: boolean): void {
    this.sendAt(payloadType, payload, marker, this.ts);
  }

  private sendAt(payloadType: number, payload: Buffer, marker: boolean, timestamp: number): void {
    const transport = this.transport();
    if (transport?.state !== 'connected') return;
    const header = new RtpHeader({ payloadType, marker, sequenceNumber: this.seq, timestamp, ssrc: this.ssrc });
    this.seq = (this.seq + 1) & 0xffff;
    void transport.sendRtp(payload, header);
  }

  private transport(): RTCDtlsTransport | undefined {
    return this.pc.dtlsTransports[0];
  }

  private listen(): void {
    const transport = this.transport();
    if (transport === undefined) throw new Error('no DTLS transport after the offer/answer');
    transport.onRtp.subscribe((rtp: RtpPacket) => {
      this.packetsReceived++;
      if (this.keep) this.received.push({ payloadType: rtp.header.payloadType, payload: Buffer.from(rtp.payload), at: performance.now() });
    });
  }

  private async gathered(): Promise<void> {
    if (this.pc.iceGatheringState === 'complete') return;
    await new Promise<void>((resolve) => {
      this.pc.iceGatheringStateChange.subscribe((state) => {
        if (state === 'complete') resolve();
      });
    });
  }
}
