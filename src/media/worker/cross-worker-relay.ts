import { performance } from 'node:perf_hooks';
import type { MessagePort } from 'node:worker_threads';
import type { Logger } from '../../logging/logger.js';
import { TypedEmitter } from '../../shared/typed-emitter.js';
import { ALAW_TO_ULAW, ULAW_TO_ALAW } from '../g711.js';
import type { MediaClock } from '../media-clock.js';
import type { MediaBridgeEvents } from '../media-types.js';
import type { RelaySink, RtpMediaSession } from '../rtp-media-session.js';
import type { RtpPacket } from '../rtp-packet.js';
import type { Codec } from '../sdp-negotiator.js';
import { StereoRecorder } from '../stereo-recorder.js';
import type { RelayMessage } from './media-worker-protocol.js';

/**
 * One worker's half of a bridge whose two sessions live in different workers (RtpMediaBridge is the
 * same-worker case, and behaves the same): the packets our session receives go to the other worker
 * over the bridge's MessageChannel, and what the other worker's session received comes back and is
 * sent by ours (RtpMediaSession.sendRelayed re-stamps it), transcoded when the codecs differ.
 *
 * The half of the caller (`a`) writes the stereo recording: its own packets left, the agent's right,
 * each placed by its arrival time (absolute: the two threads have different performance origins).
 * Relaying is driven by arriving packets, as in RtpMediaBridge: no timer, no batching.
 */
export class CrossWorkerRelay {
  readonly events = new TypedEmitter<MediaBridgeEvents>();
  private readonly logger: Logger;
  private readonly recorder: StereoRecorder | undefined;
  private readonly sink: RelaySink;
  private scratch = Buffer.alloc(480);
  private closing: Promise<void> | undefined;

  constructor(
    private readonly session: RtpMediaSession,
    private readonly port: MessagePort,
    side: 'a' | 'b',
    clock: MediaClock,
    logger: Logger,
    recordingPath: string | undefined,
  ) {
    this.logger = logger.child({ module: 'media-bridge', callId: session.callId, side });
    const ownChannel = side === 'a' ? 0 : 1;
    this.sink = {
      audio: (packet, codec, arrivedAt) => {
        this.recorder?.push(ownChannel, packet.payload, codec, arrivedAt, packet);
        this.forward('audio', packet, codec, arrivedAt);
      },
      event: (packet) => {
        this.forward('event', packet, 'PCMU', performance.now());
      },
      sessionClosed: () => {
        void this.close();
      },
    };
    session.attachRelay(this.sink);
    if (side === 'a' && recordingPath !== undefined) this.recorder = new StereoRecorder(recordingPath, clock, this.logger);
    port.on('message', this.onPeer);
    this.logger.info('bridge half started', { codec: session.codec, recording: this.recorder !== undefined });
  }

  /** Stops relaying (our session goes back to silence), tells the peer, completes the recording. */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    this.session.detachRelay(this.sink);
    this.port.off('message', this.onPeer);
    const bye: RelayMessage = { k: 'closed' };
    this.port.postMessage(bye);
    this.port.close();
    try {
      await this.recorder?.close();
    } catch (err) {
      this.logger.error('recording not finished', { err: err instanceof Error ? err.message : String(err) });
    }
    this.logger.info('bridge half closed');
    this.events.emit('closed');
    this.events.removeAllListeners();
  }

  private forward(k: 'audio' | 'event', packet: RtpPacket, codec: Codec, arrivedAt: number): void {
    if (this.closing !== undefined) return;
    const message: RelayMessage = {
      k,
      // A copy of just the payload: cloning a view would clone its whole backing buffer.
      payload: new Uint8Array(packet.payload),
      codec,
      ssrc: packet.ssrc,
      timestamp: packet.timestamp,
      marker: packet.marker,
      sequenceNumber: packet.sequenceNumber,
      arrivedAt: performance.timeOrigin + arrivedAt,
    };
    this.port.postMessage(message);
  }

  private readonly onPeer = (message: RelayMessage): void => {
    if (this.closing !== undefined) return;
    if (message.k === 'closed') {
      void this.close();
      return;
    }
    const payload = Buffer.from(message.payload.buffer, message.payload.byteOffset, message.payload.byteLength);
    const packet: RtpPacket = {
      payloadType: 0,
      marker: message.marker,
      sequenceNumber: message.sequenceNumber,
      timestamp: message.timestamp,
      ssrc: message.ssrc,
      payload,
    };
    if (message.k === 'event') {
      this.session.sendRelayed('event', packet, payload);
      return;
    }
    this.recorder?.push(1, payload, message.codec, message.arrivedAt - performance.timeOrigin, packet);
    const target = this.session.codec;
    if (target === undefined) return;
    if (target === message.codec) {
      this.session.sendRelayed('audio', packet, payload);
      return;
    }
    if (this.scratch.length < payload.length) this.scratch = Buffer.alloc(payload.length);
    const table = message.codec === 'PCMU' ? ULAW_TO_ALAW : ALAW_TO_ULAW;
    const out = this.scratch.subarray(0, payload.length);
    for (let i = 0; i < payload.length; i++) out[i] = table[payload[i] ?? 0] ?? 0;
    this.session.sendRelayed('audio', packet, out);
  };
}
