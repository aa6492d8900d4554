import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import type { SipTelephony } from '../../../src/sip/sip-telephony.js';
import { startBaresip, type Baresip } from '../../support/baresip.js';
import { MemoryCredentials } from './sip-peer.js';
import { startEngine } from './test-call.js';

const hasBaresip = spawnSync('baresip', ['-h'], { stdio: 'ignore' }).error === undefined;

describe('SipTelephony with a real softphone (baresip)', function () {
  this.timeout(20_000);
  let tel: SipTelephony | undefined;
  let phone: Baresip | undefined;

  before(function () {
    if (!hasBaresip) this.skip();
  });

  afterEach(async () => {
    await phone?.stop();
    await tel?.close();
  });

  it('when baresip registers as extension 8001 with digest, dialling ext:8001 reaches it and it auto-answers', async () => {
    const engine = await startEngine({ credentials: new MemoryCredentials({ '8001': 'secret' }), realm: 'hotline.test', t1Ms: 500 });
    tel = engine.tel;
    const registered = new Promise<void>((resolve) => tel?.registrations.on('registration', (ext, ok) => { if (ext === '8001' && ok) resolve(); }));
    phone = await startBaresip({
      account: { user: '8001', password: 'secret', registrar: `127.0.0.1:${engine.port}`, register: true, answerMode: 'auto' },
      lifetimeS: 60,
    });
    // baresip often registers before its ctrl_tcp socket is connected, so REGISTER_OK may never reach
    // us: our own registration event is the reliable signal.
    if (!tel.isRegistered('8001')) await registered;
    expect(tel.isRegistered('8001')).to.equal(true);
    const mark = phone.mark();
    const leg = await tel.dial({ target: 'ext:8001', fromUser: '12345', fromDisplayName: '市民热线', timeoutMs: 8000 });
    expect(leg.state).to.equal('answered');
    await phone.waitForEvent('CALL_ESTABLISHED', 5000, mark);
    await leg.hangup();
    await phone.waitForEvent('CALL_CLOSED', 5000, mark);
    expect(leg.end).to.deep.equal({ reason: 'hangup', by: 'local' });
  });
});
