import { expect } from 'chai';
import { loadConfig } from '../../../src/config/config.js';
import { ConfigError } from '../../../src/shared/app-error.js';

const noDotenv = '/nonexistent/.env';

describe('config', () => {
  it('when nothing is set, it uses the embedded defaults', () => {
    const c = loadConfig({}, noDotenv);
    expect(c.SIP_PORT).to.equal(5060);
    expect(c.HTTP_PORT).to.equal(3000);
    expect(c.DATABASE_URL).to.match(/^sqlite:/);
    expect(c.IVR_FLOW).to.equal('ivr-flows/default.yaml');
    expect(c.TZ).to.equal('Asia/Shanghai');
    expect(c.publicAddress).to.equal('127.0.0.1');
  });

  it('when SRTP_SDES is unset it is offer; off and require are taken; anything else is refused naming the key and the choices', () => {
    expect(loadConfig({}, noDotenv).SRTP_SDES).to.equal('offer');
    expect(loadConfig({ SRTP_SDES: 'require' }, noDotenv).SRTP_SDES).to.equal('require');
    expect(loadConfig({ SRTP_SDES: 'off' }, noDotenv).SRTP_SDES).to.equal('off');
    expect(() => loadConfig({ SRTP_SDES: 'mandatory' }, noDotenv))
      .to.throw(ConfigError)
      .with.property('message')
      .that.matches(/^config: SRTP_SDES \(got "mandatory"\): must be off, offer or require/);
  });

  it('when a port is not a number, it names the key and the value', () => {
    expect(() => loadConfig({ SIP_PORT: 'abc' }, noDotenv))
      .to.throw(ConfigError)
      .with.property('message')
      .that.matches(/^config: SIP_PORT \(got "abc"\)/);
  });

  it('when a secret is rejected, it names the key and the rule but never the value (issue 13)', () => {
    let message = '';
    try {
      loadConfig({ ADMIN_PASSWORD: 'hunter2' }, noDotenv);
    } catch (err) {
      message = err instanceof Error ? err.message : '';
    }
    expect(message).to.match(/^config: ADMIN_PASSWORD \(got a value of 7 characters, not shown\): must be at least 8 characters/);
    expect(message).not.to.include('hunter2');
  });

  it('when a database URL is rejected, its password is not shown', () => {
    let message = '';
    try {
      loadConfig({ DATABASE_URL: 'postgres://hotline:s3cret-pw@db:5432/x' }, noDotenv);
    } catch (err) {
      message = err instanceof Error ? err.message : '';
    }
    expect(message).to.include('DATABASE_URL (got "postgres://hotline:***@db:5432/x")');
    expect(message).not.to.include('s3cret-pw');
  });

  it('when the RTP range is inverted, it names RTP_PORT_MAX', () => {
    expect(() => loadConfig({ RTP_PORT_MIN: '30000', RTP_PORT_MAX: '20000' }, noDotenv)).to.throw(/RTP_PORT_MAX/);
  });

  it('when SIP_PUBLIC_ADDRESS is a host name, it refuses it', () => {
    expect(() => loadConfig({ SIP_PUBLIC_ADDRESS: 'pbx.example.org' }, noDotenv)).to.throw(/SIP_PUBLIC_ADDRESS.*IP address/);
  });

  it('when the time zone is unknown, it names TZ', () => {
    expect(() => loadConfig({ TZ: 'Mars/Olympus' }, noDotenv)).to.throw(/TZ/);
  });

  it('when DATABASE_URL has another scheme, it refuses it', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://x' }, noDotenv)).to.throw(/DATABASE_URL/);
  });

  it('when SIP_PUBLIC_ADDRESS is set, Contact and SDP use it', () => {
    expect(loadConfig({ SIP_PUBLIC_ADDRESS: '10.1.2.3' }, noDotenv)).to.include({ publicAddress: '10.1.2.3', rtpPublicAddress: '10.1.2.3' });
  });

  it('when nothing is set, SIP and RTP listen on 127.0.0.1 and advertise it (README\'s default start works, nothing is exposed)', () => {
    expect(loadConfig({}, noDotenv)).to.include({ SIP_LISTEN: '127.0.0.1', rtpListen: '127.0.0.1', publicAddress: '127.0.0.1', rtpPublicAddress: '127.0.0.1' });
  });

  it('when SIP binds to a wildcard without an advertised address, it refuses to start naming the keys to set; SIP_LAB=true lets a lab advertise loopback', () => {
    for (const wildcard of ['0.0.0.0', '::']) {
      expect(() => loadConfig({ SIP_LISTEN: wildcard }, noDotenv))
        .to.throw(ConfigError)
        .with.property('message')
        .that.matches(/^config: SIP_LISTEN is .* \(every interface\) but SIP_PUBLIC_ADDRESS is not set.*RTP_PUBLIC_ADDRESS.*SIP_LAB=true/);
    }
    expect(loadConfig({ SIP_LISTEN: '0.0.0.0', SIP_LAB: 'true' }, noDotenv)).to.include({ publicAddress: '127.0.0.1', rtpPublicAddress: '127.0.0.1' });
    expect(loadConfig({ SIP_LISTEN: '::', SIP_LAB: 'true' }, noDotenv)).to.include({ publicAddress: '::1' });
  });

  it('when SIP and RTP have their own bind and advertised addresses, each is used where it belongs', () => {
    const nat = loadConfig({ SIP_LISTEN: '0.0.0.0', SIP_PUBLIC_ADDRESS: '203.0.113.10', RTP_PUBLIC_ADDRESS: '203.0.113.11' }, noDotenv);
    expect(nat).to.include({ SIP_LISTEN: '0.0.0.0', publicAddress: '203.0.113.10', rtpListen: '0.0.0.0', rtpPublicAddress: '203.0.113.11' });
    // RTP advertised address defaults to SIP's.
    expect(loadConfig({ SIP_LISTEN: '0.0.0.0', SIP_PUBLIC_ADDRESS: '203.0.113.10' }, noDotenv)).to.include({ rtpPublicAddress: '203.0.113.10' });
    // RTP on every interface with SIP on one address: SDP names SIP's address.
    expect(loadConfig({ SIP_LISTEN: '10.0.0.2', RTP_LISTEN: '0.0.0.0' }, noDotenv)).to.include({ publicAddress: '10.0.0.2', rtpListen: '0.0.0.0', rtpPublicAddress: '10.0.0.2' });
    expect(loadConfig({ SIP_LISTEN: '10.0.0.2', RTP_LISTEN: '10.0.0.3' }, noDotenv)).to.include({ rtpPublicAddress: '10.0.0.3' });
    expect(() => loadConfig({ RTP_PUBLIC_ADDRESS: 'media.example.org' }, noDotenv)).to.throw(/RTP_PUBLIC_ADDRESS.*IP address/);
  });

  it('when nothing is set, overload control admits 200 new calls a second, sheds above 100 ms of loop delay, and caps calls at one per even RTP port', () => {
    const c = loadConfig({}, noDotenv);
    expect(c).to.include({ SIP_MAX_CALLS_PER_S: 200, SIP_OVERLOAD_LAG_MS: 100, sipMaxCalls: 500 });
    expect(loadConfig({ RTP_PORT_MIN: '41701', RTP_PORT_MAX: '41999' }, noDotenv).sipMaxCalls).to.equal(149);
  });

  it('when the overload keys are set, they are used, 0 turning each off', () => {
    const c = loadConfig({ SIP_MAX_CALLS_PER_S: '0', SIP_MAX_CALLS: '0', SIP_OVERLOAD_LAG_MS: '0' }, noDotenv);
    expect(c).to.include({ SIP_MAX_CALLS_PER_S: 0, sipMaxCalls: 0, SIP_OVERLOAD_LAG_MS: 0 });
    expect(loadConfig({ SIP_MAX_CALLS_PER_S: '2.5', SIP_MAX_CALLS: '40' }, noDotenv)).to.include({ SIP_MAX_CALLS_PER_S: 2.5, sipMaxCalls: 40 });
  });

  it('when an overload key is out of range, it names the key', () => {
    expect(() => loadConfig({ SIP_MAX_CALLS_PER_S: '-1' }, noDotenv)).to.throw(/SIP_MAX_CALLS_PER_S/);
    expect(() => loadConfig({ SIP_MAX_CALLS: '1.5' }, noDotenv)).to.throw(/SIP_MAX_CALLS/);
    expect(() => loadConfig({ SIP_OVERLOAD_LAG_MS: '5' }, noDotenv)).to.throw(/SIP_OVERLOAD_LAG_MS.*0 \(off\) or 20-10000/);
  });

  it('when SIP_TLS_CA is set, it is kept as the path; without SIP_TLS_CERT/KEY or with SIP_TLS_VERIFY_SERVER=false it is refused, naming the key, the path and why', () => {
    const tls = { SIP_TLS_CERT: '/etc/hotline/sip-cert.pem', SIP_TLS_KEY: '/etc/hotline/sip-key.pem' };
    expect(loadConfig({}, noDotenv).SIP_TLS_CA).to.equal(undefined);
    expect(loadConfig({ ...tls, SIP_TLS_CA: '/etc/hotline/carrier-ca.pem' }, noDotenv).SIP_TLS_CA).to.equal('/etc/hotline/carrier-ca.pem');
    expect(() => loadConfig({ SIP_TLS_CA: '/etc/hotline/carrier-ca.pem' }, noDotenv))
      .to.throw(ConfigError)
      .with.property('message')
      .that.equals('config: SIP_TLS_CA (got "/etc/hotline/carrier-ca.pem"): needs SIP_TLS_CERT and SIP_TLS_KEY (SIP over TLS is off without them)');
    expect(() => loadConfig({ ...tls, SIP_TLS_VERIFY_SERVER: 'false', SIP_TLS_CA: '/etc/hotline/carrier-ca.pem' }, noDotenv))
      .to.throw(ConfigError)
      .with.property('message')
      .that.equals('config: SIP_TLS_CA (got "/etc/hotline/carrier-ca.pem"): has no effect with SIP_TLS_VERIFY_SERVER=false (no peer certificate is checked)');
  });
});
