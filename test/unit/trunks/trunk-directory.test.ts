import { expect } from 'chai';
import { silentLogger } from '../../../src/logging/logger.js';
import { parseTrunks } from '../../../src/trunks/parse-trunks.js';
import { TrunkDirectory, type ResolveA } from '../../../src/trunks/trunk-directory.js';
import { FakeClock } from '../sip/transaction-test-kit.js';

const FILE = `trunks:
  - name: carrier
    addresses: [203.0.113.0/28]
    hosts: [sbc.carrier.example]
    inbound:
      dids:
        "12345": IVR_FLOW
        "0936-12345": ivr-flows/gansu.yaml
    outbound: { proxy: "sip:203.0.113.5:5060", campaigns: [supervision, callback], username: u, password: p }
  - name: backup
    addresses: ["2001:db8::/32"]
    inbound:
      defaultFlow: ivr-flows/backup.yaml
`;

function directory(options: { resolveA?: ResolveA; admitAnySource?: boolean; clock?: FakeClock } = {}): TrunkDirectory {
  return new TrunkDirectory(parseTrunks(FILE, 'trunks.yaml'), {
    resolveA: options.resolveA ?? (() => Promise.resolve([])),
    clock: options.clock ?? new FakeClock(),
    logger: silentLogger(),
    admitAnySource: options.admitAnySource ?? false,
  });
}

describe('TrunkDirectory', () => {
  it('when a trunk address dials a listed DID, the DID selects its flow (IVR_FLOW meaning the inbound flow), written with or without separators', () => {
    const d = directory();
    expect(d.check('203.0.113.5', '12345')).to.deep.equal({ admit: true, route: { trunk: 'carrier', flow: undefined } });
    expect(d.check('203.0.113.5', '093612345')).to.deep.equal({ admit: true, route: { trunk: 'carrier', flow: 'ivr-flows/gansu.yaml' } });
    expect(d.check('::ffff:203.0.113.5', '0936-12345')).to.deep.equal({ admit: true, route: { trunk: 'carrier', flow: 'ivr-flows/gansu.yaml' } });
  });

  it('when a trunk address dials a number that is none of its DIDs, it is 404; with a default flow that flow answers', () => {
    const d = directory();
    expect(d.check('203.0.113.5', '99999')).to.include({ admit: false, status: 404 });
    expect(d.check('203.0.113.5', 'x'.repeat(100_000))).to.include({ admit: false, status: 404 });
    expect(d.check('2001:db8::7', '99999')).to.deep.equal({ admit: true, route: { trunk: 'backup', flow: 'ivr-flows/backup.yaml' } });
    // A number that is no number is refused even where a default flow would take any DID.
    expect(d.check('2001:db8::7', 'service')).to.include({ admit: false, status: 404 });
  });

  it('when the source is no trunk, it is 403 whatever the request says; with the lab switch it goes to the inbound flow', () => {
    expect(directory().check('203.0.113.16', '12345')).to.include({ admit: false, status: 403 });
    expect(directory().check('198.51.100.1', '12345')).to.include({ admit: false, status: 403 });
    expect(directory({ admitAnySource: true }).check('198.51.100.1', '12345')).to.deep.equal({ admit: true, route: { trunk: undefined, flow: undefined } });
    // The lab switch does not open a trunk's unknown numbers.
    expect(directory({ admitAnySource: true }).check('203.0.113.5', '99999')).to.include({ admit: false, status: 404 });
  });

  it('when a campaign is listed by a trunk, it dials out through it; otherwise there is no trunk for it', () => {
    const d = directory();
    expect(d.outboundFor('supervision')).to.deep.include({ trunk: 'carrier', proxy: 'sip:203.0.113.5:5060', credentials: { username: 'u', password: 'p' } });
    expect(d.outboundFor('callback')?.trunk).to.equal('carrier');
    expect(d.outboundFor('survey')).to.equal(undefined);
  });

  it('when a host name resolves, its addresses are admitted; refreshed after the TTL; a failed refresh keeps them', async () => {
    const clock = new FakeClock();
    const answers: (readonly { address: string; ttl: number }[] | Error)[] = [[{ address: '198.51.100.7', ttl: 120 }], new Error('SERVFAIL'), [{ address: '198.51.100.8', ttl: 60 }]];
    const asked: string[] = [];
    const d = directory({
      clock,
      resolveA: (host) => {
        asked.push(host);
        const next = answers.shift() ?? [];
        return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
      },
    });
    await d.start();
    expect(asked).to.deep.equal(['sbc.carrier.example']);
    expect(d.check('198.51.100.7', '12345')).to.include({ admit: true });
    expect(clock.running()).to.deep.equal([120_000]);

    clock.fireNext();
    await new Promise((r) => setImmediate(r));
    expect(d.check('198.51.100.7', '12345'), 'kept through a DNS failure').to.include({ admit: true });
    expect(clock.running(), 'a failure is retried after 30 s').to.deep.equal([30_000]);

    clock.fireNext();
    await new Promise((r) => setImmediate(r));
    expect(d.check('198.51.100.7', '12345')).to.include({ admit: false, status: 403 });
    expect(d.check('198.51.100.8', '12345')).to.include({ admit: true });
    expect(clock.running(), 'the next refresh follows the new TTL').to.deep.equal([60_000]);

    d.close();
    expect(clock.running()).to.deep.equal([]);
  });
});
