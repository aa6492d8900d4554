import sinon from 'sinon';
import type { Clock, Timer } from '../../../src/shared/clock.js';
import type { IvrChannel, PlayOutcome } from '../../../src/ivr/ivr-channel.js';
import { parseFlow } from '../../../src/ivr/parse-flow.js';
import type { Flow } from '../../../src/ivr/flow.js';

/** The prompt library the default flow is written against (files under ivr-flows/prompts/). */
export const PROMPTS: ReadonlySet<string> = new Set([
  'welcome', 'menu', 'branch-consult', 'branch-complaint', 'branch-progress', 'branch-agent', 'invalid', 'no-input',
  'you-entered', 'goodbye', 'star', 'pound', 'speech-unavailable', 'progress-offer-menu', 'progress-after', 'progress-not-found', 'progress-not-owner', 'hold-music', 'silence', 'queue-wait', 'callback-offer', 'callback-confirmed', 'notice-press-1', 'notice-goodbye', 'night-offer', 'message-start', 'message-saved', 'beep', ...Array.from({ length: 10 }, (_, i) => `digit-${i}`),
]);

export const hasPrompt = (name: string): boolean => PROMPTS.has(name);

/** sinon fake timers (restored by sinon.restore()) behind the domain's Clock interface. */
export function fakeClock(): { clock: Clock; timers: sinon.SinonFakeTimers } {
  const timers = sinon.useFakeTimers();
  const clock: Clock = {
    now: () => timers.now,
    setTimeout: (fn, ms) => timers.setTimeout(fn, ms) as unknown as Timer,
    clearTimeout: (timer) => {
      timers.clearTimeout(timer as unknown as Parameters<typeof timers.clearTimeout>[0]);
    },
  };
  return { clock, timers };
}

export function flowFrom(yaml: string, file = 'test.yaml'): Flow {
  return parseFlow(yaml, file, { hasPrompt: () => true });
}

interface PlayRecord {
  readonly prompts: readonly string[];
  outcome: PlayOutcome | undefined;
}

/** A call as the IVR sees it: each prompt lasts `promptMs` of fake time; keys and hang-up on demand. */
export class FakeChannel implements IvrChannel {
  ended = false;
  readonly plays: PlayRecord[] = [];
  private readonly digitListeners = new Set<(digit: string) => void>();
  private readonly endListeners = new Set<() => void>();
  private finishCurrent: ((outcome: PlayOutcome) => void) | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly promptMs = 1000,
  ) {}

  play(prompts: readonly string[], signal?: AbortSignal): Promise<PlayOutcome> {
    const record: PlayRecord = { prompts: [...prompts], outcome: undefined };
    this.plays.push(record);
    if (this.ended) {
      record.outcome = 'ended';
      return Promise.resolve('ended');
    }
    return new Promise((resolve) => {
      const finish = (outcome: PlayOutcome): void => {
        this.clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.finishCurrent = undefined;
        record.outcome = outcome;
        resolve(outcome);
      };
      const onAbort = (): void => {
        finish('stopped');
      };
      const timer = this.clock.setTimeout(() => {
        finish('completed');
      }, prompts.length * this.promptMs);
      this.finishCurrent = finish;
      if (signal?.aborted === true) finish('stopped');
      else signal?.addEventListener('abort', onAbort);
    });
  }

  onDigit(listener: (digit: string) => void): () => void {
    this.digitListeners.add(listener);
    return () => this.digitListeners.delete(listener);
  }

  onEnded(listener: () => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  /** The caller presses each key of `keys` in turn. */
  press(keys: string): void {
    for (const key of keys) for (const listener of [...this.digitListeners]) listener(key);
  }

  hangup(): void {
    this.ended = true;
    this.finishCurrent?.('ended');
    for (const listener of [...this.endListeners]) listener();
  }

  /** Every prompt name whose playback was started, in order. */
  get started(): string[] {
    return this.plays.flatMap((p) => p.prompts);
  }

  get listenerCount(): number {
    return this.digitListeners.size + this.endListeners.size;
  }
}
