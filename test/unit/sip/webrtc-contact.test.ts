import { expect } from 'chai';
import { contactWantsWebRtc } from '../../../src/sip/webrtc-contact.js';

describe('contactWantsWebRtc', () => {
  it('when JsSIP registers (transport=ws, +sip.ice), calls to it offer WebRTC', () => {
    expect(contactWantsWebRtc({ uri: 'sip:q3r4@df7jal23ls0d.invalid;transport=ws', params: { '+sip.ice': null, 'reg-id': '1' } }, 'tcp')).to.equal(true);
  });

  it('when a contact registered over a WebSocket transport, calls to it offer WebRTC even without +sip.ice', () => {
    expect(contactWantsWebRtc({ uri: 'sip:8001@192.0.2.7' }, 'wss')).to.equal(true);
  });

  it('when only the feature tag says ICE (a browser behind a SIP proxy), calls offer WebRTC', () => {
    expect(contactWantsWebRtc({ uri: 'sip:8001@192.0.2.7', params: { '+sip.ice': null } }, 'udp')).to.equal(true);
  });

  it('when a desk phone registers over UDP or TCP, calls to it stay plain RTP', () => {
    expect(contactWantsWebRtc({ uri: 'sip:8001@192.0.2.7:5062', params: { expires: '60' } }, 'udp')).to.equal(false);
    expect(contactWantsWebRtc({ uri: 'sip:8001@192.0.2.7;transport=tcp' }, 'tcp')).to.equal(false);
  });
});
