import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { flowFilesOf, normaliseDid, parseTrunks } from '../../../src/trunks/parse-trunks.js';
import { TrunkFileError } from '../../../src/trunks/trunk-file-error.js';

const FILE = 'trunks.yaml';

function refusal(text: string): TrunkFileError {
  try {
    parseTrunks(text, FILE);
  } catch (err) {
    if (err instanceof TrunkFileError) return err;
    throw err;
  }
  throw new Error('the file was accepted');
}

const carrier = (body: string): string => `trunks:\n  - name: carrier\n${body}`;

describe('parseTrunks', () => {
  it('when the shipped ivr-flows/trunks.yaml is read, it admits this machine (127.0.0.0/8, ::1) to the inbound flow for any number', () => {
    const [lab, ...rest] = parseTrunks(readFileSync(new URL('../../../ivr-flows/trunks.yaml', import.meta.url), 'utf8'), 'ivr-flows/trunks.yaml');
    expect(rest).to.deep.equal([]);
    expect(lab?.addresses.map((a) => a.text)).to.deep.equal(['127.0.0.0/8', '::1']);
    expect(lab?.defaultFlow).to.equal('IVR_FLOW');
    expect(lab?.outbound).to.equal(undefined);
    expect(lab?.registration).to.equal(undefined);
  });

  it('when a full trunk is given, every field is read with separators dropped from DIDs and defaults applied', () => {
    const [t] = parseTrunks(
      carrier(`    addresses: [203.0.113.0/28, "2001:db8::5"]
    hosts: [sbc.Carrier.example.]
    inbound:
      dids:
        "12345": IVR_FLOW
        "0936-12345": ivr-flows/gansu.yaml
    outbound:
      proxy: sip:203.0.113.5:5060
      campaigns: [supervision, survey]
      username: hotline
      password: s3cret
    registration:
      registrar: sip:203.0.113.5
      username: "0936012345"
      password: s3cret
    codecs: [PCMA]
`),
      FILE,
    );
    expect(t?.hosts).to.deep.equal(['sbc.carrier.example']);
    expect([...(t?.dids ?? [])]).to.deep.equal([['12345', 'IVR_FLOW'], ['093612345', 'ivr-flows/gansu.yaml']]);
    expect(t?.defaultFlow).to.equal(undefined);
    expect(t?.outbound).to.deep.equal({ proxy: 'sip:203.0.113.5:5060', campaigns: ['supervision', 'survey'], credentials: { username: 'hotline', password: 's3cret' } });
    expect(t?.registration).to.deep.equal({ registrar: 'sip:203.0.113.5', username: '0936012345', password: 's3cret', aorUser: '0936012345', expiresS: 3600 });
    expect(t?.codecs).to.deep.equal(['PCMA']);
    expect(flowFilesOf(t ? [t] : [])).to.deep.equal(['ivr-flows/gansu.yaml']);
  });

  it('when a field is wrong, the error names the file, the trunk and the field', () => {
    const cases: [string, RegExp][] = [
      [carrier('    addresses: [10.0.0.5/24]\n'), /^trunks\.yaml: trunk "carrier": addresses\[0\]: "10\.0\.0\.5\/24" has host bits set/],
      [carrier('    addresses: [10.0.0.0/8]\n    inbound:\n      dids:\n        "12a45": IVR_FLOW\n'), /trunk "carrier": inbound\.dids\.12a45: a DID is a number/],
      [carrier('    addresses: [10.0.0.0/8]\n    inbound:\n      dids:\n        "12345": default\n'), /trunk "carrier": inbound\.dids\.12345: must be a flow file \(\*\.yaml\) or IVR_FLOW/],
      [carrier('    addresses: [10.0.0.0/8]\n    inbound:\n      dids:\n        "12345": IVR_FLOW\n        "123-45": IVR_FLOW\n'), /inbound\.dids\.123-45: the number 12345 is listed twice/],
      [carrier('    addresses: [10.0.0.0/8]\n    outbound:\n      proxy: sip:sbc.carrier.example\n      campaigns: [survey]\n'), /trunk "carrier": outbound\.proxy: must be a SIP URI with an IP literal host/],
      [carrier('    addresses: [10.0.0.0/8]\n    outbound:\n      proxy: sip:10.0.0.1\n      campaigns: [marketing]\n'), /trunk "carrier": outbound\.campaigns\[0\]/],
      [carrier('    addresses: [10.0.0.0/8]\n    outbound:\n      proxy: sip:10.0.0.1\n      campaigns: [survey]\n      username: u\n'), /outbound\.password: username and password go together/],
      [carrier('    addresses: [10.0.0.0/8]\n    registration:\n      registrar: sip:10.0.0.1\n      username: u\n      password: p\n      expiresS: 10\n'), /registration\.expiresS: must be ≥ 60/],
      [carrier('    addresses: [10.0.0.0/8]\n    codecs: [G729]\n'), /trunk "carrier": codecs\[0\]/],
      [carrier('    addresses: [10.0.0.0/8]\n    adresses: [10.0.0.0/8]\n'), /trunk "carrier": unknown field "adresses"/],
      [carrier('    hosts: ["10.0.0.1"]\n'), /hosts\[0\]: must be a DNS host name/],
      [carrier('    inbound: {}\n'), /trunk "carrier": addresses: list the carrier's addresses/],
      ['trunks:\n  - name: Carrier A\n    addresses: [10.0.0.0/8]\n', /trunk "Carrier A": name: trunk names are/],
      ['trunks:\n  - name: a\n    addresses: [10.0.0.0/8]\n  - name: a\n    addresses: [10.0.0.0/8]\n', /trunk "a": name: two trunks have this name/],
      [
        'trunks:\n  - name: a\n    addresses: [10.0.0.0/8]\n    outbound: { proxy: "sip:10.0.0.1", campaigns: [survey] }\n  - name: b\n    addresses: [10.0.0.0/8]\n    outbound: { proxy: "sip:10.0.0.2", campaigns: [survey] }\n',
        /trunk "b": outbound\.campaigns: "survey" already dials out through trunk "a"/,
      ],
      ['trunks: []\n', /^trunks\.yaml: trunks: must define at least one trunk/],
      ['trunks:\n  - name: a\n   addresses: [1\n', /^trunks\.yaml: line \d+: YAML syntax/],
    ];
    for (const [text, expected] of cases) expect(refusal(text).message, text).to.match(expected);
  });

  it('when the refusal is about a password, the password is not in the message', () => {
    const err = refusal(carrier('    addresses: [10.0.0.0/8]\n    registration:\n      registrar: sip:10.0.0.1\n      username: u\n      password: "' + 'x'.repeat(200) + '"\n'));
    expect(err.message).to.match(/registration\.password: must be at most 128 characters/);
    expect(err.message).not.to.include('xxxx');
  });

  it('when dialled numbers are normalised, separators go and anything but a number is refused, a huge string included', () => {
    expect(normaliseDid('0936-12345')).to.equal('093612345');
    expect(normaliseDid('+86 936 12345')).to.equal('+8693612345');
    expect(normaliseDid('12345')).to.equal('12345');
    for (const bad of ['', 'service', '12345;x', '1'.repeat(33), '1'.repeat(100_000), '12345\u0000', '١٢٣٤٥']) expect(normaliseDid(bad), bad.slice(0, 20)).to.equal(undefined);
  });
});
