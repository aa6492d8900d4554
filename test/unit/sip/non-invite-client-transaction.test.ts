import { expect } from 'chai';
import sinon from 'sinon';
import { ClientTransactionLayer } from '../../../src/sip/client-transaction-layer.js';
import { NonInviteClientTransaction, type NonInviteClientTransactionState } from '../../../src/sip/non-invite-client-transaction.js';
import type { SipResponse } from '../../../src/sip/sip-message.js';
import type { Endpoint } from '../../../src/sip/sip-types.js';
import { FakeClock, FakeTransport, PEER, PEER_TCP, T1, T2, T4, TIMERS, TX, delays, outgoing, responseTo, settle, spyLogger } from './transaction-test-kit.js';

type Event = '100 arrives' | '200 arrives' | '486 arrives' | 'next timer fires' | 'engine closes';
const EVENTS: readonly Event[] = ['100 arrives', '200 arrives', '486 arrives', 'next timer fires', 'engine closes'];

type Outcome = 'pending' | number | 'SIP_TRANSACTION_TIMEOUT' | 'SIP_SEND_FAILED';

interface Row {
  readonly state: NonInviteClientTransactionState;
  readonly event: Event;
  readonly next: NonInviteClientTransactionState;
  readonly sent: readonly string[];
  readonly timers: Readonly<Record<string, number>>;
  /** What the caller of request() sees afterwards: still pending, the final status, or the error code. */
  readonly result: Outcome;
  readonly done?: boolean;
}

function harness(target: Endpoint = PEER) {
  const clock = new FakeClock();
  const net = new FakeTransport();
  const { logger, errors } = spyLogger();
  const onDone = sinon.spy();
  const tx = new NonInviteClientTransaction('z9hG4bKout1', outgoing('BYE'), target, { clock, timers: TIMERS, logger, send: (m) => net.send(m), onDone });
  let result: Outcome = 'pending';
  tx.result.then(
    (r: SipResponse) => { result = r.status; },
    (err: unknown) => { result = (err as { code: 'SIP_TRANSACTION_TIMEOUT' }).code; },
  );
  return { tx, clock, net, errors, onDone, result: async (): Promise<Outcome> => { await settle(); return result; } };
}

type Harness = ReturnType<typeof harness>;

async function into(state: NonInviteClientTransactionState): Promise<{ h: Harness; before: Outcome }> {
  const h = harness();
  h.tx.start();
  if (state === 'proceeding') h.tx.receive(responseTo(100, 'BYE'));
  if (state === 'completed') h.tx.receive(responseTo(200, 'BYE'));
  if (state === 'terminated') h.tx.cancel();
  expect(h.tx.state).to.equal(state);
  h.net.take();
  h.onDone.resetHistory();
  return { h, before: await h.result() };
}

function apply(h: Harness, event: Event): void {
  if (event === '100 arrives') h.tx.receive(responseTo(100, 'BYE'));
  if (event === '200 arrives') h.tx.receive(responseTo(200, 'BYE'));
  if (event === '486 arrives') h.tx.receive(responseTo(486, 'BYE'));
  if (event === 'next timer fires') h.clock.fireNext();
  if (event === 'engine closes') h.tx.cancel();
}

afterEach(() => {
  sinon.restore();
});

describe('NonInviteClientTransaction over UDP, every state × event (RFC 3261 §17.1.2)', () => {
  const E = T1;
  const rows: Row[] = [
    // trying → proceeding keeps Timers E and F (§17.1.2.2).
    { state: 'trying', event: '100 arrives', next: 'proceeding', sent: [], timers: { E, F: TX }, result: 'pending' },
    { state: 'trying', event: '200 arrives', next: 'completed', sent: [], timers: { K: T4 }, result: 200 },
    { state: 'trying', event: '486 arrives', next: 'completed', sent: [], timers: { K: T4 }, result: 486 },
    // Timer E in trying: resend, double up to T2.
    { state: 'trying', event: 'next timer fires', next: 'trying', sent: ['BYE'], timers: { E: 2 * E, F: TX }, result: 'pending' },
    { state: 'trying', event: 'engine closes', next: 'terminated', sent: [], timers: {}, result: 'SIP_TRANSACTION_TIMEOUT', done: true },

    { state: 'proceeding', event: '100 arrives', next: 'proceeding', sent: [], timers: { E, F: TX }, result: 'pending' },
    { state: 'proceeding', event: '200 arrives', next: 'completed', sent: [], timers: { K: T4 }, result: 200 },
    { state: 'proceeding', event: '486 arrives', next: 'completed', sent: [], timers: { K: T4 }, result: 486 },
    // Timer E in proceeding: resend, reset to T2.
    { state: 'proceeding', event: 'next timer fires', next: 'proceeding', sent: ['BYE'], timers: { E: T2, F: TX }, result: 'pending' },
    { state: 'proceeding', event: 'engine closes', next: 'terminated', sent: [], timers: {}, result: 'SIP_TRANSACTION_TIMEOUT', done: true },

    // §17.1.2.2: completed absorbs retransmitted finals; the caller keeps the first one.
    { state: 'completed', event: '100 arrives', next: 'completed', sent: [], timers: { K: T4 }, result: 200 },
    { state: 'completed', event: '200 arrives', next: 'completed', sent: [], timers: { K: T4 }, result: 200 },
    { state: 'completed', event: '486 arrives', next: 'completed', sent: [], timers: { K: T4 }, result: 200 },
    { state: 'completed', event: 'next timer fires', next: 'terminated', sent: [], timers: {}, result: 200, done: true },
    { state: 'completed', event: 'engine closes', next: 'terminated', sent: [], timers: {}, result: 200, done: true },

    { state: 'terminated', event: '100 arrives', next: 'terminated', sent: [], timers: {}, result: 'SIP_TRANSACTION_TIMEOUT' },
    { state: 'terminated', event: '200 arrives', next: 'terminated', sent: [], timers: {}, result: 'SIP_TRANSACTION_TIMEOUT' },
    { state: 'terminated', event: '486 arrives', next: 'terminated', sent: [], timers: {}, result: 'SIP_TRANSACTION_TIMEOUT' },
    { state: 'terminated', event: 'next timer fires', next: 'terminated', sent: [], timers: {}, result: 'SIP_TRANSACTION_TIMEOUT' },
    { state: 'terminated', event: 'engine closes', next: 'terminated', sent: [], timers: {}, result: 'SIP_TRANSACTION_TIMEOUT' },
  ];

  it('the table covers every state × event exactly once', () => {
    const states: NonInviteClientTransactionState[] = ['trying', 'proceeding', 'completed', 'terminated'];
    expect(rows.map((r) => `${r.state} × ${r.event}`).sort()).to.deep.equal(states.flatMap((s) => EVENTS.map((e) => `${s} × ${e}`)).sort());
  });

  for (const row of rows) {
    it(`when ${row.event} in ${row.state}, it goes ${row.next}, sends [${row.sent.join(', ')}], and the caller sees ${String(row.result)}`, async () => {
      const { h } = await into(row.state);
      expect(() => { apply(h, row.event); }).not.to.throw();
      expect(h.tx.state, 'state').to.equal(row.next);
      expect(h.net.take(), 'sent').to.deep.equal(row.sent);
      expect(h.clock.running(), 'timers').to.deep.equal(delays(row.timers));
      expect(await h.result(), 'result').to.equal(row.result);
      expect(h.onDone.callCount, 'onDone').to.equal(row.done === true ? 1 : 0);
      expect(h.errors.called, 'error logged').to.equal(false);
    });
  }

  it('when nothing answers, Timer E resends at T1 doubling up to T2 until Timer F rejects with SIP_TRANSACTION_TIMEOUT', async () => {
    const h = harness();
    const at: number[] = [];
    const send = h.net.send;
    h.net.send = (m) => { at.push(h.clock.now()); return send(m); };
    h.tx.start();
    h.clock.runAll();
    expect(at).to.deep.equal([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(await h.result()).to.equal('SIP_TRANSACTION_TIMEOUT');
    expect(h.clock.now()).to.equal(TX);
    expect(h.tx.state).to.equal('terminated');
  });

  it('when the request goes over TCP, nothing is retransmitted and Timer K is 0', async () => {
    const h = harness(PEER_TCP);
    h.tx.start();
    expect(h.clock.running()).to.deep.equal(delays({ F: TX }));
    h.tx.receive(responseTo(200, 'BYE'));
    expect(h.clock.running()).to.deep.equal(delays({ K: 0 }));
    expect(await h.result()).to.equal(200);
  });

  it('when the request cannot be sent, it terminates at once and the caller sees the send error (§17.1.4)', async () => {
    const h = harness();
    h.net.failNext();
    h.tx.start();
    await settle();
    expect(h.tx.state).to.equal('terminated');
    expect(h.clock.running()).to.deep.equal([]);
    expect(h.onDone.calledOnce).to.equal(true);
    expect(await h.result()).to.equal('SIP_SEND_FAILED');
  });

  it('when start() is called twice, it sends once and runs one Timer E and one Timer F', () => {
    const h = harness();
    h.tx.start();
    h.tx.start();
    expect(h.net.take()).to.deep.equal(['BYE']);
    expect(h.clock.running()).to.deep.equal(delays({ E: T1, F: TX }));
  });
});

describe('ClientTransactionLayer (RFC 3261 §17.1.3)', () => {
  function layer() {
    const clock = new FakeClock();
    const net = new FakeTransport();
    const l = new ClientTransactionLayer({ clock, timers: TIMERS, logger: spyLogger().logger, send: (m) => net.send(m) });
    return { clock, net, l };
  }

  it('when an INVITE and its CANCEL share a branch, each response reaches its own transaction by CSeq method', async () => {
    const { l } = layer();
    const toInvite: number[] = [];
    const invite = l.invite('z9hG4bKout1', outgoing('INVITE'), PEER, { onResponse: (r) => toInvite.push(r.status), onTimeout: () => undefined });
    const cancel = l.request({ branch: 'z9hG4bKout1', message: outgoing('CANCEL'), target: PEER });
    l.receive(responseTo(200, 'CANCEL'));
    l.receive(responseTo(487, 'INVITE'));
    expect((await cancel).status).to.equal(200);
    expect(toInvite).to.deep.equal([487]);
    expect(invite.state).to.equal('completed');
  });

  it('when a response matches no transaction, it is dropped (§18.1.2)', () => {
    const { l } = layer();
    const toInvite: number[] = [];
    l.invite('z9hG4bKout1', outgoing('INVITE'), PEER, { onResponse: (r) => toInvite.push(r.status), onTimeout: () => undefined });
    expect(() => { l.receive(responseTo(180, 'INVITE', 'z9hG4bKother')); }).not.to.throw();
    expect(toInvite).to.deep.equal([]);
  });

  it('when the engine closes, pending requests reject and no timer is left running', async () => {
    const { l, clock } = layer();
    const bye = l.request({ branch: 'z9hG4bKout2', message: outgoing('BYE', 'z9hG4bKout2'), target: PEER });
    const invite = l.invite('z9hG4bKout1', outgoing('INVITE'), PEER, { onResponse: () => undefined, onTimeout: () => undefined });
    l.close();
    let code: unknown;
    await bye.catch((err: unknown) => { code = (err as { code: unknown }).code; });
    expect(code).to.equal('SIP_TRANSACTION_TIMEOUT');
    expect(invite.state).to.equal('terminated');
    expect(clock.running()).to.deep.equal([]);
  });
});
