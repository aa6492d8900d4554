import type { CallLeg, CallLegEvents, EndReason, LegEnd, LegState, PlayOutcome } from '../../src/telephony/call-leg.js';
import { TypedEmitter } from '../../src/shared/typed-emitter.js';

/** A CallLeg driven by the test: `remoteHangup()`, `press()`; records what was played. */
export class FakeCallLeg implements CallLeg {
  readonly events = new TypedEmitter<CallLegEvents>();
  readonly direction = 'inbound' as const;
  state: LegState = 'ringing';
  answeredAt: number | undefined;
  endedAt: number | undefined;
  end: LegEnd | undefined;
  readonly played: string[][] = [];
  answerError: Error | undefined;

  constructor(
    readonly id: string,
    readonly from: string,
    readonly to: string,
    readonly startedAt: number,
  ) {}

  answer(): Promise<void> {
    if (this.answerError) {
      this.finish({ reason: 'no-ack', by: 'local' });
      return Promise.reject(this.answerError);
    }
    this.state = 'answered';
    this.answeredAt = this.startedAt + 12;
    this.events.emit('answered');
    return Promise.resolve();
  }

  reject(status: number): void {
    this.finish({ reason: 'rejected', by: 'local', sipStatus: status });
  }

  hangup(reason: EndReason = 'hangup'): Promise<void> {
    if (this.state !== 'ended') this.finish({ reason, by: 'local' });
    return Promise.resolve();
  }

  play(prompts: readonly string[]): Promise<PlayOutcome> {
    this.played.push([...prompts]);
    return Promise.resolve(this.state === 'ended' ? 'ended' : 'completed');
  }

  stopPlayback(): void {
    /* nothing is really playing */
  }

  press(digit: string): void {
    this.events.emit('dtmf', digit, 'rfc4733');
  }

  remoteHangup(): void {
    this.finish({ reason: 'hangup', by: 'remote' });
  }

  private finish(end: LegEnd): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.end = end;
    this.endedAt = this.startedAt + 5000;
    this.events.emit('ended', end);
  }
}
