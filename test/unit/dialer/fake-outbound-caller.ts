import type { CallOutcome, OutboundCaller, OutboundTask } from '../../../src/dialer/outbound-caller.js';

export interface PlacedCall {
  readonly task: OutboundTask;
  readonly signal: AbortSignal;
  readonly at: number;
  settled: boolean;
  finish(outcome: CallOutcome): void;
}

/** An OutboundCaller whose calls stay up until the test (or `auto`) finishes them. */
export class FakeOutboundCaller implements OutboundCaller {
  readonly calls: PlacedCall[] = [];
  /** When set, every call ends at once with what it returns. */
  auto: ((task: OutboundTask) => CallOutcome) | undefined;

  constructor(private readonly now: () => number) {}

  call(task: OutboundTask, signal: AbortSignal): Promise<CallOutcome> {
    return new Promise((resolve) => {
      const placed: PlacedCall = {
        task,
        signal,
        at: this.now(),
        settled: false,
        finish: (outcome) => {
          if (placed.settled) return;
          placed.settled = true;
          resolve(outcome);
        },
      };
      this.calls.push(placed);
      signal.addEventListener('abort', () => {
        placed.finish({ kind: 'failed', failure: 'cancelled' });
      });
      if (this.auto !== undefined) placed.finish(this.auto(task));
    });
  }

  get active(): PlacedCall[] {
    return this.calls.filter((c) => !c.settled);
  }
}

export const answered = (ivrPath: string[] = [], digits = ''): CallOutcome => ({
  kind: 'answered',
  callId: 'call-1',
  ivrPath,
  digits,
  variables: {},
  ivrOutcome: 'hangup',
});
export const busy: CallOutcome = { kind: 'failed', failure: 'busy' };
