import { expect } from 'chai';
import sinon from 'sinon';
import { InviteClientTransaction, type InviteClientTransactionState } from '../../../src/sip/invite-client-transaction.js';
import type { Endpoint } from '../../../src/sip/sip-types.js';
import { FakeClock, FakeTransport, PEER, PEER_TCP, T1, TIMERS, TX, delays, outgoing, responseTo, settle, spyLogger } from './transaction-test-kit.js';

type Event = '180 arrives' | '200 arrives' | '486 arrives' | 'next timer fires' | 'engine closes';
const EVENTS: readonly Event[] = ['180 arrives', '200 arrives', '486 arrives', 'next timer fires', 'engine closes'];

interface Row {
  readonly state: InviteClientTransactionState;
  readonly event: Event;
  readonly next: InviteClientTransactionState;
  /** Requests the transport was asked to send for this event. */
  readonly sent: readonly string[];
  /** Timers running afterwards, by RFC name → delay. */
  readonly timers: Readonly<Record<string, number>>;
  /** Responses handed to the TU for this event. */
  readonly toTu: readonly number[];
  /** The transaction told the layer it is done. */
  readonly done?: boolean;
}

function harness(target: Endpoint = PEER) {
  const clock = new FakeClock();
  const net = new FakeTransport();
  const { logger, errors } = spyLogger();
  const toTu: number[] = [];
  const onTimeout = sinon.spy();
  const onDone = sinon.spy();
  const tx = new InviteClientTransaction('z9hG4bKout1', outgoing('INVITE'), target, {
    clock, timers: TIMERS, logger, send: (m) => net.send(m),
    onResponse: (r) => toTu.push(r.status), onTimeout, onDone,
  });
  return { tx, clock, net, errors, toTu, onTimeout, onDone };
}

type Harness = ReturnType<typeof harness>;

function into(state: InviteClientTransactionState, target: Endpoint = PEER): Harness {
  const h = harness(target);
  h.tx.start();
  if (state === 'proceeding') h.tx.receive(responseTo(180, 'INVITE'));
  if (state === 'accepted') h.tx.receive(responseTo(200, 'INVITE'));
  if (state === 'completed') h.tx.receive(responseTo(486, 'INVITE'));
  if (state === 'terminated') h.tx.cancel();
  expect(h.tx.state).to.equal(state);
  h.net.take();
  h.toTu.length = 0;
  h.onDone.resetHistory();
  return h;
}

function apply(h: Harness, event: Event): void {
  if (event === '180 arrives') h.tx.receive(responseTo(180, 'INVITE'));
  if (event === '200 arrives') h.tx.receive(responseTo(200, 'INVITE'));
  if (event === '486 arrives') h.tx.receive(responseTo(486, 'INVITE'));
  if (event === 'next timer fires') h.clock.fireNext();
  if (event === 'engine closes') h.tx.cancel();
}

afterEach(() => {
  sinon.restore();
});

describe('InviteClientTransaction over UDP, every state × event (RFC 3261 §17.1.1, RFC 6026 §7.2)', () => {
  const A = T1;
  const rows: Row[] = [
    { state: 'calling', event: '180 arrives', next: 'proceeding', sent: [], timers: {}, toTu: [180] },
    { state: 'calling', event: '200 arrives', next: 'accepted', sent: [], timers: { M: TX }, toTu: [200] },
    { state: 'calling', event: '486 arrives', next: 'completed', sent: ['ACK'], timers: { D: TX }, toTu: [486] },
    // Timer A: the INVITE again, and A doubles (no T2 cap for INVITE, §17.1.1.2).
    { state: 'calling', event: 'next timer fires', next: 'calling', sent: ['INVITE'], timers: { A: 2 * A, B: TX }, toTu: [] },
    { state: 'calling', event: 'engine closes', next: 'terminated', sent: [], timers: {}, toTu: [], done: true },

    { state: 'proceeding', event: '180 arrives', next: 'proceeding', sent: [], timers: {}, toTu: [180] },
    { state: 'proceeding', event: '200 arrives', next: 'accepted', sent: [], timers: { M: TX }, toTu: [200] },
    { state: 'proceeding', event: '486 arrives', next: 'completed', sent: ['ACK'], timers: { D: TX }, toTu: [486] },
    // No transaction timer runs in proceeding: the TU decides when to CANCEL (§9.1).
    { state: 'proceeding', event: 'next timer fires', next: 'proceeding', sent: [], timers: {}, toTu: [] },
    { state: 'proceeding', event: 'engine closes', next: 'terminated', sent: [], timers: {}, toTu: [], done: true },

    { state: 'accepted', event: '180 arrives', next: 'accepted', sent: [], timers: { M: TX }, toTu: [] },
    // RFC 6026 §7.2: every 2xx retransmission reaches the TU, which ACKs it (§13.2.2.4).
    { state: 'accepted', event: '200 arrives', next: 'accepted', sent: [], timers: { M: TX }, toTu: [200] },
    { state: 'accepted', event: '486 arrives', next: 'accepted', sent: [], timers: { M: TX }, toTu: [] },
    { state: 'accepted', event: 'next timer fires', next: 'terminated', sent: [], timers: {}, toTu: [], done: true },
    { state: 'accepted', event: 'engine closes', next: 'terminated', sent: [], timers: {}, toTu: [], done: true },

    { state: 'completed', event: '180 arrives', next: 'completed', sent: [], timers: { D: TX }, toTu: [] },
    { state: 'completed', event: '200 arrives', next: 'completed', sent: [], timers: { D: TX }, toTu: [] },
    // §17.1.1.2: a retransmitted final is ACKed again, not passed up.
    { state: 'completed', event: '486 arrives', next: 'completed', sent: ['ACK'], timers: { D: TX }, toTu: [] },
    { state: 'completed', event: 'next timer fires', next: 'terminated', sent: [], timers: {}, toTu: [], done: true },
    { state: 'completed', event: 'engine closes', next: 'terminated', sent: [], timers: {}, toTu: [], done: true },

    { state: 'terminated', event: '180 arrives', next: 'terminated', sent: [], timers: {}, toTu: [] },
    { state: 'terminated', event: '200 arrives', next: 'terminated', sent: [], timers: {}, toTu: [] },
    { state: 'terminated', event: '486 arrives', next: 'terminated', sent: [], timers: {}, toTu: [] },
    { state: 'terminated', event: 'next timer fires', next: 'terminated', sent: [], timers: {}, toTu: [] },
    { state: 'terminated', event: 'engine closes', next: 'terminated', sent: [], timers: {}, toTu: [] },
  ];

  it('the table covers every state × event exactly once', () => {
    const states: InviteClientTransactionState[] = ['calling', 'proceeding', 'accepted', 'completed', 'terminated'];
    expect(rows.map((r) => `${r.state} × ${r.event}`).sort()).to.deep.equal(states.flatMap((s) => EVENTS.map((e) => `${s} × ${e}`)).sort());
  });

  for (const row of rows) {
    it(`when ${row.event} in ${row.state}, it goes ${row.next}, sends [${row.sent.join(', ')}], hands the TU [${row.toTu.join(', ')}]`, () => {
      const h = into(row.state);
      expect(() => { apply(h, row.event); }).not.to.throw();
      expect(h.tx.state, 'state').to.equal(row.next);
      expect(h.net.take(), 'sent').to.deep.equal(row.sent);
      expect(h.clock.running(), 'timers').to.deep.equal(delays(row.timers));
      expect(h.toTu, 'TU').to.deep.equal(row.toTu);
      expect(h.onDone.callCount, 'onDone').to.equal(row.done === true ? 1 : 0);
      expect(h.onTimeout.called, 'onTimeout').to.equal(false);
      expect(h.errors.called, 'error logged').to.equal(false);
    });
  }

  it('when nothing answers, Timer A resends the INVITE at T1 doubling (7 sends in all) until Timer B ends it and tells the TU', () => {
    const h = harness();
    const at: number[] = [];
    const send = h.net.send;
    h.net.send = (m) => { at.push(h.clock.now()); return send(m); };
    h.tx.start();
    h.clock.runAll();
    expect(at).to.deep.equal([0, 500, 1500, 3500, 7500, 15500, 31500]);
    expect(h.tx.state).to.equal('terminated');
    expect(h.onTimeout.calledOnceWith(sinon.match(/Timer B/))).to.equal(true);
    expect(h.onDone.calledOnce).to.equal(true);
    expect(h.clock.now()).to.equal(TX);
  });

  it('when the INVITE goes over TCP, only Timer B runs and Timer D is 0', () => {
    const h = harness(PEER_TCP);
    h.tx.start();
    expect(h.clock.running()).to.deep.equal(delays({ B: TX }));
    h.tx.receive(responseTo(486, 'INVITE'));
    expect(h.clock.running()).to.deep.equal(delays({ D: 0 }));
  });

  it('when the INVITE cannot be sent, it terminates and tells the TU at once (§17.1.4)', async () => {
    const h = harness();
    h.net.failNext();
    h.tx.start();
    await settle();
    expect(h.tx.state).to.equal('terminated');
    expect(h.onTimeout.calledOnceWith(sinon.match(/cannot send INVITE: EHOSTUNREACH/))).to.equal(true);
    expect(h.clock.running()).to.deep.equal([]);
  });

  it('when the ACK of a 486 cannot be sent, it terminates without a second word to the TU', async () => {
    const h = into('calling');
    h.net.failNext();
    h.tx.receive(responseTo(486, 'INVITE'));
    await settle();
    expect(h.tx.state).to.equal('terminated');
    expect(h.toTu).to.deep.equal([486]);
    expect(h.onTimeout.called).to.equal(false);
  });

  it('when start() is called twice, it sends the INVITE once and runs one Timer A and one Timer B', () => {
    const h = harness();
    h.tx.start();
    h.tx.start();
    expect(h.net.take()).to.deep.equal(['INVITE']);
    expect(h.clock.running()).to.deep.equal(delays({ A: T1, B: TX }));
  });

  it('when a TU handler throws inside a socket or timer event, the error is logged and the transaction carries on', () => {
    const clock = new FakeClock();
    const { logger, errors } = spyLogger();
    const make = (branch: string): InviteClientTransaction => new InviteClientTransaction(branch, outgoing('INVITE', branch), PEER, {
      clock, timers: TIMERS, logger, send: () => Promise.resolve(),
      onResponse: () => { throw new Error('TU bug'); }, onTimeout: () => { throw new Error('TU bug'); }, onDone: () => undefined,
    });
    const answered = make('z9hG4bKout2');
    answered.start();
    expect(() => { answered.receive(responseTo(180, 'INVITE', 'z9hG4bKout2')); }).not.to.throw();
    expect(answered.state).to.equal('proceeding');
    const silent = make('z9hG4bKout3');
    silent.start();
    expect(() => clock.runAll()).not.to.throw();
    expect(silent.state).to.equal('terminated');
    expect(errors.callCount).to.equal(2);
  });
});
