import type { CallLeg } from '../telephony/call-leg.js';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { ChannelRecording, IvrChannel } from '../ivr/ivr-channel.js';

/** Longest part of a Call-ID kept in a file name. */
const MAX_NAME_STEM = 100;

/**
 * Presents one call leg to the IVR interpreter: prompts out, key presses in, hang-up notice, and —
 * given `messagesDir` and a leg that records — the caller's messages, each a new WAV under
 * `<messagesDir>/<UTC day>/` named after the Call-ID and a random part (never another's file).
 */
export class LegIvrChannel implements IvrChannel {
  readonly record?: (options: { readonly maxMs: number; readonly silenceMs: number }, signal?: AbortSignal) => Promise<ChannelRecording>;

  constructor(
    private readonly leg: CallLeg,
    messagesDir?: string,
  ) {
    const legRecord = leg.record?.bind(leg);
    if (messagesDir !== undefined && legRecord !== undefined) {
      this.record = async (options, signal) => {
        const day = new Date().toISOString().slice(0, 10);
        const stem = leg.id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, MAX_NAME_STEM);
        const path = join(messagesDir, day, `${stem}-${randomBytes(4).toString('hex')}.wav`);
        const result = await legRecord(path, options, signal);
        return { path, ...result };
      };
    }
  }

  get ended(): boolean {
    return this.leg.state === 'ended';
  }

  play(prompts: readonly string[], signal?: AbortSignal): Promise<'completed' | 'stopped' | 'ended'> {
    return this.leg.play(prompts, signal);
  }

  onDigit(listener: (digit: string) => void): () => void {
    const handler = (digit: string): void => {
      listener(digit);
    };
    this.leg.events.on('dtmf', handler);
    return () => this.leg.events.off('dtmf', handler);
  }

  onEnded(listener: () => void): () => void {
    const handler = (): void => {
      listener();
    };
    this.leg.events.on('ended', handler);
    return () => this.leg.events.off('ended', handler);
  }
}
