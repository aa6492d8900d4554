import type { CallLeg } from '../telephony/call-leg.js';
import type { IvrChannel } from '../ivr/ivr-channel.js';

/** Presents one call leg to the IVR interpreter: prompts out, key presses in, hang-up notice. */
export class LegIvrChannel implements IvrChannel {
  constructor(private readonly leg: CallLeg) {}

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
