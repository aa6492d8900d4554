import { expect } from 'chai';
import sinon from 'sinon';
import type { SipOutgoingMessage } from 'sip';
import { InviteOkRetransmitter, type InviteOkRetransmitterState } from '../../../src/sip/invite-ok-retransmitter.js';
import { FakeClock, T1, T2, TX, delays } from './transaction-test-kit.js';

const OK: SipOutgoingMessage = { status: 200, reason: 'OK', version: '2.0', headers: {} };

function harness() {
  const clock = new FakeClock();
  const resentAt: number[] = [];
  const onTimeout = sinon.spy();
  const r = new InviteOkRetransmitter(1, OK, {
    clock, t1: T1, t2: T2, giveUpMs: TX, resend: () => resentAt.push(clock.now()), onTimeout,
  });
  return { r, clock, resentAt, onTimeout };
}

type Event = 'start' | 'stop (ACK)' | 'next timer fires';
const EVENTS: readonly Event[] = ['start', 'stop (ACK)', 'next timer fires'];

interface Row {
  readonly state: InviteOkRetransmitterState;
  readonly event: Event;
  readonly next: InviteOkRetransmitterState;
  readonly resends: number;
  readonly timers: Readonly<Record<string, number>>;
  readonly timedOut?: boolean;
}

function into(state: InviteOkRetransmitterState): ReturnType<typeof harness> {
  const h = harness();
  if (state !== 'idle') h.r.start();
  if (state === 'stopped') h.r.stop();
  if (state === 'gave-up') h.clock.runAll();
  expect(h.r.state).to.equal(state);
  h.resentAt.length = 0;
  h.onTimeout.resetHistory();
  return h;
}

describe('InviteOkRetransmitter, every state × event (RFC 3261 §13.3.1.4)', () => {
  const rows: Row[] = [
    { state: 'idle', event: 'start', next: 'retransmitting', resends: 0, timers: { retransmit: T1, giveUp: TX } },
    { state: 'idle', event: 'stop (ACK)', next: 'stopped', resends: 0, timers: {} },
    { state: 'idle', event: 'next timer fires', next: 'idle', resends: 0, timers: {} },
    // A second start() must not run a second schedule (two 2xx per interval, two timeouts).
    { state: 'retransmitting', event: 'start', next: 'retransmitting', resends: 0, timers: { retransmit: T1, giveUp: TX } },
    { state: 'retransmitting', event: 'stop (ACK)', next: 'stopped', resends: 0, timers: {} },
    { state: 'retransmitting', event: 'next timer fires', next: 'retransmitting', resends: 1, timers: { retransmit: 2 * T1, giveUp: TX } },
    // A start() after the ACK must not bring back the give-up timer (a BYE for an answered call).
    { state: 'stopped', event: 'start', next: 'stopped', resends: 0, timers: {} },
    { state: 'stopped', event: 'stop (ACK)', next: 'stopped', resends: 0, timers: {} },
    { state: 'stopped', event: 'next timer fires', next: 'stopped', resends: 0, timers: {} },
    { state: 'gave-up', event: 'start', next: 'gave-up', resends: 0, timers: {} },
    { state: 'gave-up', event: 'stop (ACK)', next: 'gave-up', resends: 0, timers: {} },
    { state: 'gave-up', event: 'next timer fires', next: 'gave-up', resends: 0, timers: {} },
  ];

  it('the table covers every state × event exactly once', () => {
    const states: InviteOkRetransmitterState[] = ['idle', 'retransmitting', 'stopped', 'gave-up'];
    expect(rows.map((r) => `${r.state} × ${r.event}`).sort()).to.deep.equal(states.flatMap((s) => EVENTS.map((e) => `${s} × ${e}`)).sort());
  });

  for (const row of rows) {
    it(`when ${row.event} in ${row.state}, it goes ${row.next} with ${String(row.resends)} resend(s)`, () => {
      const h = into(row.state);
      if (row.event === 'start') h.r.start();
      if (row.event === 'stop (ACK)') h.r.stop();
      if (row.event === 'next timer fires') h.clock.fireNext();
      expect(h.r.state).to.equal(row.next);
      expect(h.resentAt.length, 'resends').to.equal(row.resends);
      expect(h.clock.running(), 'timers').to.deep.equal(delays(row.timers));
      expect(h.onTimeout.called, 'onTimeout').to.equal(row.timedOut === true);
    });
  }

  it('when no ACK comes, it resends the 2xx at T1 doubling up to T2 and gives up once at 64*T1', () => {
    const h = into('idle');
    h.r.start();
    h.clock.runAll();
    expect(h.resentAt).to.deep.equal([500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(h.onTimeout.calledOnce).to.equal(true);
    expect(h.clock.now()).to.equal(TX);
    expect(h.r.state).to.equal('gave-up');
  });

  it('when start() runs after stop(), the call is never timed out for a missing ACK', () => {
    const h = harness();
    h.r.stop();
    h.r.start();
    h.clock.runAll();
    expect(h.onTimeout.called).to.equal(false);
    expect(h.resentAt).to.deep.equal([]);
  });

  it('when start() runs twice, the 2xx is resent once per interval, not twice', () => {
    const h = harness();
    h.r.start();
    h.r.start();
    h.clock.runAll();
    expect(h.resentAt).to.have.length(10);
    expect(h.onTimeout.calledOnce).to.equal(true);
  });
});
