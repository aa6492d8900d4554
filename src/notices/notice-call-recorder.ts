import { randomUUID } from 'node:crypto';
import type { Clock } from '../shared/clock.js';
import { noticeHitsOf, type NoticeHitWriter } from './notice-hits.js';

/**
 * Stores which notices an inbound call heard and whether the caller pressed 1, from the variables
 * its IVR run ended with. calls/ calls it once per call, after the IVR.
 */
export class NoticeCallRecorder {
  constructor(
    private readonly deps: { readonly writer: NoticeHitWriter; readonly clock: Clock; readonly timeZone: string },
  ) {}

  /** Resolves once the hits are spooled (nothing to do for a call that heard no notice). */
  recordCall(callId: string, variables: Readonly<Record<string, string>> | undefined): Promise<void> {
    const hits = noticeHitsOf({ callId, key: randomUUID() }, variables, this.deps.clock.now(), this.deps.timeZone);
    return this.deps.writer.write(hits);
  }
}
