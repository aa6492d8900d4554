import { AppError } from '../../../src/shared/app-error.js';
import { TypedEmitter } from '../../../src/shared/typed-emitter.js';
import type {
  BridgeOptions, MediaBridge, MediaBridgeEvents, MediaBridging, MediaEngine, PlaybackOutcome, RtpSession, RtpSessionEvents,
} from '../../../src/media/media-types.js';

/** A stand-in for the media engine: SDP handling by string checks, no RTP. */
export class FakeRtpSession implements RtpSession {
  readonly events = new TypedEmitter<RtpSessionEvents>();
  codec: 'PCMU' | 'PCMA' | undefined;
  closed = false;
  readonly offers: string[] = [];
  readonly answers: string[] = [];
  readonly played: string[][] = [];
  readonly playOptions: ({ loop?: boolean } | undefined)[] = [];
  /** Options of each createOffer() call. */
  readonly offerOptions: ({ webrtc?: boolean } | undefined)[] = [];

  constructor(
    readonly callId: string,
    readonly localPort: number,
  ) {}

  answerOffer(offerSdp: string): string {
    this.offers.push(offerSdp);
    if (!offerSdp.includes('m=audio')) throw new AppError('SDP_INVALID', 'no audio stream');
    if (!/PCMU|PCMA/.test(offerSdp)) throw new AppError('SDP_NO_COMMON_CODEC', 'no PCMU/PCMA in offer');
    this.codec = offerSdp.includes('PCMU') ? 'PCMU' : 'PCMA';
    return this.sdp('sendrecv');
  }

  createOffer(options?: { webrtc?: boolean }): string {
    this.offerOptions.push(options);
    const sdp = this.sdp('sendrecv');
    return options?.webrtc === true ? sdp.replace('RTP/AVP', 'UDP/TLS/RTP/SAVPF') : sdp;
  }

  acceptAnswer(answerSdp: string): void {
    this.answers.push(answerSdp);
    if (!/PCMU|PCMA/.test(answerSdp)) throw new AppError('SDP_NO_COMMON_CODEC', 'no PCMU/PCMA in answer');
    this.codec = answerSdp.includes('PCMU') ? 'PCMU' : 'PCMA';
  }

  play(prompts: readonly string[], _signal?: AbortSignal, options?: { loop?: boolean }): Promise<PlaybackOutcome> {
    this.played.push([...prompts]);
    this.playOptions.push(options);
    return new Promise((resolve) => setTimeout(() => { resolve('completed'); }, 5));
  }

  stopPlayback(): void {}

  injectDtmf(digit: string, source: 'info'): void {
    this.events.emit('dtmf', digit, source);
  }

  close(): void {
    this.closed = true;
  }

  private sdp(direction: string): string {
    return [
      'v=0', `o=fake 1 1 IN IP4 127.0.0.1`, 's=-', 'c=IN IP4 127.0.0.1', 't=0 0',
      `m=audio ${this.localPort} RTP/AVP 0 8 101`, 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000',
      'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-15', `a=${direction}`, '',
    ].join('\r\n');
  }
}

export class FakeMediaEngine implements MediaEngine {
  readonly sessions: FakeRtpSession[] = [];
  private nextPort = 30000;

  createSession(callId: string): Promise<RtpSession> {
    const session = new FakeRtpSession(callId, this.nextPort);
    this.nextPort += 2;
    this.sessions.push(session);
    return Promise.resolve(session);
  }

  hasPrompt(): boolean {
    return true;
  }

  get activeSessions(): number {
    return this.sessions.filter((s) => !s.closed).length;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** A bridge that only records what it was asked to relay. */
export class FakeMediaBridge implements MediaBridge {
  readonly events = new TypedEmitter<MediaBridgeEvents>();
  closed = false;

  constructor(
    readonly a: RtpSession,
    readonly b: RtpSession,
    readonly recordingPath: string | undefined,
  ) {}

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.events.emit('closed');
    }
    return Promise.resolve();
  }
}

/** The fake media engine with the bridging extension of the media contract. */
export class FakeBridgingMediaEngine extends FakeMediaEngine implements MediaBridging {
  readonly bridges: FakeMediaBridge[] = [];

  bridge(a: RtpSession, b: RtpSession, options?: BridgeOptions): MediaBridge {
    const bridge = new FakeMediaBridge(a, b, options?.recordingPath);
    this.bridges.push(bridge);
    return bridge;
  }
}
