import type { MediaBridge, MediaBridging, MediaEngine, RtpSession } from '../media/media-types.js';
import { InvalidStateError } from '../shared/app-error.js';
import type { BridgeHandle, CallLeg } from '../telephony/call-leg.js';
import { SipCallLeg } from './sip-call-leg.js';
import { SipOutboundCallLeg } from './sip-outbound-call-leg.js';

/** True when the media engine can relay two sessions (the bridging extension of the media contract). */
export function canBridge(media: MediaEngine): media is MediaEngine & MediaBridging {
  return typeof (media as Partial<MediaBridging>).bridge === 'function';
}

/**
 * Bridges two answered legs of the engine (the engine passes its own leg objects; anything else is
 * refused): InvalidStateError when a leg is foreign or not answered, or the media engine cannot bridge.
 */
export function bridgeLegs(media: MediaEngine, a: CallLeg, b: CallLeg, options: { recordingPath?: string }): SipBridge {
  if (!canBridge(media)) throw new InvalidStateError('the media engine cannot bridge calls');
  if (a === b) throw new InvalidStateError('cannot bridge a leg with itself');
  const sessionOf = (leg: CallLeg): RtpSession => {
    if (!(leg instanceof SipCallLeg || leg instanceof SipOutboundCallLeg)) throw new InvalidStateError(`leg ${leg.id} is not a call of this engine`);
    const session = leg.rtpSession;
    if (leg.state !== 'answered' || !session) throw new InvalidStateError(`leg ${leg.id} is not answered`);
    return session;
  };
  const bridge = media.bridge(sessionOf(a), sessionOf(b), options.recordingPath === undefined ? {} : { recordingPath: options.recordingPath });
  return new SipBridge(bridge, [a, b]);
}

/**
 * Two answered legs' media relayed by the media engine. When either leg ends the relay closes
 * (the other leg stays up: its owner decides). `close()` is safe twice and removes every listener.
 */
export class SipBridge implements BridgeHandle {
  private closing: Promise<void> | undefined;
  private readonly onLegEnded = (): void => {
    void this.close();
  };
  private readonly onMediaClosed = (): void => {
    void this.close();
  };

  constructor(
    private readonly media: MediaBridge,
    private readonly legs: readonly [CallLeg, CallLeg],
  ) {
    for (const leg of legs) leg.events.once('ended', this.onLegEnded);
    media.events.once('closed', this.onMediaClosed);
  }

  get recordingPath(): string | undefined {
    return this.media.recordingPath;
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    for (const leg of this.legs) leg.events.off('ended', this.onLegEnded);
    this.media.events.off('closed', this.onMediaClosed);
    this.closing = this.media.close();
    return this.closing;
  }
}
