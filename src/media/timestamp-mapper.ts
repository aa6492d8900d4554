/** 1 s at 8 kHz: a relayed stream further than this from our own timeline is re-anchored. */
const MAX_STRAY = 8000;

/** Signed difference a − b of two 32-bit RTP timestamps (RFC 3550 §5.1: they wrap). */
export function tsDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/**
 * Maps the RTP timestamps of a relayed source onto our own stream's timeline, so a bridged stream
 * keeps one continuous timestamp sequence (RFC 3550 §5.1) while it carries another party's packets:
 * the first source packet is anchored to the timestamp our stream is due now, later ones keep the
 * source's spacing (lost packets and silence suppression stay visible as gaps). A new source SSRC, or
 * audio straying more than 1 s from our timeline (the source reset its clock), anchors again.
 */
export class TimestampMapper {
  private source: number | undefined;
  private sourceBase = 0;
  private ourBase = 0;

  /**
   * Our timestamp for a source packet. `dueTs` is the timestamp our stream is due now; `mayReanchor`
   * is false for telephone-events, whose packets keep the event's start timestamp for its whole
   * duration (RFC 4733 §2.5.1.1) and so may lag behind by seconds. `anchored` tells a new anchor was
   * taken: the caller sets the marker bit, as after a talkspurt gap.
   */
  map(ssrc: number, sourceTs: number, dueTs: number, mayReanchor: boolean): { timestamp: number; anchored: boolean } {
    if (this.source === ssrc) {
      const timestamp = (this.ourBase + tsDiff(sourceTs, this.sourceBase)) >>> 0;
      if (!mayReanchor || Math.abs(tsDiff(timestamp, dueTs)) <= MAX_STRAY) return { timestamp, anchored: false };
    }
    this.source = ssrc;
    this.sourceBase = sourceTs;
    this.ourBase = dueTs >>> 0;
    return { timestamp: this.ourBase, anchored: true };
  }

  /** Forgets the anchor: the next packet anchors again (a new bridge). */
  reset(): void {
    this.source = undefined;
  }
}
