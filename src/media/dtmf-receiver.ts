/** RFC 4733 §3.2 event codes 0-15: digits, *, #, A-D. */
const EVENT_DIGITS = '0123456789*#ABCD';
/** Timestamps of events already reported, so late/reordered repeats of an old event are not reported again. */
const REMEMBERED = 8;

/** A decoded telephone-event payload (RFC 4733 §2.3). */
export interface TelephoneEvent {
  event: number;
  end: boolean;
  volume: number;
  duration: number;
}

export function parseTelephoneEvent(payload: Buffer): TelephoneEvent | undefined {
  if (payload.length < 4) return undefined;
  const flags = payload[1] ?? 0;
  return {
    event: payload[0] ?? 0,
    end: (flags & 0x80) !== 0,
    volume: flags & 0x3f,
    duration: payload.readUInt16BE(2),
  };
}

/**
 * Turns RFC 4733 telephone-event packets into key presses, one per event.
 * An event is identified by its RTP timestamp (§2.5.1.1: all packets of one event share it). It is
 * reported at its first end packet (§2.5.1.4: the end packet is sent three times, reported once); if
 * every end packet was lost it is reported when a packet of a new event arrives, or by `expire()` once
 * no packet of it came for `lostEndMs` (§2.5.2.2: the receiver ends it itself).
 */
export class DtmfReceiver {
  private currentTs: number | undefined;
  private currentDigit: string | undefined;
  private reported = false;
  private lastPacketAt = 0;
  private readonly done: number[] = [];

  constructor(
    private readonly onDigit: (digit: string) => void,
    private readonly lostEndMs = 1000,
  ) {}

  /** Feeds the payload of one packet with the negotiated telephone-event payload type. */
  receive(timestamp: number, payload: Buffer, nowMs: number): void {
    const ev = parseTelephoneEvent(payload);
    if (ev === undefined) return;
    const digit = EVENT_DIGITS[ev.event];
    if (timestamp !== this.currentTs) {
      if (this.done.includes(timestamp)) return;
      this.finishCurrent();
      this.currentTs = timestamp;
      this.currentDigit = digit;
      this.reported = false;
    }
    this.lastPacketAt = nowMs;
    if (ev.end) this.finishCurrent();
  }

  /** Reports an event whose end packets never came; call it periodically. */
  expire(nowMs: number): void {
    if (this.currentTs !== undefined && !this.reported && nowMs - this.lastPacketAt >= this.lostEndMs) {
      this.finishCurrent();
    }
  }

  private finishCurrent(): void {
    if (this.currentTs === undefined || this.reported) return;
    this.reported = true;
    this.done.push(this.currentTs);
    if (this.done.length > REMEMBERED) this.done.shift();
    // Events 16+ (flash, tones) are not key presses.
    if (this.currentDigit !== undefined) this.onDigit(this.currentDigit);
  }
}
