import type { BridgeHandle, CallLeg, DialFailure, DialRequest, PlayOptions, PlayOutcome, TelephonyPbx } from '../../src/telephony/call-leg.js';
import { DialError } from '../../src/telephony/call-leg.js';
import { FakeCallLeg } from './fake-call-leg.js';

/**
 * What the next dial() does: `answer` resolves with an answered FakeCallLeg, a DialFailure rejects with
 * a DialError, `ring` stays pending until the test settles it (`PendingDial.answer()/fail()`) or the
 * caller's signal aborts it (rejects with failure `cancelled`, as a CANCEL would).
 */
export type DialOutcome = 'answer' | 'ring' | DialFailure;

/** One dial() the code under test made. */
export interface PendingDial {
  readonly request: DialRequest;
  readonly signal: AbortSignal | undefined;
  /** The answered leg, once answered. */
  leg: FakeCallLeg | undefined;
  /** settled: answered or failed (by the script, the test or the signal). */
  settled: boolean;
  answer(): FakeCallLeg;
  fail(failure: DialFailure): void;
}

export interface BridgedPair {
  readonly a: CallLeg;
  readonly b: CallLeg;
  readonly recordingPath: string | undefined;
  closed: boolean;
}

/**
 * A FakeCallLeg that keeps each play()'s options, and plays like a real leg: a looping list (hold
 * music) and the prompts named in `blocking` play until stopPlayback(), their signal, the end of the
 * leg or `finishPlaying()`; anything else completes at once.
 */
export class PlayRecordingLeg extends FakeCallLeg {
  readonly plays: { prompts: string[]; loop: boolean; signal: AbortSignal | undefined; active: boolean }[] = [];
  readonly blocking = new Set<string>();
  private readonly playing = new Set<(outcome: PlayOutcome) => void>();

  constructor(id: string, from: string, to: string, startedAt: number) {
    super(id, from, to, startedAt);
    this.events.on('ended', () => {
      this.settlePlays('ended');
    });
  }

  override play(prompts: readonly string[], signal?: AbortSignal, options?: PlayOptions): Promise<PlayOutcome> {
    const loop = options?.loop === true;
    const entry = { prompts: [...prompts], loop, signal, active: false };
    this.plays.push(entry);
    if (this.state === 'ended') return Promise.resolve('ended');
    if (!loop && !prompts.some((p) => this.blocking.has(p))) return Promise.resolve('completed');
    if (signal?.aborted === true) return Promise.resolve('stopped');
    entry.active = true;
    return new Promise<PlayOutcome>((resolve) => {
      const done = (outcome: PlayOutcome): void => {
        entry.active = false;
        this.playing.delete(done);
        signal?.removeEventListener('abort', onAbort);
        resolve(outcome);
      };
      const onAbort = (): void => {
        done('stopped');
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.playing.add(done);
    });
  }

  override stopPlayback(): void {
    this.settlePlays('stopped');
  }

  /** Lets whatever is playing run to its end (a blocking prompt heard in full). */
  finishPlaying(): void {
    this.settlePlays('completed');
  }

  /** True while a play() has not returned (hold music or a blocking prompt). */
  get isPlaying(): boolean {
    return this.playing.size > 0;
  }

  /** What the caller hears now: the plays not yet stopped, as `music:<prompt>` for a loop. */
  nowPlaying(): string[] {
    return this.plays.filter((p) => p.active).map((p) => (p.loop ? `music:${p.prompts.join(',')}` : p.prompts.join(',')));
  }

  private settlePlays(outcome: PlayOutcome): void {
    for (const done of [...this.playing]) done(outcome);
  }

  /** Answered from the start (a caller already through the IVR). */
  static answered(id: string, from: string, startedAt: number): PlayRecordingLeg {
    const leg = new PlayRecordingLeg(id, from, '12345', startedAt);
    leg.state = 'answered';
    leg.answeredAt = startedAt;
    return leg;
  }
}

/** A TelephonyPbx driven by a script of dial outcomes (default `ring`); records dials and bridges. */
export class FakePbx implements TelephonyPbx {
  readonly dials: PendingDial[] = [];
  readonly bridges: BridgedPair[] = [];
  readonly registered = new Set<string>();
  private readonly script: DialOutcome[] = [];
  private legs = 0;

  constructor(private readonly now: () => number = () => Date.now()) {}

  /** Queues the outcomes of the next dials, in order. */
  next(...outcomes: DialOutcome[]): this {
    this.script.push(...outcomes);
    return this;
  }

  dial(request: DialRequest, signal?: AbortSignal): Promise<CallLeg> {
    const outcome = this.script.shift() ?? 'ring';
    return new Promise<CallLeg>((resolve, reject) => {
      const onAbort = (): void => {
        pending.fail('cancelled');
      };
      const pending: PendingDial = {
        request,
        signal,
        leg: undefined,
        settled: false,
        answer: () => {
          if (pending.settled) throw new Error(`dial to ${request.target} already settled`);
          pending.settled = true;
          signal?.removeEventListener('abort', onAbort);
          const leg = new FakeCallLeg(`agent-leg-${++this.legs}`, request.fromUser, request.target, this.now());
          leg.state = 'answered';
          leg.answeredAt = this.now();
          pending.leg = leg;
          resolve(leg);
          return leg;
        },
        fail: (failure) => {
          if (pending.settled) return;
          pending.settled = true;
          signal?.removeEventListener('abort', onAbort);
          reject(new DialError(failure, `dial ${request.target}: ${failure}`));
        },
      };
      this.dials.push(pending);
      if (signal?.aborted === true) {
        pending.fail('cancelled');
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      if (outcome === 'answer') pending.answer();
      else if (outcome !== 'ring') pending.fail(outcome);
    });
  }

  isRegistered(extension: string): boolean {
    return this.registered.has(extension);
  }

  bridge(a: CallLeg, b: CallLeg, options: { recordingPath?: string } = {}): BridgeHandle {
    const pair: BridgedPair = { a, b, recordingPath: options.recordingPath, closed: false };
    this.bridges.push(pair);
    return {
      recordingPath: options.recordingPath,
      close: () => {
        pair.closed = true;
        return Promise.resolve();
      },
    };
  }

  /** The latest dial, or an error naming how many there were. */
  lastDial(): PendingDial {
    const last = this.dials.at(-1);
    if (last === undefined) throw new Error('no dial was made');
    return last;
  }
}
