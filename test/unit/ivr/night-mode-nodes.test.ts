import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import sinon from 'sinon';
import type { AfterHoursDesk, CallerRequest, LeftMessage, QueueOpening } from '../../../src/ivr/after-hours.js';
import { createDefaultNodeRegistry } from '../../../src/ivr/default-node-registry.js';
import type { ChannelRecording } from '../../../src/ivr/ivr-channel.js';
import { IvrSession } from '../../../src/ivr/ivr-session.js';
import { parseFlow } from '../../../src/ivr/parse-flow.js';
import { silentLogger } from '../../../src/logging/logger.js';
import type { Clock } from '../../../src/shared/clock.js';
import { FakeChannel, fakeClock, hasPrompt } from './ivr-test-kit.js';

/** A channel that records: the message lasts until the signal aborts (#) or the caller hangs up. */
class RecordingChannel extends FakeChannel {
  readonly recordings: { maxMs: number; silenceMs: number }[] = [];
  voicedMs = 3000;

  constructor(private readonly clk: Clock) {
    super(clk, 1000);
  }

  record(options: { readonly maxMs: number; readonly silenceMs: number }, signal?: AbortSignal): Promise<ChannelRecording> {
    this.recordings.push({ ...options });
    const started = this.clk.now();
    return new Promise((resolve) => {
      const done = (end: ChannelRecording['end']): void => {
        resolve({ path: '/rec/m.wav', end, durationMs: this.clk.now() - started, voicedMs: this.voicedMs });
      };
      signal?.addEventListener('abort', () => {
        done('stopped');
      });
      this.onEnded(() => {
        done('closed');
      });
    });
  }
}

class FakeDesk implements AfterHoursDesk {
  readonly callbacks: CallerRequest[] = [];
  readonly messages: LeftMessage[] = [];
  readonly discarded: string[] = [];
  constructor(private readonly state: QueueOpening) {}
  opening(): QueueOpening {
    return this.state;
  }
  requestCallback(request: CallerRequest): Promise<void> {
    this.callbacks.push(request);
    return Promise.resolve();
  }
  leaveMessage(message: LeftMessage): Promise<void> {
    this.messages.push(message);
    return Promise.resolve();
  }
  discardRecording(path: string): Promise<void> {
    this.discarded.push(path);
    return Promise.resolve();
  }
}

async function run(desk: FakeDesk | undefined, script: (channel: RecordingChannel, tick: (ms: number) => Promise<void>) => Promise<void>, caller = '13800138000') {
  const { clock, timers } = fakeClock();
  const channel = new RecordingChannel(clock);
  const flow = parseFlow(await readFile('ivr-flows/default.yaml', 'utf8'), 'ivr-flows/default.yaml', {
    hasPrompt,
    registry: createDefaultNodeRegistry({ isQueue: (q) => ['general', 'consult', 'complaint'].includes(q) }),
  });
  const session = new IvrSession({ flow, channel, clock, logger: silentLogger(), variables: { callerNumber: caller, callId: 'call-1' }, ...(desk === undefined ? {} : { afterHours: desk }) });
  const result = session.run();
  await script(channel, async (ms) => {
    await timers.tickAsync(ms);
  });
  await timers.tickAsync(60_000);
  return { r: await result, channel };
}

describe('night mode in the default flow (queue `closed`, callback-request, record-message)', () => {
  afterEach(() => {
    sinon.restore();
  });

  it('when the queue is open, 0 queues the caller as before', async () => {
    const desk = new FakeDesk('open');
    const { r } = await run(desk, async (ch, tick) => {
      ch.press('0');
      await tick(10);
    });
    expect(r).to.include({ outcome: 'queue', queue: 'general' });
  });

  it('when the queue is unstaffed and the caller presses 2, speaks and presses #, the message is filed for that queue with the caller and the call', async () => {
    const desk = new FakeDesk('unstaffed');
    const { r, channel } = await run(desk, async (ch, tick) => {
      ch.press('0');
      await tick(500);
      ch.press('2');
      await tick(3000); // message-start + beep: 2 prompts of 1 s, no barge-in
      ch.press('5'); // not the terminator: the message goes on
      await tick(4000);
      ch.press('#');
      await tick(10);
    });
    expect(r.path).to.deep.equal(['welcome', 'notices', 'main-menu', 'agent', 'night', 'night-message', 'hang-up']);
    expect(r).to.include({ outcome: 'hangup' });
    expect(r.variables).to.include({ nightQueue: 'general', nightReason: 'unstaffed' });
    expect(channel.recordings).to.deep.equal([{ maxMs: 90_000, silenceMs: 6000 }]);
    expect(desk.messages).to.have.length(1);
    expect(desk.messages[0]).to.include({ callId: 'call-1', queue: 'general', callerNumber: '13800138000', recordingPath: '/rec/m.wav' });
    expect(desk.messages[0]?.durationMs).to.be.within(4000, 5000);
    expect(channel.started).to.include.members(['night-offer', 'message-start', 'beep', 'message-saved']);
  });

  it('when nothing was said, the recording is discarded and no message is filed', async () => {
    const desk = new FakeDesk('closed');
    const { r } = await run(desk, async (ch, tick) => {
      ch.voicedMs = 0;
      ch.press('0');
      await tick(500);
      ch.press('2');
      await tick(3000);
      ch.press('#');
      await tick(10);
    });
    expect(desk.messages).to.deep.equal([]);
    expect(desk.discarded).to.deep.equal(['/rec/m.wav']);
    expect(r.path.at(-1)).to.equal('goodbye');
  });

  it('when the caller hangs up after speaking, the message is still filed', async () => {
    const desk = new FakeDesk('closed');
    await run(desk, async (ch, tick) => {
      ch.press('1');
      await tick(500);
      ch.press('2');
      await tick(5000);
      ch.hangup();
      await tick(10);
    });
    expect(desk.messages.map((m) => m.queue)).to.deep.equal(['consult']);
  });

  it('when the caller presses 1, a callback request is stored for its number and the call', async () => {
    const desk = new FakeDesk('closed');
    const { r } = await run(desk, async (ch, tick) => {
      ch.press('0');
      await tick(500);
      ch.press('1');
      await tick(10);
    });
    expect(desk.callbacks).to.deep.equal([{ callId: 'call-1', queue: 'general', callerNumber: '13800138000' }]);
    expect(r.path).to.deep.equal(['welcome', 'notices', 'main-menu', 'agent', 'night', 'night-callback', 'hang-up']);
  });

  it('when a caller without a number presses 1, no callback is stored and it is offered the message instead', async () => {
    const anonymous = new FakeDesk('closed');
    const { r: r2 } = await run(
      anonymous,
      async (ch, tick) => {
        ch.press('0');
        await tick(500);
        ch.press('1');
        await tick(3000);
        ch.hangup(); // while the message is recorded
        await tick(10);
      },
      'anonymous',
    );
    expect(anonymous.callbacks).to.deep.equal([]);
    expect(r2.path).to.include('night-message');
  });

  it('when no desk is configured (night mode unavailable), the caller is queued', async () => {
    const { r } = await run(undefined, async (ch, tick) => {
      ch.press('2');
      await tick(10);
    });
    expect(r).to.include({ outcome: 'queue', queue: 'complaint' });
  });
});
