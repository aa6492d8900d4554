import { createServer, type Server } from 'node:http';
import { expect } from 'chai';
import sinon from 'sinon';
import type { SipTelephony } from '../../../src/sip/sip-telephony.js';
import { FLOW_TAKEN_OVER } from '../../../src/sip/ws-flow-keeper.js';
import { isRequest, WsSipClient } from '../../support/ws-sip-client.js';
import { FakeBridgingMediaEngine } from './fake-media.js';
import { RawSipClient } from './raw-sip-client.js';
import { MemoryCredentials, REALM, Registration } from './sip-peer.js';
import { startEngine } from './test-call.js';

/**
 * One binding per extension, newest wins: a browser phone whose binding a newer registration replaced
 * (a second tab, the desk phone) gets its WebSocket closed with 4001, so the page can say 已被接管
 * instead of sitting 已注册 and never ringing. A call on that socket is never cut for it.
 */
describe('SipTelephony: a WebSocket registration taken over', () => {
  let tel: SipTelephony;
  let http: Server;
  let url: string;
  const clients: WsSipClient[] = [];

  beforeEach(async () => {
    ({ tel } = await startEngine({ credentials: new MemoryCredentials({ '8001': 'secret' }), realm: REALM }, new FakeBridgingMediaEngine()));
    http = createServer();
    tel.attachWebSocket(http, false);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const address = http.address();
    url = `ws://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/sip`;
  });

  afterEach(async () => {
    sinon.restore();
    for (const c of clients.splice(0)) c.terminate();
    await tel.close();
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => { resolve(); }));
  });

  async function phone(): Promise<WsSipClient> {
    const client = await WsSipClient.connect({ url, user: '8001', password: 'secret', domain: '127.0.0.1' });
    clients.push(client);
    return client;
  }

  it('when a second tab registers the extension, the first tab’s socket is closed with 4001 and the second keeps the binding', async () => {
    const first = await phone();
    expect((await first.register()).status).to.equal(200);
    const second = await phone();
    expect((await second.register()).status).to.equal(200);
    expect(await first.closed).to.deep.equal({ code: FLOW_TAKEN_OVER.code });
    expect(tel.isRegistered('8001')).to.equal(true);
    expect(await second.queryBindings()).to.match(/transport=ws$/);
  });

  it('when a desk phone registers over UDP, the browser’s socket is closed with 4001 (and the extension reads as a desk phone, the desk page’s hello)', async () => {
    expect(tel.registeredPhone('8001')).to.equal(null);
    const browser = await phone();
    expect((await browser.register()).status).to.equal(200);
    expect(tel.registeredPhone('8001')).to.equal('browser');
    const desk = await RawSipClient.udp(tel.port);
    try {
      expect((await new Registration(desk, tel.port).register({ user: '8001', password: 'secret' })).status).to.equal(200);
      expect((await browser.closed).code).to.equal(4001);
      expect(tel.registeredPhone('8001')).to.equal('desk');
    } finally {
      desk.close();
    }
  });

  it('when the same socket registers again (a refresh), nothing is closed', async () => {
    const tab = await phone();
    expect((await tab.register()).status).to.equal(200);
    expect((await tab.register()).status).to.equal(200);
    expect(await tab.queryBindings()).to.match(/transport=ws$/);
  });

  it('when the taken-over tab is in a call, its socket stays open until the call ends, then closes with 4001', async () => {
    const first = await phone();
    expect((await first.register()).status).to.equal(200);
    first.answerCalls();
    const leg = tel.originate({ target: 'ext:8001', fromUser: '12345', timeoutMs: 5000 });
    await first.next(isRequest('ACK'), 5000);
    const answered = await leg.connected;
    const second = await phone();
    expect((await second.register()).status).to.equal(200);
    let closedAt: number | undefined;
    void first.closed.then(() => {
      closedAt = Date.now();
    });
    // A negative (no close during the call) has no event to await: a short look.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(closedAt, 'closed during the call').to.equal(undefined);
    const hungUpAt = Date.now();
    await answered.hangup();
    await first.next(isRequest('BYE'), 5000);
    expect((await first.closed).code).to.equal(4001);
    expect((closedAt ?? 0) - hungUpAt, 'a couple of seconds after the call').to.be.within(1500, 4000);
  });
});
