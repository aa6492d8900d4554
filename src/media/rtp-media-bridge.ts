import type { Logger } from '../logging/logger.js';
import { TypedEmitter } from '../shared/typed-emitter.js';
import { ALAW_TO_ULAW, ULAW_TO_ALAW } from './g711.js';
import type { MediaClock } from './media-clock.js';
import type { MediaBridge, MediaBridgeEvents } from './media-types.js';
import type { RelaySink, RtpMediaSession } from './rtp-media-session.js';
import type { RtpPacket } from './rtp-packet.js';
import type { Codec } from './sdp-negotiator.js';
import { StereoRecorder, type RecorderChannel } from './stereo-recorder.js';

/** Room for a 60 ms G.711 packet before the scratch buffer has to grow. */
const FRAME_BYTES_MAX = 480;

export interface RtpMediaBridgeOptions {
  /** The caller: left channel of the recording. */
  a: RtpMediaSession;
  /** The agent: right channel. */
  b: RtpMediaSession;
  clock: MediaClock;
  logger: Logger;
  recordingPath?: string | undefined;
  /** Called once when the bridge starts closing: the engine forgets it. */
  onClose: (bridge: RtpMediaBridge) => void;
}

/**
 * Two sessions of one engine relayed to each other (see MediaBridge in media-types.ts).
 *
 * Relaying is driven by arriving packets: each packet received on one side is sent at once on the
 * other (RtpMediaSession.sendRelayed re-stamps it), so there is no timer and no added delay. Audio
 * is transcoded byte by byte through the G.711 μ-law↔A-law tables when the codecs differ (G.711
 * Table 3). RFC 4733 events go out with the other side's telephone-event payload type, payload
 * unchanged (§2.3); when the other side negotiated none they are dropped — the receiving session's
 * 'dtmf' event still fires either way.
 */
export class RtpMediaBridge implements MediaBridge {
  readonly events = new TypedEmitter<MediaBridgeEvents>();
  readonly recordingPath: string | undefined;
  private readonly logger: Logger;
  private readonly recorder: StereoRecorder | undefined;
  private readonly sinks: readonly [RelaySink, RelaySink];
  /** Transcoding output, reused: sendRelayed copies it into the packet. */
  private scratch = Buffer.alloc(FRAME_BYTES_MAX);
  private closing: Promise<void> | undefined;

  constructor(private readonly opts: RtpMediaBridgeOptions) {
    const { a, b } = opts;
    this.logger = opts.logger.child({ module: 'media-bridge', callId: a.callId, peerCallId: b.callId });
    this.recordingPath = opts.recordingPath;
    this.sinks = [this.sinkFor(a, b, 0), this.sinkFor(b, a, 1)];
    a.attachRelay(this.sinks[0]);
    try {
      b.attachRelay(this.sinks[1]);
    } catch (err) {
      a.detachRelay(this.sinks[0]);
      throw err;
    }
    if (opts.recordingPath !== undefined) this.recorder = new StereoRecorder(opts.recordingPath, opts.clock, this.logger);
    this.logger.info('bridge started', { codecA: a.codec, codecB: b.codec, recording: this.recorder !== undefined });
  }

  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    const { a, b } = this.opts;
    a.detachRelay(this.sinks[0]);
    b.detachRelay(this.sinks[1]);
    this.opts.onClose(this);
    try {
      await this.recorder?.close();
    } catch (err) {
      // WavFileWriter logs and swallows its errors; this is a last guard for close()'s contract.
      this.logger.error('recording not finished', { err: err instanceof Error ? err.message : String(err) });
    }
    this.logger.info('bridge closed');
    this.events.emit('closed');
    this.events.removeAllListeners();
  }

  private sinkFor(from: RtpMediaSession, to: RtpMediaSession, channel: RecorderChannel): RelaySink {
    return {
      audio: (packet, codec, arrivedAt) => {
        this.recorder?.push(channel, packet.payload, codec, arrivedAt, packet);
        this.relayAudio(packet, codec, to);
      },
      event: (packet) => {
        to.sendRelayed('event', packet, packet.payload);
      },
      sessionClosed: () => {
        this.logger.debug('bridged session closed', { callId: from.callId });
        void this.close();
      },
    };
  }

  private relayAudio(packet: RtpPacket, codec: Codec, to: RtpMediaSession): void {
    const target = to.codec;
    if (target === undefined) return;
    if (target === codec) {
      to.sendRelayed('audio', packet, packet.payload);
      return;
    }
    const input = packet.payload;
    if (this.scratch.length < input.length) this.scratch = Buffer.alloc(input.length);
    const table = codec === 'PCMU' ? ULAW_TO_ALAW : ALAW_TO_ULAW;
    const out = this.scratch.subarray(0, input.length);
    for (let i = 0; i < input.length; i++) out[i] = table[input[i] ?? 0] ?? 0;
    to.sendRelayed('audio', packet, out);
  }
}
