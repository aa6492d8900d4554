import { expect } from 'chai';
import sinon from 'sinon';
import { ProtectionProfileAes128CmHmacSha1_80, RtpHeader, SrtcpSession, SrtpSession } from 'werift';
import { parseRtp } from '../../../../src/media/rtp-packet.js';
import { newSdesKey, type SdesKeys } from '../../../../src/media/srtp/sdes-crypto.js';
import { SdesSrtp } from '../../../../src/media/srtp/sdes-srtp.js';
import { REPLAY_WINDOW, ReplayWindow } from '../../../../src/media/srtp/replay-window.js';

/** werift's own sessions as the phone: its local key is our remote key and the other way round. */
function peerOf(keys: SdesKeys): { srtp: SrtpSession; srtcp: SrtcpSession } {
  const local = Buffer.from(keys.remoteKey, 'base64');
  const remote = Buffer.from(keys.localKey, 'base64');
  const config = {
    keys: { localMasterKey: local.subarray(0, 16), localMasterSalt: local.subarray(16), remoteMasterKey: remote.subarray(0, 16), remoteMasterSalt: remote.subarray(16) },
    profile: ProtectionProfileAes128CmHmacSha1_80,
  };
  return { srtp: new SrtpSession(config), srtcp: new SrtcpSession(config) };
}

function keys(): SdesKeys {
  return { suite: 'AES_CM_128_HMAC_SHA1_80', tag: 1, localKey: newSdesKey(), remoteKey: newSdesKey() };
}

const PAYLOAD = Buffer.alloc(160, 0xd5);

function fromPeer(peer: SrtpSession, seq: number, payload = PAYLOAD, ssrc = 0x1234): Buffer {
  return peer.encrypt(payload, new RtpHeader({ payloadType: 0, sequenceNumber: seq, timestamp: seq * 160, ssrc }));
}

describe('SdesSrtp (werift SRTP on an SDES leg)', () => {
  afterEach(() => {
    sinon.restore();
  });

  it('when we protect a packet, werift\'s own session with the keys swapped decrypts the same header and payload, and the wire carries no clear audio', () => {
    const k = keys();
    const ours = new SdesSrtp(k);
    const peer = peerOf(k);
    const payload = Buffer.from(Array.from({ length: 160 }, (_, i) => i));
    const wire = ours.protectRtp(8, true, 4242, 987654, 0xcafe, payload);
    expect(wire).to.have.length(12 + 160 + 10);
    expect(wire.includes(payload.subarray(0, 16))).to.equal(false);
    const clear = parseRtp(peer.srtp.decrypt(wire));
    expect(clear).to.deep.include({ payloadType: 8, marker: true, sequenceNumber: 4242, timestamp: 987654, ssrc: 0xcafe });
    expect(clear?.payload.equals(payload)).to.equal(true);
  });

  it('when werift\'s session protects a packet, we get the clear RTP packet back', () => {
    const k = keys();
    const ours = new SdesSrtp(k);
    const clear = ours.unprotect(fromPeer(peerOf(k).srtp, 7));
    expect(Buffer.isBuffer(clear)).to.equal(true);
    const packet = parseRtp(clear as Buffer);
    expect(packet?.sequenceNumber).to.equal(7);
    expect(packet?.payload.equals(PAYLOAD)).to.equal(true);
  });

  it('when a packet has a wrong tag, another key, garbage or is cut short, it is "auth" and nothing throws', () => {
    const k = keys();
    const ours = new SdesSrtp(k);
    const good = fromPeer(peerOf(k).srtp, 1);
    const badTag = Buffer.from(good);
    badTag[badTag.length - 1] = (badTag[badTag.length - 1] ?? 0) ^ 0xff;
    expect(ours.unprotect(badTag)).to.equal('auth');
    const otherKeys = keys();
    expect(ours.unprotect(fromPeer(peerOf(otherKeys).srtp, 2))).to.equal('auth');
    expect(ours.unprotect(Buffer.from('not an rtp packet at all, just text'))).to.equal('auth');
    expect(ours.unprotect(good.subarray(0, 15))).to.equal('auth');
    expect(ours.unprotect(Buffer.alloc(0))).to.equal('auth');
    const flippedPayload = Buffer.from(good);
    flippedPayload[20] = (flippedPayload[20] ?? 0) ^ 1;
    expect(ours.unprotect(flippedPayload)).to.equal('auth');
    // The genuine packet still goes through after all that.
    expect(Buffer.isBuffer(ours.unprotect(good))).to.equal(true);
  });

  it('when a packet comes again, or one older than the replay window, it is "replay"', () => {
    const k = keys();
    const ours = new SdesSrtp(k);
    const peer = peerOf(k).srtp;
    const first = fromPeer(peer, 100);
    expect(Buffer.isBuffer(ours.unprotect(first))).to.equal(true);
    expect(ours.unprotect(first)).to.equal('replay');
    const old = fromPeer(peer, 101);
    for (let seq = 102; seq < 102 + REPLAY_WINDOW + 5; seq++) expect(Buffer.isBuffer(ours.unprotect(fromPeer(peer, seq)))).to.equal(true);
    expect(ours.unprotect(old)).to.equal('replay');
  });

  it('when the peer\'s sequence numbers wrap past 65535, packets keep authenticating (rollover counter) and a replay from before the wrap is still refused', () => {
    const k = keys();
    const ours = new SdesSrtp(k);
    const peer = peerOf(k).srtp;
    const beforeWrap = fromPeer(peer, 65535);
    for (const seq of [65530, 65531, 65532, 65533, 65534]) expect(Buffer.isBuffer(ours.unprotect(fromPeer(peer, seq)))).to.equal(true);
    expect(Buffer.isBuffer(ours.unprotect(beforeWrap))).to.equal(true);
    for (const seq of [0, 1, 2]) expect(Buffer.isBuffer(ours.unprotect(fromPeer(peer, seq))), `seq ${seq}`).to.equal(true);
    expect(ours.unprotect(beforeWrap)).to.equal('replay');
    expect(Buffer.isBuffer(ours.unprotect(fromPeer(peer, 3)))).to.equal(true);
  });

  it('when our sequence numbers wrap, werift\'s session on the other side decrypts across the wrap', () => {
    const k = keys();
    const ours = new SdesSrtp(k);
    const peer = peerOf(k).srtp;
    for (const seq of [65534, 65535, 0, 1]) {
      const wire = ours.protectRtp(0, false, seq, 0, 9, PAYLOAD);
      expect(parseRtp(peer.decrypt(wire))?.payload.equals(PAYLOAD), `seq ${seq}`).to.equal(true);
    }
  });

  it('when SRTCP arrives on the RTP port, it is authenticated and consumed ("rtcp"); a tampered one is "auth"; ours decrypts at the peer', () => {
    const k = keys();
    const ours = new SdesSrtp(k);
    const peer = peerOf(k);
    const rr = Buffer.from([0x80, 201, 0x00, 0x01, 0x00, 0x00, 0x12, 0x34]);
    const wire = peer.srtcp.encrypt(rr);
    expect(ours.unprotect(wire)).to.equal('rtcp');
    const tampered = Buffer.from(wire);
    tampered[tampered.length - 2] = (tampered[tampered.length - 2] ?? 0) ^ 0x55;
    expect(ours.unprotect(tampered)).to.equal('auth');
    expect(peer.srtcp.decrypt(ours.protectRtcp(rr)).equals(rr)).to.equal(true);
  });

  it('when asked about keys, it is the same context only for the very same local and remote key', () => {
    const k = keys();
    const ours = new SdesSrtp(k);
    expect(ours.sameKeys({ ...k })).to.equal(true);
    expect(ours.sameKeys({ ...k, remoteKey: newSdesKey() })).to.equal(false);
  });
});

describe('ReplayWindow', () => {
  it('when indexes arrive out of order inside the window, each is taken once', () => {
    const w = new ReplayWindow();
    expect([5, 3, 4, 10, 7].map((i) => w.accept(i))).to.deep.equal([true, true, true, true, true]);
    expect([3, 10, 5].map((i) => w.accept(i))).to.deep.equal([false, false, false]);
  });

  it('when an index is a whole window behind the highest, it is refused even if never seen', () => {
    const w = new ReplayWindow();
    w.accept(1000);
    expect(w.accept(1000 - REPLAY_WINDOW)).to.equal(false);
    expect(w.accept(1000 - REPLAY_WINDOW + 1)).to.equal(true);
  });
});
