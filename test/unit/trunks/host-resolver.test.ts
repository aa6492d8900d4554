import { expect } from 'chai';
import { trunkHostResolver, type TrunkDns } from '../../../src/trunks/index.js';

type A = { address: string; ttl: number };
type Srv = { name: string; port: number; priority: number; weight: number };

function dnsError(code: string): Error {
  return Object.assign(new Error(`query ${code}`), { code });
}

/** A zone: A records and SRV records by name; any other name is ENOTFOUND; `broken` names fail with ESERVFAIL. */
function fakeDns(a: Record<string, A[]>, srv: Record<string, Srv[]>, broken: string[] = []): TrunkDns & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    resolve4: (host) => {
      asked.push(`A ${host}`);
      if (broken.includes(host)) return Promise.reject(dnsError('ESERVFAIL'));
      const r = a[host];
      return r ? Promise.resolve(r) : Promise.reject(dnsError('ENOTFOUND'));
    },
    resolveSrv: (name) => {
      asked.push(`SRV ${name}`);
      if (broken.includes(name)) return Promise.reject(dnsError('ESERVFAIL'));
      const r = srv[name];
      return r ? Promise.resolve(r) : Promise.reject(dnsError('ENODATA'));
    },
  };
}

const srv = (name: string): Srv => ({ name, port: 5060, priority: 10, weight: 10 });

describe('trunk host names: A, then SRV', () => {
  it('when the name has A records, they are the addresses and no SRV is asked', async () => {
    const dns = fakeDns({ 'sbc.carrier.example': [{ address: '203.0.113.5', ttl: 600 }] }, {});
    expect(await trunkHostResolver(dns)('sbc.carrier.example')).to.deep.equal([{ address: '203.0.113.5', ttl: 600 }]);
    expect(dns.asked).to.deep.equal(['A sbc.carrier.example']);
  });

  it('when the name is a carrier domain with _sip._udp SRV records, the targets’ A records are the addresses, TTL at most 300 s', async () => {
    const dns = fakeDns(
      { 'sbc1.carrier.example': [{ address: '203.0.113.5', ttl: 3600 }], 'sbc2.carrier.example': [{ address: '203.0.113.6', ttl: 60 }] },
      { '_sip._udp.carrier.example': [srv('sbc1.carrier.example.'), srv('SBC2.carrier.example'), srv('sbc1.carrier.example')] },
    );
    expect(await trunkHostResolver(dns)('carrier.example')).to.deep.equal([
      { address: '203.0.113.5', ttl: 300 },
      { address: '203.0.113.6', ttl: 60 },
    ]);
  });

  it('when only _sip._tcp SRV records exist, they are used', async () => {
    const dns = fakeDns({ 'sbc.carrier.example': [{ address: '198.51.100.7', ttl: 120 }] }, { '_sip._tcp.carrier.example': [srv('sbc.carrier.example')] });
    expect(await trunkHostResolver(dns)('carrier.example')).to.deep.equal([{ address: '198.51.100.7', ttl: 120 }]);
  });

  it('when neither A nor SRV answers, it rejects naming the host (the directory keeps the last addresses)', async () => {
    const dns = fakeDns({}, {});
    await trunkHostResolver(dns)('nothing.example').then(
      () => expect.fail('resolved'),
      (err: unknown) => expect(String(err)).to.match(/nothing\.example: no A record and no _sip SRV record/),
    );
  });

  it('when the DNS server fails (not "no such name"), it rejects at once without falling back to SRV', async () => {
    const dns = fakeDns({}, { '_sip._udp.carrier.example': [srv('x.example')] }, ['carrier.example']);
    await trunkHostResolver(dns)('carrier.example').then(
      () => expect.fail('resolved'),
      (err: unknown) => expect(err).to.have.property('code', 'ESERVFAIL'),
    );
    expect(dns.asked).to.deep.equal(['A carrier.example']);
  });

  it('when a hostile zone lists hundreds of SRV targets, at most 16 are looked up', async () => {
    const targets = Array.from({ length: 500 }, (_, i) => srv(`t${i}.example`));
    const a = Object.fromEntries(targets.map((t, i) => [t.name, [{ address: `192.0.2.${i % 250}`, ttl: 60 }]]));
    const dns = fakeDns(a, { '_sip._udp.carrier.example': targets });
    const addresses = await trunkHostResolver(dns)('carrier.example');
    expect(addresses).to.have.length(16);
    expect(dns.asked.filter((q) => q.startsWith('A t'))).to.have.length(16);
  });
});
