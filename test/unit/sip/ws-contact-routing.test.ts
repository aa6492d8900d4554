import { expect } from 'chai';
import { parse, type SipMessage } from 'sip';
import { reachableContact } from '../../../src/sip/registrar.js';
import { SipDialog } from '../../../src/sip/sip-dialog.js';
import type { Endpoint } from '../../../src/sip/sip-types.js';

const wsSource: Endpoint = { transport: 'ws', address: '10.1.2.3', port: 51234, connectionId: 7 };

/** RFC 7118 §5: a WebSocket client is reached over the connection it opened, whatever its Contact says. */
describe('routing of WebSocket contacts', () => {
  it('when a WS client registers a .invalid Contact, requests to it go over its connection (the flow)', () => {
    const reached = reachableContact('sip:8001@df7jal23ls0d.invalid;transport=ws', wsSource);
    expect(reached?.target).to.deep.equal(wsSource);
    expect(reached?.uri).to.equal('sip:8001@10.1.2.3:51234;transport=ws');
  });

  it('when a WS client registers an IP-literal Contact, it is still reached over its connection, never dialled', () => {
    expect(reachableContact('sip:8001@192.0.2.10:5060;transport=ws', wsSource)?.target).to.deep.equal(wsSource);
    expect(reachableContact('sip:8001@192.0.2.10:5060', { ...wsSource, transport: 'wss' })?.target).to.deep.equal({ ...wsSource, transport: 'wss' });
  });

  it('when a desk phone registers over UDP with a public address, nothing changes: its Contact is the next hop', () => {
    expect(reachableContact('sip:8001@192.0.2.10:5070', { transport: 'udp', address: '192.0.2.10', port: 5070 })?.target)
      .to.deep.equal({ transport: 'udp', address: '192.0.2.10', port: 5070 });
  });

  it('when a TLS phone registers, its connection is the flow like TCP', () => {
    const source: Endpoint = { transport: 'tls', address: '192.0.2.10', port: 40000, connectionId: 3 };
    expect(reachableContact('sip:8001@192.0.2.10:40000;transport=tls', source)?.target).to.deep.equal(source);
  });

  it('when the WS phone answers with a .invalid Contact, the ACK and the BYE of the dialog go over its connection', () => {
    const ok = parse(
      'SIP/2.0 200 OK\r\nVia: SIP/2.0/WS 127.0.0.1:5060;branch=z9hG4bKx\r\nFrom: <sip:12345@127.0.0.1>;tag=ours\r\n' +
        'To: <sip:8001@127.0.0.1>;tag=theirs\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\nContact: <sip:8001@abc.invalid;transport=ws>\r\nContent-Length: 0\r\n\r\n',
    ) as SipMessage;
    const dialog = SipDialog.fromOutboundInvite(
      { callId: 'c1', from: { uri: 'sip:12345@127.0.0.1', params: { tag: 'ours' } }, cseq: 1, requestUri: 'sip:8001@10.1.2.3:51234;transport=ws' },
      ok,
      wsSource,
      { address: '127.0.0.1', port: 5060 },
    );
    expect(dialog?.createAck(1).target).to.deep.equal(wsSource);
    const bye = dialog?.createRequest('BYE');
    expect(bye?.target).to.deep.equal(wsSource);
    expect((bye?.message.headers.via as { protocol: string }[])[0]?.protocol).to.equal('WS');
    expect(dialog?.flow).to.deep.equal(wsSource);
    // The client came back on a new connection: the dialog follows it.
    dialog?.moveFlow({ ...wsSource, connectionId: 8 });
    expect(dialog?.createRequest('BYE').target.connectionId).to.equal(8);
  });
});
