import { expect } from 'chai';
import sinon from 'sinon';
import { ServerTransaction, type ServerTransactionState } from '../../../src/sip/server-transaction.js';
import { ServerTransactionLayer } from '../../../src/sip/server-transaction-layer.js';
import type { TransportKind } from '../../../src/sip/sip-types.js';
import { FakeClock, FakeTransport, T1, T2, T4, TIMERS, TX, delays, incoming, settle, spyLogger } from './transaction-test-kit.js';

type Event = 'TU sends 1xx' | 'TU sends 2xx' | 'TU sends 486' | 'request retransmitted' | 'ACK' | 'next timer fires' | 'engine closes';
const EVENTS: readonly Event[] = ['TU sends 1xx', 'TU sends 2xx', 'TU sends 486', 'request retransmitted', 'ACK', 'next timer fires', 'engine closes'];

interface Row {
  readonly state: ServerTransactionState;
  readonly event: Event;
  readonly next: ServerTransactionState;
  /** Responses the transport was asked to send for this event. */
  readonly sent: readonly string[];
  /** Timers running afterwards, by RFC 3261 name → delay. */
  readonly timers: Readonly<Record<string, number>>;
  /** What the TU / layer hears: `terminated` (onTerminated), `failure` (onFailure too). */
  readonly tu?: 'terminated' | 'failure';
  /** The TU misused the transaction: logged as an error (and nothing thrown). */
  readonly misuse?: boolean;
}

function harness(method: 'INVITE' | 'BYE', transport: TransportKind = 'udp') {
  const clock = new FakeClock();
  const net = new FakeTransport();
  const { logger, errors } = spyLogger();
  const onTerminated = sinon.spy();
  const onFailure = sinon.spy();
  const tx = new ServerTransaction('k', incoming(method, transport), {
    clock, timers: TIMERS, logger, send: (_req, res) => net.send(res), onTerminated, onFailure,
  });
  return { tx, clock, net, errors, onTerminated, onFailure };
}

type Harness = ReturnType<typeof harness>;

/** Drives a fresh transaction into `state` the way the RFC gets there; leaves the transport log empty. */
function into(state: ServerTransactionState, method: 'INVITE' | 'BYE', transport: TransportKind = 'udp'): Harness {
  const h = harness(method, transport);
  const final = method === 'INVITE' ? 486 : 200;
  switch (state) {
    case 'trying':
      break;
    case 'proceeding':
      h.tx.respond(method === 'INVITE' ? 180 : 100, 'Ringing');
      break;
    case 'accepted':
      h.tx.respond(200, 'OK');
      break;
    case 'completed':
      h.tx.respond(final, 'Final');
      break;
    case 'confirmed':
      h.tx.respond(final, 'Final');
      h.tx.acknowledged();
      break;
    case 'terminated':
      h.tx.respond(final, 'Final');
      h.tx.terminate();
      break;
  }
  expect(h.tx.state).to.equal(state);
  h.net.take();
  h.onTerminated.resetHistory();
  h.onFailure.resetHistory();
  return h;
}

function apply(h: Harness, event: Event): void {
  switch (event) {
    case 'TU sends 1xx':
      h.tx.respond(183, 'Session Progress');
      break;
    case 'TU sends 2xx':
      h.tx.respond(200, 'OK');
      break;
    case 'TU sends 486':
      h.tx.respond(486, 'Busy Here');
      break;
    case 'request retransmitted':
      h.tx.retransmitted();
      break;
    case 'ACK':
      h.tx.acknowledged();
      break;
    case 'next timer fires':
      h.clock.fireNext();
      break;
    case 'engine closes':
      h.tx.terminate();
      break;
  }
}

function check(rows: readonly Row[], method: 'INVITE' | 'BYE', states: readonly ServerTransactionState[]): void {
  it('the table covers every state × event exactly once', () => {
    const seen = rows.map((r) => `${r.state} × ${r.event}`);
    const all = states.flatMap((s) => EVENTS.map((e) => `${s} × ${e}`));
    expect([...seen].sort()).to.deep.equal([...all].sort());
  });
  for (const row of rows) {
    const outcome = `${row.next}, sends [${row.sent.join(', ')}], timers {${Object.keys(row.timers).join(', ')}}${row.tu ? `, TU told ${row.tu}` : ''}`;
    it(`when ${row.event} in ${row.state}, it goes ${outcome}`, () => {
      const h = into(row.state, method);
      expect(() => { apply(h, row.event); }).not.to.throw();
      expect(h.tx.state, 'state').to.equal(row.next);
      expect(h.net.take(), 'sent').to.deep.equal(row.sent);
      expect(h.clock.running(), 'timers').to.deep.equal(delays(row.timers));
      expect(h.onTerminated.callCount, 'onTerminated').to.equal(row.tu === undefined ? 0 : 1);
      expect(h.onFailure.callCount, 'onFailure').to.equal(row.tu === 'failure' ? 1 : 0);
      expect(h.errors.called, 'error logged').to.equal(row.misuse === true);
    });
  }
}

afterEach(() => {
  sinon.restore();
});

describe('ServerTransaction: INVITE over UDP, every state × event (RFC 3261 §17.2.1, RFC 6026 §7.1)', () => {
  const G = T1;
  const rows: Row[] = [
    { state: 'proceeding', event: 'TU sends 1xx', next: 'proceeding', sent: ['183'], timers: {} },
    { state: 'proceeding', event: 'TU sends 2xx', next: 'accepted', sent: ['200'], timers: { L: TX } },
    { state: 'proceeding', event: 'TU sends 486', next: 'completed', sent: ['486'], timers: { G, H: TX } },
    { state: 'proceeding', event: 'request retransmitted', next: 'proceeding', sent: ['180'], timers: {} },
    { state: 'proceeding', event: 'ACK', next: 'proceeding', sent: [], timers: {} },
    { state: 'proceeding', event: 'next timer fires', next: 'proceeding', sent: [], timers: {} },
    { state: 'proceeding', event: 'engine closes', next: 'terminated', sent: [], timers: {}, tu: 'terminated' },

    { state: 'accepted', event: 'TU sends 1xx', next: 'accepted', sent: [], timers: { L: TX }, misuse: true },
    { state: 'accepted', event: 'TU sends 2xx', next: 'accepted', sent: [], timers: { L: TX }, misuse: true },
    { state: 'accepted', event: 'TU sends 486', next: 'accepted', sent: [], timers: { L: TX }, misuse: true },
    // RFC 6026 §7.1: absorbed; the TU's §13.3.1.4 retransmission carries the 2xx.
    { state: 'accepted', event: 'request retransmitted', next: 'accepted', sent: [], timers: { L: TX } },
    // The ACK for a 2xx belongs to the dialog, not to the transaction (§13.3.1.4).
    { state: 'accepted', event: 'ACK', next: 'accepted', sent: [], timers: { L: TX } },
    { state: 'accepted', event: 'next timer fires', next: 'terminated', sent: [], timers: {}, tu: 'terminated' },
    { state: 'accepted', event: 'engine closes', next: 'terminated', sent: [], timers: {}, tu: 'terminated' },

    { state: 'completed', event: 'TU sends 1xx', next: 'completed', sent: [], timers: { G, H: TX }, misuse: true },
    { state: 'completed', event: 'TU sends 2xx', next: 'completed', sent: [], timers: { G, H: TX }, misuse: true },
    { state: 'completed', event: 'TU sends 486', next: 'completed', sent: [], timers: { G, H: TX }, misuse: true },
    { state: 'completed', event: 'request retransmitted', next: 'completed', sent: ['486'], timers: { G, H: TX } },
    { state: 'completed', event: 'ACK', next: 'confirmed', sent: [], timers: { I: T4 } },
    // Timer G: the final again, and G doubles.
    { state: 'completed', event: 'next timer fires', next: 'completed', sent: ['486'], timers: { G: 2 * T1, H: TX } },
    { state: 'completed', event: 'engine closes', next: 'terminated', sent: [], timers: {}, tu: 'terminated' },

    { state: 'confirmed', event: 'TU sends 1xx', next: 'confirmed', sent: [], timers: { I: T4 }, misuse: true },
    { state: 'confirmed', event: 'TU sends 2xx', next: 'confirmed', sent: [], timers: { I: T4 }, misuse: true },
    { state: 'confirmed', event: 'TU sends 486', next: 'confirmed', sent: [], timers: { I: T4 }, misuse: true },
    { state: 'confirmed', event: 'request retransmitted', next: 'confirmed', sent: [], timers: { I: T4 } },
    { state: 'confirmed', event: 'ACK', next: 'confirmed', sent: [], timers: { I: T4 } },
    { state: 'confirmed', event: 'next timer fires', next: 'terminated', sent: [], timers: {}, tu: 'terminated' },
    { state: 'confirmed', event: 'engine closes', next: 'terminated', sent: [], timers: {}, tu: 'terminated' },

    { state: 'terminated', event: 'TU sends 1xx', next: 'terminated', sent: [], timers: {}, misuse: true },
    { state: 'terminated', event: 'TU sends 2xx', next: 'terminated', sent: [], timers: {}, misuse: true },
    { state: 'terminated', event: 'TU sends 486', next: 'terminated', sent: [], timers: {}, misuse: true },
    { state: 'terminated', event: 'request retransmitted', next: 'terminated', sent: [], timers: {} },
    { state: 'terminated', event: 'ACK', next: 'terminated', sent: [], timers: {} },
    { state: 'terminated', event: 'next timer fires', next: 'terminated', sent: [], timers: {} },
    { state: 'terminated', event: 'engine closes', next: 'terminated', sent: [], timers: {} },
  ];
  check(rows, 'INVITE', ['proceeding', 'accepted', 'completed', 'confirmed', 'terminated']);

  it('when no ACK comes, Timer G resends the 486 at T1 doubling up to T2 until Timer H ends it and tells the TU', () => {
    const h = into('completed', 'INVITE');
    const at: number[] = [];
    const send = h.net.send;
    h.net.send = (m) => { at.push(h.clock.now()); return send(m); };
    h.clock.runAll();
    expect(at).to.deep.equal([500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(Math.max(...at.slice(1).map((t, i) => t - (at[i] ?? 0)))).to.equal(T2);
    expect(h.tx.state).to.equal('terminated');
    expect(h.clock.now()).to.equal(TX);
    expect(h.onFailure.calledOnceWith(h.tx, sinon.match(/Timer H/))).to.equal(true);
    expect(h.clock.running()).to.deep.equal([]);
  });

  it('when the ACK arrives after two retransmissions, Timer G stops and Timer I ends the transaction T4 later', () => {
    const h = into('completed', 'INVITE');
    h.clock.fireNext();
    h.clock.fireNext();
    expect(h.net.take()).to.deep.equal(['486', '486']);
    h.tx.acknowledged();
    h.clock.runAll();
    expect(h.net.take()).to.deep.equal([]);
    expect(h.clock.now()).to.equal(1500 + T4);
    expect(h.tx.state).to.equal('terminated');
    expect(h.onFailure.called).to.equal(false);
  });

  it('when the INVITE came over TCP, a 486 starts only Timer H and the ACK ends the transaction at once (Timer I = 0)', () => {
    const h = into('proceeding', 'INVITE', 'tcp');
    h.tx.respond(486, 'Busy Here');
    expect(h.clock.running()).to.deep.equal(delays({ H: TX }));
    h.tx.acknowledged();
    expect(h.clock.running()).to.deep.equal(delays({ I: 0 }));
    h.clock.fireNext();
    expect(h.tx.state).to.equal('terminated');
  });

  it('when the transport cannot send the 486, it tells the TU and stays completed so Timer G retries (RFC 6026 §8.8)', async () => {
    const h = into('proceeding', 'INVITE');
    h.net.failNext();
    h.tx.respond(486, 'Busy Here');
    await settle();
    expect(h.onFailure.calledOnceWith(h.tx, sinon.match(/cannot send 486: EHOSTUNREACH/))).to.equal(true);
    expect(h.tx.state).to.equal('completed');
    h.clock.fireNext();
    expect(h.net.take()).to.deep.equal(['486']);
  });

  it('when the TU answers after the engine closed the transaction, it logs an error and sends nothing instead of throwing', () => {
    const h = into('proceeding', 'INVITE');
    h.tx.terminate();
    expect(() => h.tx.respond(200, 'OK')).not.to.throw();
    expect(h.net.take()).to.deep.equal([]);
    expect(h.errors.calledOnce).to.equal(true);
  });
});

describe('ServerTransaction: non-INVITE over UDP, every state × event (RFC 3261 §17.2.2)', () => {
  const rows: Row[] = [
    { state: 'trying', event: 'TU sends 1xx', next: 'proceeding', sent: ['183'], timers: {} },
    { state: 'trying', event: 'TU sends 2xx', next: 'completed', sent: ['200'], timers: { J: TX } },
    { state: 'trying', event: 'TU sends 486', next: 'completed', sent: ['486'], timers: { J: TX } },
    // §17.2.2: nothing to resend yet, the retransmission is discarded.
    { state: 'trying', event: 'request retransmitted', next: 'trying', sent: [], timers: {} },
    { state: 'trying', event: 'ACK', next: 'trying', sent: [], timers: {} },
    { state: 'trying', event: 'next timer fires', next: 'trying', sent: [], timers: {} },
    { state: 'trying', event: 'engine closes', next: 'terminated', sent: [], timers: {}, tu: 'terminated' },

    { state: 'proceeding', event: 'TU sends 1xx', next: 'proceeding', sent: ['183'], timers: {} },
    { state: 'proceeding', event: 'TU sends 2xx', next: 'completed', sent: ['200'], timers: { J: TX } },
    { state: 'proceeding', event: 'TU sends 486', next: 'completed', sent: ['486'], timers: { J: TX } },
    { state: 'proceeding', event: 'request retransmitted', next: 'proceeding', sent: ['100'], timers: {} },
    { state: 'proceeding', event: 'ACK', next: 'proceeding', sent: [], timers: {} },
    { state: 'proceeding', event: 'next timer fires', next: 'proceeding', sent: [], timers: {} },
    { state: 'proceeding', event: 'engine closes', next: 'terminated', sent: [], timers: {}, tu: 'terminated' },

    { state: 'completed', event: 'TU sends 1xx', next: 'completed', sent: [], timers: { J: TX }, misuse: true },
    { state: 'completed', event: 'TU sends 2xx', next: 'completed', sent: [], timers: { J: TX }, misuse: true },
    { state: 'completed', event: 'TU sends 486', next: 'completed', sent: [], timers: { J: TX }, misuse: true },
    { state: 'completed', event: 'request retransmitted', next: 'completed', sent: ['200'], timers: { J: TX } },
    { state: 'completed', event: 'ACK', next: 'completed', sent: [], timers: { J: TX } },
    { state: 'completed', event: 'next timer fires', next: 'terminated', sent: [], timers: {}, tu: 'terminated' },
    { state: 'completed', event: 'engine closes', next: 'terminated', sent: [], timers: {}, tu: 'terminated' },

    { state: 'terminated', event: 'TU sends 1xx', next: 'terminated', sent: [], timers: {}, misuse: true },
    { state: 'terminated', event: 'TU sends 2xx', next: 'terminated', sent: [], timers: {}, misuse: true },
    { state: 'terminated', event: 'TU sends 486', next: 'terminated', sent: [], timers: {}, misuse: true },
    { state: 'terminated', event: 'request retransmitted', next: 'terminated', sent: [], timers: {} },
    { state: 'terminated', event: 'ACK', next: 'terminated', sent: [], timers: {} },
    { state: 'terminated', event: 'next timer fires', next: 'terminated', sent: [], timers: {} },
    { state: 'terminated', event: 'engine closes', next: 'terminated', sent: [], timers: {} },
  ];
  check(rows, 'BYE', ['trying', 'proceeding', 'completed', 'terminated']);

  it('when the request came over TCP, the final response ends the transaction at once (Timer J = 0)', () => {
    const h = into('trying', 'BYE', 'tcp');
    h.tx.respond(200, 'OK');
    expect(h.clock.running()).to.deep.equal(delays({ J: 0 }));
    h.clock.fireNext();
    expect(h.tx.state).to.equal('terminated');
    expect(h.onTerminated.calledOnce).to.equal(true);
  });
});

describe('ServerTransactionLayer (RFC 3261 §17.2.3)', () => {
  function layer() {
    const clock = new FakeClock();
    const net = new FakeTransport();
    const { logger } = spyLogger();
    return { clock, net, layer: new ServerTransactionLayer({ clock, timers: TIMERS, logger, send: (_r, res) => net.send(res) }) };
  }

  it('when the INVITE is retransmitted or ACKed, it finds the same transaction; another branch finds none', () => {
    const { layer: l } = layer();
    const tx = l.create(incoming('INVITE'));
    expect(l.find(incoming('INVITE'))).to.equal(tx);
    expect(l.find(incoming('ACK'))).to.equal(tx);
    expect(l.find(incoming('INVITE', 'udp', 'z9hG4bKother'))).to.equal(undefined);
    expect(l.findInviteFor(incoming('CANCEL'))).to.equal(tx);
  });

  it('when a transaction terminates (Timer J), the layer forgets it, and close() ends the rest', () => {
    const { layer: l, clock } = layer();
    l.create(incoming('BYE')).respond(200, 'OK');
    const invite = l.create(incoming('INVITE', 'udp', 'z9hG4bKtx2'));
    expect(l.size).to.equal(2);
    clock.fireNext();
    expect(l.size).to.equal(1);
    l.close();
    expect(l.size).to.equal(0);
    expect(invite.state).to.equal('terminated');
    expect(clock.running()).to.deep.equal([]);
  });
});
