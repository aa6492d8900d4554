import { expect } from 'chai';
import { AddressMatcher, addressBytes, parseAddressBlock } from '../../../src/trunks/address-matcher.js';

const matcher = (...blocks: string[]): AddressMatcher => new AddressMatcher(blocks.map(parseAddressBlock));

function refusal(text: string): string {
  try {
    parseAddressBlock(text);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  throw new Error(`${text} was accepted`);
}

describe('trunk address matching', () => {
  it('when a CIDR block is given, it matches the addresses inside it and no others, at both edges', () => {
    const m = matcher('203.0.113.0/24');
    expect(m.matches('203.0.113.0')).to.equal(true);
    expect(m.matches('203.0.113.255')).to.equal(true);
    expect(m.matches('203.0.112.255')).to.equal(false);
    expect(m.matches('203.0.114.0')).to.equal(false);
  });

  it('when the prefix does not end on a byte, only the prefix bits count', () => {
    const m = matcher('10.1.16.0/20');
    expect(m.matches('10.1.31.255')).to.equal(true);
    expect(m.matches('10.1.32.0')).to.equal(false);
    expect(m.matches('10.1.15.255')).to.equal(false);
  });

  it('when a single address is given, only that address matches', () => {
    const m = matcher('127.0.0.2');
    expect(m.matches('127.0.0.2')).to.equal(true);
    expect(m.matches('127.0.0.3')).to.equal(false);
  });

  it('when a dual-stack socket reports an IPv4 source as IPv4-mapped IPv6, it matches the IPv4 block (and a mapped block matches plain IPv4)', () => {
    expect(matcher('10.0.0.0/8').matches('::ffff:10.20.30.40')).to.equal(true);
    expect(matcher('10.0.0.0/8').matches('::FFFF:10.20.30.40')).to.equal(true);
    expect(matcher('10.0.0.0/8').matches('::ffff:11.0.0.1')).to.equal(false);
    expect(matcher('::ffff:10.0.0.0/104').matches('10.9.9.9')).to.equal(true);
  });

  it('when IPv6 blocks are given, compressed forms match and other prefixes do not; IPv4 never matches an IPv6 block by accident', () => {
    const m = matcher('2001:db8:abcd::/48', '::1');
    expect(m.matches('2001:db8:abcd:12::5')).to.equal(true);
    expect(m.matches('2001:0db8:abcd:0000:0000:0000:0000:0001')).to.equal(true);
    expect(m.matches('2001:db8:abce::1')).to.equal(false);
    expect(m.matches('::1')).to.equal(true);
    expect(m.matches('0.0.0.1')).to.equal(false);
  });

  it('when the source is not an IP literal (a host name, a zone index, garbage, a huge string), it matches nothing', () => {
    const m = matcher('127.0.0.0/8', 'fe80::/64');
    for (const source of ['localhost', 'fe80::1%eth0', '127.0.0.1 ', '127.0.0.1/8', '', '1'.repeat(10_000), '127.000.0.1']) {
      expect(m.matches(source), source).to.equal(false);
    }
  });

  it('when a block has host bits set, a prefix out of range, written oddly, or trusts too much, it is refused saying why', () => {
    expect(refusal('10.0.0.5/24')).to.match(/host bits set.*10\.0\.0\.0\/24/);
    expect(refusal('10.0.0.0/33')).to.match(/prefix length must be a whole number 0-32/);
    expect(refusal('10.0.0.0/024')).to.match(/prefix length/);
    expect(refusal('10.0.0.0/-1')).to.match(/prefix length/);
    expect(refusal('10.0.0.0/')).to.match(/prefix length/);
    expect(refusal('0.0.0.0/0')).to.match(/too much of the Internet.*SIP_ADMIT_ANY_SOURCE/);
    expect(refusal('128.0.0.0/1')).to.match(/too much/);
    expect(refusal('::/0')).to.match(/too much/);
    expect(refusal('::ffff:0.0.0.0/96')).to.match(/too much/);
    expect(refusal('carrier.example.com')).to.match(/not an IP address literal.*hosts/);
    expect(refusal('010.0.0.1')).to.match(/not an IP address literal/);
    expect(refusal('10.0.0.0/8/8')).to.match(/not an address or CIDR/);
  });

  it('when an address is read as bytes, IPv4 becomes its mapped IPv6 form', () => {
    expect([...(addressBytes('1.2.3.4') ?? [])]).to.deep.equal([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 1, 2, 3, 4]);
    expect(addressBytes('::ffff:1.2.3.4')).to.deep.equal(addressBytes('1.2.3.4'));
    expect(addressBytes('::ffff:102:304')).to.deep.equal(addressBytes('1.2.3.4'));
  });

  it('when resolved addresses are set, they match exactly and replace the previous ones', () => {
    const m = matcher('192.0.2.0/24');
    m.setResolved(['198.51.100.7']);
    expect(m.matches('198.51.100.7')).to.equal(true);
    expect(m.matches('198.51.100.8')).to.equal(false);
    m.setResolved(['198.51.100.8']);
    expect(m.matches('198.51.100.7')).to.equal(false);
    expect(m.matches('198.51.100.8')).to.equal(true);
    expect(m.matches('192.0.2.1')).to.equal(true);
  });
});
